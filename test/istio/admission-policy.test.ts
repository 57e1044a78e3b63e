// The chart's ValidatingAdmissionPolicy on the real kube-apiserver, against the filter's own
// validator: for thousands of generated configurations (test/istio/admission-configs.ts) the
// API server's verdict on a server-side dry-run create equals the filter's verdict on what it
// would receive (the object as the API server would store it, in the in-process host), and a
// single service's denial names the field the filter names. The largest configuration the filter
// takes stays within the API server's CEL cost limits; one past a limit is refused by name.
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ProxyWasmHost } from "../../harness/host/index.js";
import { installChart } from "../../harness/istio/chart-release.js";
import { KubeError, type KubeObject } from "../../harness/istio/kube-client.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { requireFilterWasm } from "../unit/load-filter.js";
import { configurations, json, LIMITS, largest } from "./admission-configs.js";
import { chartValues } from "./chart-fixture.js";
import { withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();
const NAMESPACE = "shop";
const RELEASE = "grpcsvc";
/** The label the chart puts on its WasmPlugins, which puts them under its release's policy. */
const VALIDATED_BY = { "version-router.io/validated-by": `${NAMESPACE}.${RELEASE}` };
const EMULATED = "1.32";
const DENIED = /ValidatingAdmissionPolicy '[^']+' with binding '[^']+' denied request: (.*)$/s;

interface Verdict {
  accepted: boolean;
  /** The denial's message, or the filter's error: `field: what is wrong`. */
  message: string;
}

function plugin(labels: Record<string, string>): KubeObject & { spec: Record<string, unknown> } {
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: { name: "probe", namespace: NAMESPACE, labels },
    spec: { url: "file:///version-router.wasm" },
  };
}

/** The body of a create of a probe WasmPlugin with this pluginConfig, its numbers as json() writes them. */
function body(labels: Record<string, string>, config: unknown): string {
  const object = plugin(labels);
  return json({ ...object, spec: { ...object.spec, pluginConfig: config } });
}

/** What Istio hands the filter for a stored pluginConfig: its JSON, nothing when it is empty. */
function handedToFilter(stored: unknown): string {
  return stored === undefined || (typeof stored === "object" && stored !== null && Object.keys(stored).length === 0)
    ? ""
    : JSON.stringify(stored);
}

async function filterVerdict(configuration: string): Promise<Verdict> {
  const host = await ProxyWasmHost.load(requireFilterWasm());
  const accepted = host.configure(configuration);
  const error = host.logs.find((l) => l.level === "error")?.message ?? "";
  return { accepted, message: error.replace(/^invalid configuration: /, "") };
}

/** The field a message names, to the service's own field: `cohorts[0].match` is cohorts, `services[1].hosts[0]` services[1].hosts. */
function fieldOf(message: string): string {
  const path = message.split(": ")[0] ?? "";
  const service = /^services\[\d+\]\.?/.exec(path)?.[0] ?? "";
  return service + (/^[A-Za-z]*/.exec(path.slice(service.length))?.[0] ?? "");
}

describe.runIf(TOOLS)("the API server refuses a WasmPlugin the filter would refuse (the chart's admission policy)", () => {
  // The oldest Kubernetes this API server can behave as (three minor versions back): the policy
  // must compile with the CEL that version has (no lists extension, which came in 1.34).
  const { istio } = withIstio({ gateway: false, emulatedVersion: EMULATED });

  /** The API server's verdict, and what it would store (from a create outside the policy). */
  async function apiVerdict(config: unknown): Promise<Verdict & { stored: unknown }> {
    const kube = istio().kube;
    const stored = (await kube.dryRunCreate(plugin({}), body({}, config))).spec.pluginConfig;
    try {
      await kube.dryRunCreate(plugin(VALIDATED_BY), body(VALIDATED_BY, config));
      return { accepted: true, message: "", stored };
    } catch (err) {
      const denied = err instanceof KubeError && err.status === 422 ? DENIED.exec(err.message) : null;
      if (!denied) throw err;
      return { accepted: false, message: denied[1]!, stored };
    }
  }

  beforeAll(async () => {
    // Hosts of its own: the suite installs a second release beside it.
    await installChart(istio(), {
      name: RELEASE,
      namespace: NAMESPACE,
      values: chartValues({ gateway: { hosts: ["grpcsvc.example.com"] } }),
    });
    // The API server compiles a new policy in the background: wait until it refuses an empty configuration.
    const deadline = Date.now() + 30_000;
    while (!(await apiVerdict({}).then((v) => !v.accepted))) {
      if (Date.now() > deadline) throw new Error("the chart's admission policy never took effect");
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 120_000);

  it("gives the filter's verdict on 2,000 generated configurations, and a single service's denial names the filter's field", async () => {
    const seen = { accepted: 0, refused: 0, fields: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(configurations, async (config) => {
        const api = await apiVerdict(config);
        const filter = await filterVerdict(handedToFilter(api.stored));
        expect(api.accepted, `the API server: ${api.message || "accepted"}; the filter: ${filter.message || "accepted"}`).toBe(
          filter.accepted,
        );
        if (api.accepted) {
          seen.accepted++;
          return;
        }
        seen.refused++;
        const field = fieldOf(api.message).replace(/\[\d+\]/, "[i]");
        seen.fields.set(field, (seen.fields.get(field) ?? 0) + 1);
        // A list of services is checked rule by rule across them, the filter service by service: only the verdict is the same.
        if (!("services" in (config as object))) expect(fieldOf(api.message)).toBe(fieldOf(filter.message));
      }),
      { numRuns: 2000, seed: 20261202, endOnFailure: false },
    );
    console.log(
      `admission policy: ${seen.accepted} accepted, ${seen.refused} refused, by field: ${JSON.stringify(Object.fromEntries(seen.fields))}`,
    );
    // Both branches ran often, and every rule was reached.
    expect(seen.accepted).toBeGreaterThan(300);
    expect(seen.refused).toBeGreaterThan(300);
    for (const field of [
      "configuration",
      "services",
      "service",
      "hosts",
      "paths",
      "header",
      "versions",
      "default",
      "scope",
      "stickyBy",
      "cohorts",
      "canary",
      "restricted",
      "decisionHeader",
    ]) {
      expect(
        [...seen.fields.keys()].filter((f) => f === field || f.endsWith(`].${field}`)),
        field,
      ).not.toEqual([]);
    }
  }, 900_000);

  it("accepts the largest configuration the filter takes within the API server's CEL cost limits", async () => {
    // Restricted versions at their limits too: for 16 services, with identities as long as etcd's 1.5 MiB leaves room for.
    for (const [services, versionLength, restricted, identityLength] of [
      [1, 128, true, 256],
      [LIMITS.services, 128, false, 256],
      [LIMITS.services, 16, true, 64],
    ] as const) {
      const config = largest(services, versionLength, { restricted, identityLength });
      const size = json(config).length;
      const filter = await filterVerdict(json(config));
      expect(filter, `the filter on ${services} services`).toEqual({ accepted: true, message: "" });
      const api = await apiVerdict(config);
      console.log(
        `largest: ${services} services, versions of ${versionLength} characters${restricted ? ", restricted" : ""}: ${size} bytes: ${api.accepted ? "accepted" : api.message}`,
      );
      expect(size).toBeLessThanOrEqual(1.5 * 1024 * 1024);
      expect(api).toMatchObject({ accepted: true, message: "" });
    }
  }, 120_000);

  it("refuses one past each limit by naming it, not with a cost error", async () => {
    const one = largest(1, 128) as Record<string, unknown>;
    const many = largest(LIMITS.services, 16) as { services: Array<Record<string, unknown>> };
    const past: Array<[string, unknown, string]> = [
      ["a service too many", { services: [...many.services, { ...many.services[0], service: "one-more" }] }, "services"],
      ["a version too many", { ...one, versions: [...(one.versions as string[]), "one-more"] }, "versions"],
      ["a thousand versions", { ...one, versions: Array.from({ length: 1000 }, (_, i) => `v${i}`) }, "versions"],
      ["a host too many", { ...one, hosts: [...(one.hosts as string[]), "one-more.example.com"] }, "hosts"],
      ["a path too many", { ...one, paths: [...(one.paths as string[]), "/one-more/"] }, "paths"],
      ["a path one character too long", { ...one, paths: [`/${"p".repeat(LIMITS.pathLength)}`] }, "paths"],
      ["a cohort too many", { ...one, cohorts: [...(one.cohorts as unknown[]), (one.cohorts as unknown[])[0]] }, "cohorts"],
      [
        "an identity too many",
        {
          ...one,
          restricted: {
            [(one.versions as string[])[0]!]: Array.from({ length: LIMITS.identities + 1 }, () => ({ claim: "groups", includes: "beta" })),
          },
        },
        "restricted",
      ],
      ["a header name of a megabyte", { ...one, header: "x".repeat(1 << 20) }, "header"],
      [
        "weights for a thousand names",
        { ...one, canary: { weights: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`w${i}`, 1])) } },
        "canary",
      ],
    ];
    for (const [what, config, field] of past) {
      const filter = await filterVerdict(json(config));
      expect(filter.accepted, what).toBe(false);
      expect(fieldOf(filter.message), what).toBe(field);
      const api = await apiVerdict(config);
      expect(api.accepted, what).toBe(false);
      expect(api.message, what).not.toMatch(/cost|expression '/);
      expect(fieldOf(api.message), `${what}: ${api.message.slice(0, 200)}`).toBe(field);
    }
  }, 120_000);

  it(`compiles with the CEL of Kubernetes ${EMULATED}, which this API server emulates (a 1.34 function is unknown to it)`, async () => {
    const version = await istio().kube.call<{ emulationMajor?: string; emulationMinor?: string }>("GET", "/version");
    expect(`${version.emulationMajor}.${version.emulationMinor}`).toBe(EMULATED);
    const newer = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "uses-lists-range" },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }] },
        validations: [{ expression: "lists.range(2).size() == 2" }],
      },
    };
    await expect(istio().kube.dryRunCreate(newer)).rejects.toThrow(/undeclared reference to 'range'|lists/);
  });

  it("checks only the WasmPlugins labelled for it: a hand-written one opts in with the label", async () => {
    const bad = { versions: ["v1"], default: "v9" };
    const kube = istio().kube;
    await expect(kube.dryRunCreate(plugin({}), body({}, bad))).resolves.toBeDefined();
    await expect(kube.dryRunCreate(plugin(VALIDATED_BY), body(VALIDATED_BY, bad))).rejects.toThrow(
      /denied request: default: must be one of versions/,
    );
  });

  it("leaves alone what was stored before it was installed (it checks writes), and refuses the next write to it", async () => {
    const later = { name: "later", labels: { "version-router.io/validated-by": `${NAMESPACE}.later` } };
    const kube = istio().kube;
    const base = plugin(later.labels);
    const stored = {
      ...base,
      metadata: { name: "hand-written", namespace: NAMESPACE, labels: later.labels },
      spec: { ...base.spec, pluginConfig: { versions: ["v1"], default: "v9" } },
    };
    await kube.apply(stored);
    try {
      await installChart(istio(), {
        name: later.name,
        namespace: NAMESPACE,
        values: chartValues({ app: "later", gateway: { hosts: ["later.example.com"] } }),
      });
      // Once the new release's policy is in force, a write to the stored object is refused...
      await vi.waitFor(
        async () =>
          expect(kube.apply({ ...stored, metadata: { ...stored.metadata, annotations: { touched: "yes" } } })).rejects.toThrow(
            /denied request: default: must be one of versions/,
          ),
        { timeout: 30_000, interval: 200 },
      );
      // ...but the object itself is still there, as it was: a gateway starting now would get it.
      const live = await kube.get<KubeObject & { spec: { pluginConfig: { default: string } } }>(
        "extensions.istio.io/v1alpha1",
        "WasmPlugin",
        NAMESPACE,
        "hand-written",
      );
      expect(live?.spec.pluginConfig.default).toBe("v9");
    } finally {
      await kube.delete("extensions.istio.io/v1alpha1", "WasmPlugin", NAMESPACE, "hand-written");
      await istio()
        .helm(["uninstall", later.name, "--namespace", NAMESPACE, "--wait"])
        .catch(() => undefined);
    }
  }, 120_000);
});
