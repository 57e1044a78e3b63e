// The chart with routingApi gatewayApi: the same one list of versions routed by the Kubernetes Gateway
// API (a Gateway, an HTTPRoute, one Service per version) instead of Istio's routing objects, with the
// same WasmPlugin targeting that Gateway. Every object is valid for its schema and passes istioctl
// analyze; values only Istio's API can carry fail `helm template` with a message that says so.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { analyzeManifests } from "../../harness/istio/analyze.js";
import { CHART_DIR, helm, type K8sObject, renderChart, renderError } from "../../harness/manifests/helm.js";
import { validateObject } from "../../harness/manifests/validate-objects.js";
import { chartAlerts, dashboardQueries, ruleGroupsYaml } from "../../harness/monitoring/chart-queries.js";
import { testRules } from "../../harness/monitoring/promtool.js";
import { GATEWAY_API, GATEWAY_API_VALUE_SETS, v } from "../support/chart-value-sets.js";
import { pluginName } from "../support/release-names.js";
import { requests, ruleTest } from "../support/rule-test-data.js";
import { expectSelectorsSelectTheirPods } from "../support/selectors.js";
import { helmSuitesEnabled, istioctlSuiteBinary, prometheusSuiteTools } from "../support/suite-gates.js";

const ISTIOCTL = istioctlSuiteBinary();

const HELM = await helmSuitesEnabled();
const PROMETHEUS = prometheusSuiteTools();

const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: K8sObject[], kind: string) => {
  const found = of(objects, kind);
  if (found.length !== 1) throw new Error(`${found.length} ${kind} rendered, not 1`);
  return found[0]!;
};
// biome-ignore lint/suspicious/noExplicitAny: rendered specs are checked field by field; their full types would add nothing here.
const spec = (o: K8sObject) => o.spec as any;
/** Every object as apiVersion kind namespace/name (namespace "-" when the release's, unset). */
const ids = (objects: K8sObject[]) =>
  objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? "-"}/${o.metadata.name}`).sort();
const isIstioRouting = (o: K8sObject) => o.apiVersion.startsWith("networking.istio.io/");
const isGatewayApi = (o: K8sObject) => o.apiVersion.startsWith("gateway.networking.k8s.io/");

/** What istioctl analyze is given: the objects as they are in a cluster, in the release namespace unless they name one. */
function asInstalled(objects: K8sObject[], namespace = "shop"): string {
  return objects.map((o) => stringify({ ...o, metadata: { namespace, ...o.metadata } })).join("---\n");
}

/** An existing shared Gateway, as its owner would have created it: routes from every namespace. */
const existingGateway = (name: string, namespace: string, listener: string): K8sObject => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "Gateway",
  metadata: { name, namespace },
  spec: {
    gatewayClassName: "istio",
    listeners: [{ name: listener, protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } }],
  },
});

describe.runIf(HELM)("the chart with routingApi gatewayApi", () => {
  it("passes helm lint --strict", async () => {
    const out = await helm(["lint", "--strict", CHART_DIR, "--set", "routingApi=gatewayApi"]);
    expect(out).toContain("0 chart(s) failed");
  });

  it("renders, with default values, exactly these objects in each mode", async () => {
    // The release's admission policy and its binding are cluster-scoped, named for the release (demo in shop).
    const ADMISSION_POLICY = ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"].map(
      (kind) => `admissionregistration.k8s.io/v1 ${kind} -/shop-demo-version-router-config`,
    );
    expect(ids(await renderChart({}))).toEqual(
      [
        "v1 Service -/grpcsvc",
        "v1 ServiceAccount -/grpcsvc",
        ...["v1", "v2", "v3"].map((name) => `apps/v1 Deployment -/grpcsvc-${name}`),
        "networking.istio.io/v1 Gateway -/grpcsvc-gateway",
        "networking.istio.io/v1 VirtualService -/grpcsvc",
        "networking.istio.io/v1 VirtualService -/grpcsvc-gateway",
        "networking.istio.io/v1 DestinationRule -/grpcsvc",
        `extensions.istio.io/v1alpha1 WasmPlugin istio-system/${pluginName("shop", "grpcsvc")}`,
        ...ADMISSION_POLICY,
      ].sort(),
    );
    expect(ids(await renderChart(GATEWAY_API))).toEqual(
      [
        "v1 Service -/grpcsvc",
        "v1 ServiceAccount -/grpcsvc",
        ...["v1", "v2", "v3"].flatMap((name) => [`v1 Service -/grpcsvc-${name}`, `apps/v1 Deployment -/grpcsvc-${name}`]),
        "gateway.networking.k8s.io/v1 Gateway -/grpcsvc-gateway",
        "gateway.networking.k8s.io/v1 HTTPRoute -/grpcsvc",
        `extensions.istio.io/v1alpha1 WasmPlugin shop/${pluginName("shop", "grpcsvc")}`,
        ...ADMISSION_POLICY,
      ].sort(),
    );
  });

  it("puts gatewayApi.gateway.annotations on a created Gateway, and nothing when they are empty", async () => {
    const annotations = { "networking.istio.io/service-type": "ClusterIP" };
    const annotated = one(await renderChart({ ...GATEWAY_API, gatewayApi: { gateway: { annotations } } }), "Gateway");
    expect(annotated.metadata).toMatchObject({ annotations });
    expect(one(await renderChart(GATEWAY_API), "Gateway").metadata).not.toHaveProperty("annotations");
  });

  it("leaves the Deployments, the main Service and the filter's configuration as routingApi istio renders them", async () => {
    const values = { responseHeader: "x-version-served", canary: { weights: { v1: 90, v2: 10 } }, decisionHeader: "x-decision" };
    const istio = await renderChart(values);
    const gatewayApi = await renderChart({ ...values, ...GATEWAY_API });
    expect(of(gatewayApi, "Deployment")).toEqual(of(istio, "Deployment"));
    expect(gatewayApi.find((o) => o.kind === "Service" && o.metadata.name === "grpcsvc")).toEqual(one(istio, "Service"));
    // One WasmPlugin template: only where it is and what it attaches to differ.
    const { selector, ...istioPlugin } = spec(one(istio, "WasmPlugin"));
    const { targetRefs, ...gatewayApiPlugin } = spec(one(gatewayApi, "WasmPlugin"));
    expect(selector).toEqual({ matchLabels: { istio: "ingressgateway" } });
    expect(targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "grpcsvc-gateway" }]);
    expect(gatewayApiPlugin).toEqual(istioPlugin);
    expect(one(gatewayApi, "WasmPlugin").metadata.name).toBe(one(istio, "WasmPlugin").metadata.name);
  });

  describe.each(GATEWAY_API_VALUE_SETS)("$name", ({ values, versions, defaultVersion, service, gateway, hostnames, responseHeader }) => {
    const port = { name: service.protocol, port: service.port, targetPort: service.protocol, appProtocol: service.protocol };

    it("renders a Service per version, an HTTPRoute, the Gateway if it is the chart's, and no Istio routing object", async () => {
      const objects = await renderChart(values);
      expect(objects.filter(isIstioRouting)).toEqual([]);
      expect(of(objects, "Service").map((s) => s.metadata.name)).toEqual(["grpcsvc", ...versions.map((name) => `grpcsvc-${name}`)]);
      for (const s of of(objects, "Service")) expect(spec(s).ports).toEqual([port]);
      expect(of(objects, "Service").map((s) => spec(s).selector)).toEqual([
        { app: "grpcsvc" },
        ...versions.map((version) => ({ app: "grpcsvc", version })),
      ]);
      expect(of(objects, "Deployment").map((d) => d.metadata.name)).toEqual(versions.map((name) => `grpcsvc-${name}`));
      expectSelectorsSelectTheirPods(objects, "grpcsvc", versions);

      const gateways = of(objects, "Gateway");
      if (!gateway.created) expect(gateways).toEqual([]);
      else {
        expect(gateways.map((g) => [g.apiVersion, g.metadata.name, g.metadata.namespace])).toEqual([
          ["gateway.networking.k8s.io/v1", gateway.name, undefined],
        ]);
        const listenerPort = (values.gatewayApi as { gateway?: { port?: number } } | undefined)?.gateway?.port ?? 80;
        expect(spec(gateways[0]!)).toEqual({
          gatewayClassName: "istio",
          listeners: [{ name: "http", protocol: "HTTP", port: listenerPort, allowedRoutes: { namespaces: { from: "Same" } } }],
        });
      }
    });

    it("routes each version's header value to its Service, in list order, then everything else to the default", async () => {
      const route = one(await renderChart(values), "HTTPRoute");
      expect(route.metadata).toMatchObject({ name: "grpcsvc" });
      expect(route.metadata.namespace).toBeUndefined();
      const filters = (version: string) =>
        responseHeader
          ? { filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: responseHeader, value: version }] } }] }
          : {};
      const target = (version: string) => ({ backendRefs: [{ name: `grpcsvc-${version}`, port: service.port }], ...filters(version) });
      expect(spec(route)).toEqual({
        parentRefs: [
          { name: gateway.name, namespace: gateway.namespace, ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}) },
        ],
        ...(hostnames ? { hostnames } : {}),
        rules: [
          ...versions.map((version) => ({
            matches: [{ headers: [{ type: "Exact", name: "grpcsvc", value: version }] }],
            ...target(version),
          })),
          { matches: [{ path: { type: "PathPrefix", value: "/" } }], ...target(defaultVersion) },
        ],
      });
    });

    it("puts the WasmPlugin in the Gateway's namespace, targeting the Gateway, with no selector", async () => {
      const plugin = one(await renderChart(values), "WasmPlugin");
      expect(plugin.metadata).toMatchObject({ name: pluginName("shop", "grpcsvc"), namespace: gateway.namespace });
      expect(spec(plugin).targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway.name }]);
      expect(spec(plugin)).not.toHaveProperty("selector");
      // The filter owns the hosts the HTTPRoute binds (and the Service's mesh host); no hostnames: any host.
      expect(spec(plugin).pluginConfig).toEqual({
        service: "shop/grpcsvc",
        ...(hostnames ? { hosts: [...hostnames, "grpcsvc.shop.svc.cluster.local"] } : {}),
        header: "grpcsvc",
        versions,
        default: defaultVersion,
        scope: "all",
      });
    });

    it("renders only objects valid for Kubernetes, the Gateway API and Istio", async () => {
      const objects = await renderChart(values);
      expect(objects.filter(isGatewayApi).length).toBe(gateway.created ? 2 : 1);
      for (const object of objects) validateObject(object);
    });

    it.runIf(ISTIOCTL)("passes istioctl analyze --use-kube=false with no error and no warning", async () => {
      const objects = await renderChart(values);
      // A cluster has the Gateway the route attaches to, whoever created it.
      const cluster = gateway.created ? objects : [...objects, existingGateway(gateway.name, gateway.namespace, gateway.sectionName!)];
      const messages = await analyzeManifests(ISTIOCTL!, asInstalled(cluster));
      expect(messages.filter((m) => m.level !== "Info")).toEqual([]);
    });
  });

  it.runIf(ISTIOCTL)("istioctl analyze does read the WasmPlugin: a selector beside targetRefs is an error (IST0106)", async () => {
    const plugin = one(await renderChart(GATEWAY_API), "WasmPlugin");
    const both = { ...plugin, spec: { ...spec(plugin), selector: { matchLabels: { istio: "ingressgateway" } } } };
    const messages = await analyzeManifests(ISTIOCTL!, asInstalled([both]));
    expect(messages.map((m) => [m.code, m.level, m.message])).toEqual([
      ["IST0106", "Error", "Schema validation error: only one of targetRefs or workloadSelector can be set"],
    ]);
  });

  it("routes up to 15 versions: an HTTPRoute has at most 16 rules", async () => {
    const names = Array.from({ length: 15 }, (_, i) => `v${i + 1}`);
    const objects = await renderChart({ ...GATEWAY_API, versions: names.map((name) => v(name)) });
    expect(spec(one(objects, "HTTPRoute")).rules).toHaveLength(16);
    for (const object of objects) validateObject(object);
    expect(await renderError({ ...GATEWAY_API, versions: [...names, "v16"].map((name) => v(name)) })).toContain(
      "versions: 16 versions, but an HTTPRoute has at most 16 rules",
    );
  });

  it("leaves nothing that refers to a removed version, monitoring included", async () => {
    const monitoring = { rules: { enabled: true }, podMonitor: { enabled: true }, dashboard: { enabled: true } };
    const base = { ...GATEWAY_API, monitoring, responseHeader: "x-version-served" };
    const without = await renderChart({ ...base, versions: [v("v1"), v("v3"), v("v4")], canary: { weights: { v1: 90, v3: 10 } } });
    expect(JSON.stringify(without)).not.toMatch(/\bv2\b/);
    const withV2 = await renderChart({
      ...base,
      versions: [v("v1"), v("v2"), v("v3"), v("v4")],
      canary: { weights: { v1: 80, v2: 10, v3: 10 } },
    });
    const mentioning = withV2.filter((o) => /\bv2\b/.test(JSON.stringify(o))).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(mentioning.sort()).toEqual(
      [
        "Service/grpcsvc-v2",
        "Deployment/grpcsvc-v2",
        "HTTPRoute/grpcsvc",
        `WasmPlugin/${pluginName("shop", "grpcsvc")}`,
        "PrometheusRule/grpcsvc-version-router",
        "ConfigMap/grpcsvc-version-router-dashboard",
      ].sort(),
    );
  });

  it("ignores meshRouting, gateway and ingressSelector, which only routingApi istio uses", async () => {
    const defaults = await renderChart(GATEWAY_API);
    const other = await renderChart({
      ...GATEWAY_API,
      meshRouting: false,
      gateway: { enabled: false, hosts: ["grpcsvc.example.com"], port: 8080, bind: "127.0.0.1" },
      ingressSelector: { istio: "edge" },
      ingressNamespace: "gateways",
    });
    expect(other).toEqual(defaults);
  });

  describe("monitoring", () => {
    const ALL_ON = { rules: { enabled: true }, podMonitor: { enabled: true }, dashboard: { enabled: true } };

    it.each([
      { name: "the chart's Gateway", values: {}, namespace: "shop", gateway: "grpcsvc-gateway" },
      {
        name: "an existing Gateway",
        values: { gateway: { create: false, name: "edge", namespace: "ingress" } },
        namespace: "ingress",
        gateway: "edge",
      },
    ])("scrapes the pods Istio deploys for $name", async ({ values, namespace, gateway }) => {
      const objects = await renderChart({
        ...GATEWAY_API,
        gatewayApi: values,
        monitoring: { podMonitor: { enabled: true, interval: "15s" } },
      });
      expect(spec(one(objects, "PodMonitor"))).toEqual({
        namespaceSelector: { matchNames: [namespace] },
        selector: { matchLabels: { "gateway.networking.k8s.io/gateway-name": gateway } },
        podMetricsEndpoints: [{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "15s" }],
      });
    });

    it("read Istio's metrics of the per-version Services the gateway routes to", async () => {
      const objects = await renderChart({ ...GATEWAY_API, monitoring: ALL_ON, canary: { weights: { v1: 90, v2: 10 } } });
      for (const object of objects) validateObject(object);
      const queries = [...chartAlerts(objects).map((a) => a.expr), ...dashboardQueries(objects, "1m").map((q) => q.expr)];
      const selectors = queries.flatMap((q) => [...q.matchAll(/\bistio_[a-z_]+(\{[^}]*\})\[/g)]);
      expect(selectors.length).toBeGreaterThan(5);
      for (const [match, braces] of selectors) {
        expect(braces, match).toContain(
          'reporter="source", destination_service_name=~"grpcsvc-v1|grpcsvc-v2|grpcsvc-v3", destination_service_namespace="shop"',
        );
      }
    });

    it.runIf(PROMETHEUS)("fire the canary error alert on what the gateway reports for the per-version Services", async () => {
      const objects = await renderChart({ ...GATEWAY_API, monitoring: { rules: { enabled: true } } });
      const alerts = chartAlerts(objects);
      const run = await testRules(PROMETHEUS!.promtool, ruleGroupsYaml(objects), [
        ruleTest(alerts, {
          alert: "VersionRouterCanaryErrorRatio",
          name: "v2 failing 5% against v1's 1% fires",
          series: [
            requests("v1", { code: "200" }, 990, "grpcsvc-v1"),
            requests("v1", { code: "503" }, 10, "grpcsvc-v1"),
            requests("v2", { code: "200" }, 95, "grpcsvc-v2"),
            requests("v2", { code: "503" }, 5, "grpcsvc-v2"),
          ],
          fires: [{ version: "v2", value: 5 }],
        }),
        ruleTest(alerts, {
          alert: "VersionRouterCanaryErrorRatio",
          name: "errors of another Service whose name starts the same do not count",
          series: [
            requests("v1", { code: "200" }, 1000, "grpcsvc-v1"),
            requests("v2", { code: "200" }, 100, "grpcsvc-v2"),
            requests("v2", { code: "503" }, 100, "grpcsvc-v2-admin"),
          ],
          fires: [],
        }),
      ]);
      expect(run.output).toContain("SUCCESS");
      expect(run.code, run.output).toBe(0);
    });
  });

  it.each([
    {
      name: "fault injection",
      values: { fault: { abort: { httpStatus: 503, percentage: { value: 1 } } } },
      value: "fault",
      use: "VirtualService fault injection",
    },
    { name: "mirroring", values: { mirror: { version: "v2", percent: 10 } }, value: "mirror", use: "VirtualService mirroring" },
    {
      name: "a connection pool",
      values: { trafficPolicy: { connectionPool: { http: { http2MaxRequests: 1000 } } } },
      value: "trafficPolicy.connectionPool",
      use: "a DestinationRule traffic policy",
    },
    {
      name: "outlier detection",
      values: { trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } },
      value: "trafficPolicy.outlierDetection",
      use: "a DestinationRule traffic policy",
    },
  ])("fails helm template on $name, which only Istio's API carries", async ({ values, value, use }) => {
    expect(await renderError({ ...GATEWAY_API, ...values })).toContain(
      `${value} is Istio-API only (${use}): it needs routingApi: istio, not gatewayApi`,
    );
    expect(await renderError(values)).toBeUndefined();
  });

  it.each([
    { name: "an unknown routingApi", values: { routingApi: "gateway" }, message: "/routingApi" },
    {
      name: "a created Gateway in another namespace",
      values: { ...GATEWAY_API, gatewayApi: { gateway: { namespace: "ingress" } } },
      message:
        'gatewayApi.gateway.namespace: "ingress" is not the release namespace "shop"; a Gateway the chart creates (gatewayApi.gateway.create) is in the release namespace. To attach to a Gateway in "ingress", set gatewayApi.gateway.create false',
    },
    {
      name: "a listener the created Gateway does not have",
      values: { ...GATEWAY_API, gatewayApi: { gateway: { sectionName: "https" } } },
      message: 'gatewayApi.gateway.sectionName: "https" names no listener of the Gateway the chart creates, whose one listener is http',
    },
    {
      name: "an existing Gateway without a name",
      values: { ...GATEWAY_API, gatewayApi: { gateway: { create: false, namespace: "ingress" } } },
      message: "gatewayApi.gateway.name: name the existing Gateway to attach to (gatewayApi.gateway.create is false)",
    },
    {
      name: "a version Service name over 63 characters",
      values: { ...GATEWAY_API, app: "a".repeat(40), versions: [v(`v${"1".repeat(22)}`)], defaultVersion: `v${"1".repeat(22)}` },
      message: `versions: the Service of version "v${"1".repeat(22)}", ${"a".repeat(40)}-v${"1".repeat(22)}, is longer than a Service name may be (63 characters)`,
    },
    {
      name: "a hostname with a scheme",
      values: { ...GATEWAY_API, gatewayApi: { hostnames: ["http://x.example.com"] } },
      message: "/gatewayApi/hostnames/0",
    },
    {
      name: "a Gateway name that is no DNS label",
      values: { ...GATEWAY_API, gatewayApi: { gateway: { name: "Edge" } } },
      message: "/gatewayApi/gateway/name",
    },
    { name: "a typo in a gatewayApi key", values: { ...GATEWAY_API, gatewayApi: { gateway: { crate: false } } }, message: "crate" },
  ])("fails helm template on $name", async ({ values, message }) => {
    expect(await renderError(values)).toContain(message);
  });

  it("renders a version Service name of exactly 63 characters", async () => {
    const version = `v${"1".repeat(21)}`;
    const objects = await renderChart({ ...GATEWAY_API, app: "a".repeat(40), versions: [v(version)], defaultVersion: version });
    expect(of(objects, "Service").map((s) => s.metadata.name.length)).toEqual([40, 63]);
  });
});
