// The chart's alerts and dashboard against a real Prometheus scraping a real Envoy that runs
// the filter with the chart's own pluginConfig, while known traffic goes through it: the
// counters Prometheus stores are the requests sent, every alert expression and every panel
// query evaluates with the labels the objects expect, and the alerts that should fire do.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openClient, type VersionClient } from "../../harness/clients/version-client.js";
import { renderChart } from "../../harness/manifests/helm.js";
import { chartAlerts, dashboardQueries, ruleGroupsYaml } from "../../harness/monitoring/chart-queries.js";
import { type Prometheus, startPrometheus } from "../../harness/monitoring/prometheus.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { startVersionEnvoy } from "../e2e/with-envoy.js";
import { envoySuitesEnabled, helmSuitesEnabled, prometheusSuiteTools } from "../support/suite-gates.js";

const TOOLS = envoySuitesEnabled() && (await helmSuitesEnabled()) ? prometheusSuiteTools() : undefined;

const VERSIONS = ["v1", "v2", "v3"];
const WEIGHTS = { v1: 80, v2: 20 };
// Short windows and no `for`, so a test minute is enough; thresholds stay the chart's defaults.
const WINDOW = "30s";
const VALUES = {
  versions: VERSIONS.map((name) => ({ name, tag: `${name.slice(1)}.0.0` })),
  defaultVersion: "v1",
  stickyBy: { header: "x-user-id" },
  canary: { weights: WEIGHTS },
  monitoring: {
    rateWindow: WINDOW,
    rules: {
      enabled: true,
      wrongVersion: { for: "0s" },
      missingHeader: { for: "0s" },
      canaryErrorRatio: { for: "0s" },
      canaryWeightDrift: { for: "0s" },
    },
    dashboard: { enabled: true },
  },
};
/** The series the filter defines for this configuration: every version by name, the default when the name is wrong or missing, the weighted versions by canary. */
const REACHABLE = [...VERSIONS.map((v) => `${v};explicit`), "v1;invalid", "v1;default", "v1;canary", "v2;canary"];
// Istio's own metrics come from its istio.stats filter, which only Istio's proxy build has.
const ISTIO_METRIC = /\bistio_request/;

/** Keys whose sticky canary choice is `version`, by the filter's reference model. */
function keysFor(version: string, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) if (weightedVersion(VERSIONS, WEIGHTS, `user-${i}`) === version) keys.push(`user-${i}`);
  return keys;
}

describe.runIf(TOOLS)("the chart's alerts and dashboard on a real Prometheus", () => {
  let objects: Awaited<ReturnType<typeof renderChart>>;
  let stack: { stop(): Promise<void> } | undefined;
  let prometheus: Prometheus | undefined;
  let client: VersionClient | undefined;
  // What the harness sent, by version and reason; the canary half goes to v1 and half to v2,
  // far from the configured 80/20, and 8 % of requests name a version that does not exist.
  const sent: Record<string, number> = { "v3;explicit": 30, "v1;invalid": 20, "v1;canary": 100, "v2;canary": 100 };

  beforeAll(async () => {
    objects = await renderChart(VALUES);
    const plugin = objects.find((o) => o.kind === "WasmPlugin");
    const envoy = await startVersionEnvoy({ versions: VERSIONS, pluginConfig: plugin?.spec?.pluginConfig as object });
    stack = envoy;
    prometheus = await startPrometheus({
      binary: TOOLS!.prometheus,
      targets: [{ job: "gateway", url: `${envoy.envoy.adminUrl}/stats/prometheus` }],
      rules: [ruleGroupsYaml(objects)],
    });
    // Every series the configuration can reach exists before traffic, so rates start from zero.
    await vi.waitFor(async () => expect(await prometheus!.query("version_router_requests_total")).toHaveLength(REACHABLE.length), {
      timeout: 20_000,
      interval: 250,
    });
    client = openClient("grpc", envoy.envoy.url);
    for (let i = 0; i < (sent["v3;explicit"] as number); i++) expect((await client.send(["v3"])).version).toBe("v3");
    for (let i = 0; i < (sent["v1;invalid"] as number); i++) expect((await client.send(["v9"])).version).toBe("v1");
    for (const version of ["v1", "v2"]) {
      for (const key of keysFor(version, sent[`${version};canary`] as number)) {
        expect((await client.send([], { extra: { "x-user-id": key } })).version).toBe(version);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await prometheus?.stop();
    await stack?.stop();
  });

  it("the counters Prometheus stores are the requests sent, by version and reason", async () => {
    await vi.waitFor(
      async () => {
        const stored = await prometheus!.query("version_router_requests_total > 0");
        const byKey = Object.fromEntries(stored.map((s) => [`${s.labels.version};${s.labels.reason}`, s.value]));
        expect(byKey).toEqual(sent);
      },
      { timeout: 15_000, interval: 250 },
    );
  });

  it("every alert expression evaluates; the wrong-version and drift alerts fire, the others do not", async () => {
    await vi.waitFor(
      async () => {
        const alerts = await prometheus!.alerts();
        const names = alerts
          .filter((a) => a.state === "firing")
          .map((a) => `${a.labels.alertname}${a.labels.version ? `/${a.labels.version}` : ""}`);
        expect(names.sort()).toEqual([
          "VersionRouterCanaryWeightDrift/v1",
          "VersionRouterCanaryWeightDrift/v2",
          "VersionRouterWrongVersionRate",
        ]);
      },
      { timeout: 20_000, interval: 500 },
    );
    for (const alert of chartAlerts(objects)) {
      const result = await prometheus!.query(alert.expr);
      if (alert.name === "VersionRouterWrongVersionRate") {
        // 20 of 250 decisions: 8 %.
        expect(result).toHaveLength(1);
        expect(result[0]?.value).toBeCloseTo(20 / 250, 2);
      } else if (alert.name === "VersionRouterCanaryWeightDrift") {
        // Observed 0.5 for each, configured 0.8 and 0.2: off by 0.3.
        expect(result).toHaveLength(1);
        expect(result[0]?.value).toBeCloseTo(0.3, 2);
      } else {
        expect(result, `${alert.name}: ${alert.expr}`).toEqual([]);
      }
    }
    // Prometheus loaded every rule the chart renders, and holds each in the state above: the
    // missing-header alert and each version's error-ratio alert inactive.
    const loaded = await prometheus!.alertingRules();
    expect(loaded.map((r) => r.name).sort()).toEqual(
      chartAlerts(objects)
        .map((a) => a.name)
        .sort(),
    );
    const stateOf = (name: string) => [...new Set(loaded.filter((r) => r.name === name).map((r) => r.state))];
    expect(stateOf("VersionRouterMissingHeaderDefault")).toEqual(["inactive"]);
    expect(stateOf("VersionRouterCanaryErrorRatio")).toEqual(["inactive"]);
    // Its quiet proves little here: it reads Istio's istio_requests_total, which only Istio's
    // istio.stats filter writes and this plain Envoy has none of. promtool test rules, with
    // synthetic series, is its proof (test/manifests/alert-rules.test.ts).
    expect(await prometheus!.query("istio_requests_total")).toEqual([]);
  });

  it("every dashboard query evaluates, with the series and labels its panel shows", async () => {
    const queries = dashboardQueries(objects, WINDOW);
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const { title, refId, expr } of queries) {
      const result = await prometheus!.query(expr);
      const labels = result.map((s) => Object.keys(s.labels).sort().join(",")).sort();
      const what = `${title} (${refId}): ${expr}`;
      if (ISTIO_METRIC.test(expr)) {
        // Evaluates, and has no series on an Envoy without Istio's istio.stats filter.
        expect(result, what).toEqual([]);
      } else if (expr.includes("by (version, reason)")) {
        expect(result.map((s) => `${s.labels.version};${s.labels.reason}`).sort(), what).toEqual([...REACHABLE].sort());
      } else if (/by \(version\)|label_replace/.test(expr)) {
        // Observed: the weighted versions' canary series (v3, at weight 0, has none); configured: the weights.
        const expected = expr.includes("label_replace") ? { v1: 0.8, v2: 0.2 } : { v1: 0.5, v2: 0.5 };
        expect(labels, what).toEqual(Object.keys(expected).map(() => "version"));
        const shares = Object.fromEntries(result.map((s) => [s.labels.version, s.value]));
        for (const [version, share] of Object.entries(expected)) expect(shares[version], what).toBeCloseTo(share, 2);
      } else {
        // A share of all decisions, or a threshold line: one series without labels.
        expect(labels, what).toEqual([""]);
      }
    }
  });
});
