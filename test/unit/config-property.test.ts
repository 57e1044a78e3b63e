// Configurations generated at random: each is accepted and then routes by the table, or
// rejected with one error line that names a field. Never a trap.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProxyWasmHost } from "../../harness/host/index.js";
import { requireFilterWasm } from "./load-filter.js";

// Every rejection names a field path the configuration has (in a list of services, under
// services[i]), or an unknown field by name.
const SERVICE_FIELD =
  "(?:service|header|versions(?:\\[\\d+\\])?|hosts(?:\\[\\d+\\])?|paths(?:\\[\\d+\\])?|default|scope|decisionHeader" +
  "|stickyBy(?:\\.(?:header|cookie))?|canary(?:\\.weights(?:\\.[^:]*)?)?" +
  "|cohorts(?:\\[\\d+\\](?:\\.match(?:\\.(?:header|cookie|exact|prefix|suffix|contains))?|\\.version|\\.weights(?:\\.[^:]*)?)?)?)";
const FIELD = new RegExp(
  `^invalid configuration: (?:(?:configuration|services|(?:services\\[\\d+\\](?:\\.${SERVICE_FIELD})?)|${SERVICE_FIELD}): ` +
    "|.+?: unknown field, not one of \\[)",
);

const name = fc.constantFrom("v1", "v2", "v3", "V1", "", "v 1", "a,b", "x-user", "é");
const host = fc.constantFrom("a.example.com", "A.Example.com", "*.example.com", "*", "a.example.com:80", "*a.com", "a..com", "", "é.com");
const path = fc.constantFrom("/pkg.Svc/", "/", "pkg", "", "/a b", "/v1/");
const anyJson = fc.jsonValue({ maxDepth: 2 });
const weights = fc.dictionary(name, fc.oneof(fc.integer({ min: -5, max: 200 }), anyJson), { maxKeys: 4 });
const keyRef = fc.oneof(
  fc.record({ header: fc.oneof(name, anyJson) }),
  fc.record({ cookie: fc.oneof(name, anyJson) }),
  fc.record({ header: name, cookie: name }),
  anyJson,
);
const match = fc
  .tuple(keyRef, fc.constantFrom("exact", "prefix", "suffix", "contains", "equals"), fc.oneof(name, anyJson))
  .map(([key, kind, value]) => (typeof key === "object" && key !== null && !Array.isArray(key) ? { ...key, [kind]: value } : key));
const cohort = fc.record({ match, version: name, weights }, { requiredKeys: ["match"] });
const config = fc.record(
  {
    header: fc.oneof(fc.constantFrom("grpcsvc", "X-Version", ":path", ""), anyJson),
    versions: fc.oneof(fc.uniqueArray(name, { maxLength: 4 }), fc.array(name, { maxLength: 4 }), anyJson),
    default: fc.oneof(name, anyJson),
    scope: fc.oneof(fc.constantFrom("all", "grpc", "http"), anyJson),
    stickyBy: keyRef,
    cohorts: fc.oneof(fc.array(cohort, { maxLength: 3 }), anyJson),
    canary: fc.oneof(fc.record({ weights }), anyJson),
    service: fc.oneof(fc.constantFrom("shop/grpcsvc", "", "a;b", "x=y"), anyJson),
    hosts: fc.oneof(fc.array(host, { maxLength: 3 }), anyJson),
    paths: fc.oneof(fc.array(path, { maxLength: 3 }), anyJson),
    responseHeader: fc.oneof(fc.constantFrom("x-version-served", "bad header"), anyJson),
    extra: anyJson,
  },
  { requiredKeys: [] },
);
// Several services in one configuration (the shared-gateway layout), some claiming the same host.
const services = fc.record({ services: fc.oneof(fc.array(config, { maxLength: 3 }), anyJson) }, { requiredKeys: [] });

// Valid configurations too, so the accepted branch is exercised as often as the rejected one.
const validName = fc.constantFrom("v1", "v2", "v3", "canary-1.2", "blue");
const valid = fc.uniqueArray(validName, { minLength: 1, maxLength: 4 }).chain((versions) =>
  fc.record(
    {
      header: fc.constantFrom("grpcsvc", "X-Version"),
      versions: fc.constant(versions),
      default: fc.constantFrom(...versions),
      scope: fc.constantFrom("all", "grpc"),
      stickyBy: fc.constantFrom({ header: "x-user-id" }, { cookie: "uid" }),
      canary: fc.tuple(...versions.map(() => fc.integer({ min: 0, max: 100 }))).map((ws) => ({
        weights: Object.fromEntries(versions.map((v, i) => [v, i === 0 ? ws[i]! + 1 : ws[i]!])),
      })),
    },
    { requiredKeys: ["versions"] },
  ),
);

describe("property: any configuration", () => {
  it("2,000 generated configurations are accepted and route by the table, or rejected naming a field", async () => {
    const host = await ProxyWasmHost.load(requireFilterWasm());
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(valid, config, services), (generated) => {
        const text = JSON.stringify(generated);
        host.logs.length = 0;
        const ok = host.configure(text);
        const errors = host.logs.filter((l) => l.level === "error").map((l) => l.message);
        if (!ok) {
          expect(errors).toHaveLength(1);
          expect(errors[0]).toMatch(FIELD);
          return;
        }
        accepted++;
        expect(errors).toEqual([]);
        if ("services" in generated || "hosts" in generated || "paths" in generated) return;
        const g = generated as { header?: string; versions: string[]; default?: string; scope?: string };
        const header = (g.header ?? "grpcsvc").toLowerCase();
        const fallback = g.default ?? g.versions[0]!;
        const contentType: [string, string] = ["content-type", "application/grpc"];
        for (const version of g.versions) {
          expect(host.request([contentType, [header, version]]).headers.strings(header)).toEqual([version]);
        }
        expect(host.request([contentType, [header, "not-a-version"]]).headers.strings(header)).toEqual([fallback]);
        const missing = host.request([contentType]).headers.strings(header);
        expect(missing).toHaveLength(1);
        expect(g.versions).toContain(missing[0]);
      }),
      { numRuns: 2_000, seed: 20261122 },
    );
    expect(accepted).toBeGreaterThan(500);
  });
});
