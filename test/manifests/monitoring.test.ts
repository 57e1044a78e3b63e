// The chart's canary-operations objects: off unless enabled, one switch per object, valid for the
// Prometheus Operator, and built from the values (thresholds, window, selector, versions, weights).
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type K8sObject, renderChart, renderError } from "../../harness/manifests/helm.js";
import { validateObject } from "../../harness/manifests/validate-objects.js";
import { chartAlerts, chartDashboard, dashboardQueries, ruleGroupsYaml } from "../../harness/monitoring/chart-queries.js";
import { filterReasons } from "../support/filter-reasons.js";
import { helmSuitesEnabled } from "../support/suite-gates.js";

const HELM = await helmSuitesEnabled();

const v = (name: string) => ({ name, tag: `${name.slice(1)}.0.0` });
const ALL_ON = { rules: { enabled: true }, podMonitor: { enabled: true }, dashboard: { enabled: true } };
const MONITORING_KINDS = ["PrometheusRule", "PodMonitor", "ConfigMap"];

const monitoringObjects = (objects: K8sObject[]) => objects.filter((o) => MONITORING_KINDS.includes(o.kind));
const kinds = (objects: K8sObject[]) => monitoringObjects(objects).map((o) => o.kind);
const named = (objects: K8sObject[], alert: string) => chartAlerts(objects).filter((a) => a.name === alert);
// Every metric selector in a query: the metric name, its braces if any, and the range.
const METRIC_SELECTOR = /\b(version_router_requests_total|istio_[a-z_]+)(\{[^}]*\})?\[/g;

describe.runIf(HELM)("the chart's monitoring objects", () => {
  it("are all off by default", async () => {
    expect(kinds(await renderChart({}))).toEqual([]);
    expect(kinds(await renderChart({ canary: { weights: { v1: 90, v2: 10 } } }))).toEqual([]);
  });

  it.each([
    { switch: "rules", kind: "PrometheusRule" },
    { switch: "podMonitor", kind: "PodMonitor" },
    { switch: "dashboard", kind: "ConfigMap" },
  ])("monitoring.$switch.enabled renders a $kind and nothing else", async ({ switch: name, kind }) => {
    expect(kinds(await renderChart({ monitoring: { [name]: { enabled: true } } }))).toEqual([kind]);
  });

  it("are valid Prometheus Operator and Kubernetes objects, with a dashboard whose panels all have queries", async () => {
    for (const values of [{ monitoring: ALL_ON }, { monitoring: ALL_ON, canary: { weights: { v1: 90, v2: 10 } } }]) {
      const objects = await renderChart(values);
      expect(kinds(objects)).toEqual(["ConfigMap", "PodMonitor", "PrometheusRule"]);
      for (const object of objects) validateObject(object);
    }
  });

  it("the schema checks reject what the chart must never render", () => {
    const rule = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "r" } };
    const badFor = { ...rule, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "1", for: "ten minutes" }] }] } };
    expect(() => validateObject(badFor)).toThrow(/PrometheusRule r: .*for/);
    const dashboard = (json: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "d" }, data: { "d.json": json } });
    expect(() => validateObject(dashboard("{ not json"))).toThrow(/ConfigMap d: d.json: not JSON/);
    const noTargets = JSON.stringify({ uid: "u", title: "t", panels: [{ id: 1, title: "p", targets: [] }] });
    expect(() => validateObject(dashboard(noTargets))).toThrow(/panel 1 "p" has no targets/);
  });

  it("scrape the ingress gateway pods' Envoy metrics, wherever they are", async () => {
    const objects = await renderChart({
      monitoring: { podMonitor: { enabled: true, interval: "15s" } },
      ingressNamespace: "gateways",
      ingressSelector: { istio: "edge" },
    });
    const [podMonitor] = monitoringObjects(objects);
    expect(podMonitor!.spec).toEqual({
      namespaceSelector: { matchNames: ["gateways"] },
      selector: { matchLabels: { istio: "edge" } },
      podMetricsEndpoints: [{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "15s" }],
    });
  });

  it("carry monitoring.labels, and the dashboard carries the sidecar's label", async () => {
    const objects = monitoringObjects(await renderChart({ monitoring: { ...ALL_ON, labels: { release: "kube-prometheus-stack" } } }));
    for (const object of objects)
      expect(object.metadata.labels).toMatchObject({ release: "kube-prometheus-stack", "app.kubernetes.io/name": "grpcsvc" });
    expect(objects.find((o) => o.kind === "ConfigMap")!.metadata.labels).toMatchObject({ grafana_dashboard: "1" });

    const relabelled = await renderChart({
      monitoring: { dashboard: { enabled: true, label: "grafana.com/dashboard", labelValue: "shop" } },
    });
    const labels = monitoringObjects(relabelled)[0]!.metadata.labels!;
    expect(labels["grafana.com/dashboard"]).toBe("shop");
    expect(labels).not.toHaveProperty("grafana_dashboard");
  });

  it("alert on thresholds, for: durations, severities and the window from the values", async () => {
    const objects = await renderChart({
      monitoring: {
        rateWindow: "2m",
        rules: {
          enabled: true,
          wrongVersion: { threshold: 0.07, for: "3m", severity: "page" },
          missingHeader: { threshold: 0.35, for: "1h", severity: "info" },
          canaryErrorRatio: { threshold: 3.5, errorShareFloor: 0.002, for: "4m", severity: "ticket" },
          canaryWeightDrift: { threshold: 0.08, minDecisionsPerSecond: 2.5, for: "20m", severity: "chat" },
        },
      },
      canary: { weights: { v1: 90, v2: 10 } },
    });
    const summary = chartAlerts(objects).map((a) => ({
      name: a.name,
      for: a.for,
      severity: a.labels.severity,
      threshold: a.expr.match(/> ([\d.]+)\s*(and|$)/)?.[1],
    }));
    expect(summary).toEqual([
      { name: "VersionRouterWrongVersionRate", for: "3m", severity: "page", threshold: "0.07" },
      { name: "VersionRouterMissingHeaderDefault", for: "1h", severity: "info", threshold: "0.35" },
      { name: "VersionRouterCanaryErrorRatio", for: "4m", severity: "ticket", threshold: "3.5" },
      { name: "VersionRouterCanaryErrorRatio", for: "4m", severity: "ticket", threshold: "3.5" },
      { name: "VersionRouterCanaryWeightDrift", for: "20m", severity: "chat", threshold: "0.08" },
      { name: "VersionRouterCanaryWeightDrift", for: "20m", severity: "chat", threshold: "0.08" },
    ]);
    for (const alert of named(objects, "VersionRouterCanaryErrorRatio")) expect(alert.expr).toMatch(/clamp_min\([\s\S]*,\s*0\.002\s*\)/);
    for (const alert of named(objects, "VersionRouterCanaryWeightDrift")) expect(alert.expr).toMatch(/reason="canary"\}\[2m\]\)\) > 2\.5$/);
    for (const alert of chartAlerts(objects)) {
      const windows = [...alert.expr.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]);
      expect(windows.length).toBeGreaterThan(0);
      expect(new Set(windows)).toEqual(new Set(["2m"]));
    }
  });

  it("scope every query, alert and panel, with monitoring.selector", async () => {
    const selector = 'namespace="istio-system", job=~"gateway.*"';
    const objects = await renderChart({ monitoring: { ...ALL_ON, selector }, canary: { weights: { v1: 90, v2: 10 } } });
    const queries = [...chartAlerts(objects).map((a) => a.expr), ...dashboardQueries(objects, "1m").map((q) => q.expr)];
    const selectors = queries.flatMap((q) => [...q.matchAll(METRIC_SELECTOR)]);
    expect(selectors.length).toBeGreaterThan(30);
    for (const [match, , braces] of selectors) expect(braces, match).toContain(selector);
    // Istio's metrics name this release's Service; the filter's counter names it as service.
    for (const [match, metric, braces] of selectors) {
      if (metric!.startsWith("istio_"))
        expect(braces, match).toContain('reporter="source", destination_service_name="grpcsvc", destination_service_namespace="shop"');
      else {
        expect(braces, match).toContain('service="shop/grpcsvc"');
        expect(braces, match).not.toContain("destination_service_name");
      }
    }
  });

  it("name in their queries only reasons the filter counts under", async () => {
    const objects = await renderChart({ monitoring: ALL_ON, canary: { weights: { v1: 90, v2: 10 } } });
    const queries = [...chartAlerts(objects).map((a) => a.expr), ...dashboardQueries(objects, "1m").map((q) => q.expr)];
    const named = new Set(queries.flatMap((q) => [...q.matchAll(/reason="(\w+)"/g)].map((m) => m[1]!)));
    expect([...named].sort()).toEqual(["canary", "default", "invalid"]);
    expect(await filterReasons()).toEqual(expect.arrayContaining([...named]));
  });

  it("compare each version other than the default with the default, for errors", async () => {
    const objects = await renderChart({
      monitoring: { rules: { enabled: true } },
      versions: [v("v1"), v("v2"), v("v3")],
      defaultVersion: "v2",
    });
    const alerts = named(objects, "VersionRouterCanaryErrorRatio");
    expect(alerts.map((a) => a.labels)).toEqual([
      { severity: "critical", version: "v1" },
      { severity: "critical", version: "v3" },
    ]);
    for (const alert of alerts) {
      const [canary, stable] = alert.expr.split("clamp_min(");
      expect(canary).toContain(`destination_version="${alert.labels.version}"`);
      expect(canary).not.toContain('destination_version="v2"');
      expect(stable).toContain('destination_version="v2"');
      expect(stable).not.toContain(`destination_version="${alert.labels.version}"`);
    }
    expect(
      named(await renderChart({ monitoring: { rules: { enabled: true } }, versions: [v("v1")] }), "VersionRouterCanaryErrorRatio"),
    ).toEqual([]);
  });

  it("watch canary weight drift only with canary weights, one alert and one configured series per weighted version", async () => {
    const without = await renderChart({ monitoring: ALL_ON });
    expect(named(without, "VersionRouterCanaryWeightDrift")).toEqual([]);
    expect(chartDashboard(without).panels.map((p) => p.title)).not.toContain("Canary share per version, observed and configured");

    const objects = await renderChart({ monitoring: ALL_ON, canary: { weights: { v1: 1, v2: 1, v3: 1 } } });
    const drift = named(objects, "VersionRouterCanaryWeightDrift");
    expect(drift.map((a) => a.labels.version)).toEqual(["v1", "v2", "v3"]);
    for (const alert of drift) {
      expect(alert.expr).toContain(
        `version_router_requests_total{service="shop/grpcsvc", reason="canary", version="${alert.labels.version}"}`,
      );
      expect(alert.expr).toContain("- 0.3333333333333333");
    }
    const canaryPanel = dashboardQueries(objects, "1m").filter((q) => q.title === "Canary share per version, observed and configured");
    expect(canaryPanel.map((q) => q.legendFormat)).toEqual(["observed {{version}}", "configured {{version}}"]);
    expect(canaryPanel[1]!.expr).toBe(
      ["v1", "v2", "v3"].map((name) => `label_replace(vector(0.3333333333333333), "version", "${name}", "", "")`).join(" or "),
    );
  });

  it("leave nothing that refers to a removed version", async () => {
    const monitoring = { ...ALL_ON, selector: 'namespace="istio-system"' };
    const without = monitoringObjects(
      await renderChart({ monitoring, versions: [v("v1"), v("v3"), v("v4")], canary: { weights: { v1: 90, v3: 10 } } }),
    );
    expect(JSON.stringify(without)).not.toMatch(/\bv2\b/);
    const withV2 = monitoringObjects(
      await renderChart({ monitoring, versions: [v("v1"), v("v2"), v("v3"), v("v4")], canary: { weights: { v1: 80, v2: 10, v3: 10 } } }),
    );
    const mentions = withV2.map((o) => [o.kind, (JSON.stringify(o).match(/\bv2\b/g) ?? []).length > 0]);
    // The PodMonitor is about the gateway, not versions.
    expect(mentions).toEqual([
      ["ConfigMap", true],
      ["PodMonitor", false],
      ["PrometheusRule", true],
    ]);
  });

  it("build a dashboard whose queries Prometheus can take as they are", async () => {
    const objects = await renderChart({ monitoring: { dashboard: { enabled: true } }, canary: { weights: { v1: 90, v2: 10 } } });
    const dashboard = chartDashboard(objects);
    expect(dashboard).toMatchObject({ uid: "vr-shop-grpcsvc", title: "version-router: grpcsvc (shop)" });
    expect(dashboard.panels.map((p) => p.title)).toEqual([
      "Routing decisions per version and reason",
      "Canary share per version, observed and configured",
      "Wrong version header (share of decisions)",
      "No version header, sent to the default (share of decisions)",
      "Error share per version (HTTP 5xx, gRPC server errors)",
      "p99 latency per version",
    ]);
    expect(dashboard.panels.map((p) => p.id)).toEqual([1, 2, 3, 4, 5, 6]);
    const raw = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(raw.filter((expr) => expr.includes("$__rate_interval")).length).toBe(6);
    const queries = dashboardQueries(objects, "90s");
    expect(queries).toHaveLength(7);
    for (const query of queries) expect(query.expr).not.toContain("$");
    expect(queries[0]!.expr).toBe('sum by (version, reason) (rate(version_router_requests_total{service="shop/grpcsvc"}[90s]))');
  });

  it("give the rule groups as a rule file for promtool", async () => {
    const objects = await renderChart({ monitoring: { rules: { enabled: true } } });
    const file = parse(ruleGroupsYaml(objects));
    expect(Object.keys(file)).toEqual(["groups"]);
    expect(file.groups.map((g: { name: string }) => g.name)).toEqual(["version-router.grpcsvc"]);
    expect(file.groups[0].rules.map((r: { alert: string }) => r.alert)).toEqual(chartAlerts(objects).map((a) => a.name));
    const none = await renderChart({});
    expect(() => chartAlerts(none)).toThrow(/no PrometheusRule rendered/);
  });

  it.each([
    {
      name: "a threshold that is not a number",
      values: { rules: { wrongVersion: { threshold: "high" } } },
      message: "/monitoring/rules/wrongVersion/threshold",
    },
    {
      name: "a negative threshold",
      values: { rules: { canaryErrorRatio: { threshold: -1 } } },
      message: "/monitoring/rules/canaryErrorRatio/threshold",
    },
    {
      name: "a share threshold of 1 or more",
      values: { rules: { missingHeader: { threshold: 1.5 } } },
      message: "/monitoring/rules/missingHeader/threshold",
    },
    {
      name: "an error share floor of 0",
      values: { rules: { canaryErrorRatio: { errorShareFloor: 0 } } },
      message: "/monitoring/rules/canaryErrorRatio/errorShareFloor",
    },
    {
      name: "a negative drift sample minimum",
      values: { rules: { canaryWeightDrift: { minDecisionsPerSecond: -1 } } },
      message: "/monitoring/rules/canaryWeightDrift/minDecisionsPerSecond",
    },
    {
      name: "a for: that is no duration",
      values: { rules: { wrongVersion: { for: "10 minutes" } } },
      message: "/monitoring/rules/wrongVersion/for",
    },
    { name: "a zero rate window", values: { rateWindow: "0m" }, message: "/monitoring/rateWindow" },
    { name: "a selector that is no label matcher", values: { selector: "namespace=istio-system" }, message: "/monitoring/selector" },
    { name: "a selector with braces", values: { selector: '{namespace="istio-system"}' }, message: "/monitoring/selector" },
    {
      name: "an alert without its threshold",
      values: { rules: { wrongVersion: { threshold: null } } },
      message: "/monitoring/rules/wrongVersion",
    },
    { name: "a typo in a switch", values: { podMonitr: { enabled: true } }, message: "podMonitr" },
    {
      name: "a dashboard label that is no label key",
      values: { dashboard: { label: "grafana dashboard" } },
      message: "/monitoring/dashboard/label",
    },
  ])("fail helm template on $name", async ({ values, message }) => {
    expect(await renderError({ monitoring: values })).toContain(message);
  });
});
