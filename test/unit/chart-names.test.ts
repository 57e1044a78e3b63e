// One rule per layer for what a name may be: the chart's schema (manifests/version-router/
// values.schema.json) is stricter than the filter, because its names become Kubernetes object
// names; whatever the schema lets through must be a name the filter takes, or a valid install
// would be refused by the gateway.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProxyWasmHost } from "../../harness/host/index.js";
import { CHART_DIR } from "../../harness/manifests/helm.js";
import { requireFilterWasm } from "./load-filter.js";

interface StringRule {
  pattern: string;
  maxLength: number;
}

const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8")) as {
  definitions: { dnsLabel: StringRule; hostPattern: StringRule };
};

/** Strings the schema's rule accepts, up to its length. */
const accepted = (rule: StringRule) =>
  fc.stringMatching(new RegExp(rule.pattern)).filter((text) => text.length <= rule.maxLength && new RegExp(rule.pattern).test(text));

describe("every name the chart accepts, the filter accepts", () => {
  const configure = async (config: object) => {
    const host = await ProxyWasmHost.load(requireFilterWasm());
    return { ok: host.configure(JSON.stringify(config)), logs: host.logs.map((l) => l.message) };
  };

  it("version names (DNS labels of at most 40 characters), and a service name <namespace>/<app> made of them", async () => {
    await fc.assert(
      fc.asyncProperty(accepted(schema.definitions.dnsLabel), accepted(schema.definitions.dnsLabel), async (name, namespace) => {
        const result = await configure({ service: `${namespace}/${name}`, versions: [name] });
        expect(result.logs.filter((l) => l.startsWith("invalid"))).toEqual([]);
        expect(result.ok).toBe(true);
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it("host patterns (names, *.wildcards, *)", async () => {
    await fc.assert(
      fc.asyncProperty(accepted(schema.definitions.hostPattern), async (host) => {
        const result = await configure({ hosts: [host], versions: ["v1"] });
        expect(result.logs.filter((l) => l.startsWith("invalid"))).toEqual([]);
        expect(result.ok).toBe(true);
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });
});
