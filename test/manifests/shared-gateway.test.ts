// Many services on one gateway, as the chart renders them: each release's filter owns the hosts
// its routes bind (and pathPrefixes narrow them), its counters are selected by its service, and
// the shared layout (services) renders every service's objects as its own release would, plus one
// WasmPlugin for them all. Overlapping hosts fail with the values that claim them.
import { describe, expect, it } from "vitest";
import { analyzeManifests } from "../../harness/istio/analyze.js";
import { type K8sObject, renderChart, renderChartText, renderError } from "../../harness/manifests/helm.js";
import { validateObject } from "../../harness/manifests/validate-objects.js";
import { sharedPluginName } from "../support/release-names.js";
import { CART, PAY, SHARED_RELEASES, SHOP, sharedLayoutValues } from "../support/shared-gateway-releases.js";
import { helmSuitesEnabled, istioctlSuiteBinary } from "../support/suite-gates.js";

const ISTIOCTL = istioctlSuiteBinary();

const HELM = await helmSuitesEnabled();

const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
// biome-ignore lint/suspicious/noExplicitAny: rendered specs are checked field by field.
const spec = (o: K8sObject | undefined) => o!.spec as any;
const id = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? "-"}/${o.metadata.name}`;

describe.runIf(HELM)("the chart on a shared gateway", () => {
  describe.each(SHARED_RELEASES)("release $release in $namespace", (r) => {
    it("renders the filter's configuration from the hosts its routes bind, with the service that names its counters", async () => {
      const objects = await renderChart(r.values, r.namespace);
      expect(spec(of(objects, "WasmPlugin")[0]).pluginConfig).toEqual(r.pluginConfig);
      const gatewayRoutes = of(objects, "VirtualService").find((o) => o.metadata.name === `${r.app}-gateway`);
      expect(spec(gatewayRoutes).hosts).toEqual(r.hosts);
      expect(spec(of(objects, "Gateway")[0]).servers[0].hosts).toEqual(r.hosts);
    });
  });

  it("gives the filter the HTTPRoute's hostnames with routingApi gatewayApi, and every host without", async () => {
    const gatewayApi = { routingApi: "gatewayApi", gatewayApi: { gateway: { create: false, name: "public", namespace: "ingress" } } };
    const named = await renderChart({ ...gatewayApi, gatewayApi: { ...gatewayApi.gatewayApi, hostnames: ["a.example.com"] } });
    expect(spec(of(named, "HTTPRoute")[0]).hostnames).toEqual(["a.example.com"]);
    expect(spec(of(named, "WasmPlugin")[0]).pluginConfig.hosts).toEqual(["a.example.com", "grpcsvc.shop.svc.cluster.local"]);
    expect(spec(of(await renderChart(gatewayApi), "WasmPlugin")[0]).pluginConfig).not.toHaveProperty("hosts");
  });

  it("gives the filter hosts in lower case, as hosts match", async () => {
    const objects = await renderChart({ gateway: { hosts: ["A.Example.com"] } });
    expect(spec(of(objects, "WasmPlugin")[0]).pluginConfig.hosts).toEqual(["a.example.com", "grpcsvc.shop.svc.cluster.local"]);
  });

  it("narrows the routes and the filter to pathPrefixes", async () => {
    const prefixes = ["/grpcsvc.Echo/", "/grpcsvc.Admin/"];
    const istio = await renderChart({ ...SHOP.values, pathPrefixes: prefixes });
    expect(spec(of(istio, "WasmPlugin")[0]).pluginConfig.paths).toEqual(prefixes);
    for (const vs of of(istio, "VirtualService")) {
      const routes = spec(vs).http as Array<{ name: string; match?: unknown[] }>;
      for (const route of routes.slice(0, -1)) {
        expect(route.match).toEqual(prefixes.map((prefix) => ({ headers: { grpcsvc: { exact: route.name } }, uri: { prefix } })));
      }
      expect(routes.at(-1)!.match).toEqual(prefixes.map((prefix) => ({ uri: { prefix } })));
    }
    const gatewayApi = await renderChart({ ...SHOP.values, routingApi: "gatewayApi", pathPrefixes: prefixes });
    const rules = spec(of(gatewayApi, "HTTPRoute")[0]).rules as Array<{ matches: unknown[] }>;
    expect(rules[0]!.matches).toEqual(
      prefixes.map((value) => ({ path: { type: "PathPrefix", value }, headers: [{ type: "Exact", name: "grpcsvc", value: "v1" }] })),
    );
    expect(rules.at(-1)!.matches).toEqual(prefixes.map((value) => ({ path: { type: "PathPrefix", value } })));
    for (const object of [...istio, ...gatewayApi]) validateObject(object);
  });

  describe("the shared layout: one release holding the three services", () => {
    it("renders each service's objects in its namespace exactly as a release of that service would", async () => {
      const shared = await renderChart(sharedLayoutValues(), "istio-system");
      for (const r of SHARED_RELEASES) {
        // The WasmPlugin and the admission policy are the release's, one for all its services.
        const own = (await renderChart(r.values, r.namespace)).filter(
          (o) => o.kind !== "WasmPlugin" && !o.kind.startsWith("ValidatingAdmission"),
        );
        // A release of its own leaves the namespace to Helm; the shared release names it.
        const expected = own.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: r.namespace } }));
        const rendered = shared.filter((o) => o.metadata.namespace === r.namespace);
        const byId = (objects: K8sObject[]) => [...objects].sort((a, b) => id(a).localeCompare(id(b)));
        expect(byId(rendered)).toEqual(byId(expected));
      }
      expect(shared.map(id).filter((i) => !SHARED_RELEASES.some((r) => i.includes(` ${r.namespace}/`)))).toEqual([
        "ValidatingAdmissionPolicy -/istio-system-demo-version-router-config",
        "ValidatingAdmissionPolicyBinding -/istio-system-demo-version-router-config",
        `WasmPlugin istio-system/${sharedPluginName("demo")}`,
      ]);
    });

    it("renders one WasmPlugin holding every service's configuration, in the order of their keys", async () => {
      const [plugin, ...more] = of(await renderChart(sharedLayoutValues(), "istio-system"), "WasmPlugin");
      expect(more).toEqual([]);
      expect(plugin!.metadata).toMatchObject({ name: sharedPluginName("demo"), namespace: "istio-system" });
      expect(plugin!.metadata.labels).toMatchObject({ "app.kubernetes.io/name": "version-router" });
      expect(spec(plugin).selector).toEqual({ matchLabels: { istio: "ingressgateway" } });
      expect(spec(plugin).pluginConfig).toEqual({ services: [CART.pluginConfig, PAY.pluginConfig, SHOP.pluginConfig] });
      validateObject(plugin!);
    });

    it("takes each team's entry from a values file of its own, merged by Helm", async () => {
      // Two -f files with one entry each give the same rendering as one file with both.
      const [shop, pay] = [SHOP, PAY].map((r) => sharedLayoutValues([r]));
      const both = sharedLayoutValues([SHOP, PAY]);
      const merged = { services: { ...(shop!.services as object), ...(pay!.services as object) } };
      expect(await renderChartText(merged, "istio-system")).toBe(await renderChartText(both, "istio-system"));
    });

    it.runIf(ISTIOCTL)("passes istioctl analyze --use-kube=false with no error and no warning", async () => {
      const messages = await analyzeManifests(ISTIOCTL!, await renderChartText(sharedLayoutValues(), "istio-system"));
      expect(messages.filter((m) => m.level !== "Info")).toEqual([]);
    });
  });

  it.each([
    {
      name: "two services of one release claiming one host",
      values: sharedLayoutValues([SHOP, { ...PAY, values: { ...PAY.values, gateway: { hosts: ["A.example.com"] } } }]),
      message:
        'services.shop-grpcsvc.gateway.hosts: "a.example.com" is also pay/paysvc\'s, with overlapping paths: in one release each host belongs to one service, or to several with pathPrefixes apart',
    },
    {
      name: "a shared layout on a Gateway API Gateway the chart would create",
      values: { ...sharedLayoutValues(), routingApi: "gatewayApi" },
      message: "gatewayApi.gateway.create: a release of several services (services) attaches their HTTPRoutes to one existing Gateway",
    },
    {
      name: "a value of the gateway's in a service's entry",
      values: { services: { "shop-grpcsvc": { namespace: "shop", wasm: { url: "oci://r/x:1" } } } },
      message: "at '/services/shop-grpcsvc/wasm': additional properties 'url' not allowed",
    },
    {
      name: "an entry without its namespace",
      values: { services: { "shop-grpcsvc": { app: "grpcsvc" } } },
      message: "at '/services/shop-grpcsvc': missing property 'namespace'",
    },
    {
      name: "a service's mistake, named where it is",
      values: { services: { "pay-paysvc": { namespace: "pay", defaultVersion: "v9" } } },
      message: 'services.pay-paysvc.defaultVersion: "v9" is not one of versions [v1 v2 v3]',
    },
    { name: "a host with a port", values: { gateway: { hosts: ["a.example.com:80"] } }, message: "/gateway/hosts/0" },
    { name: "a path prefix without its slash", values: { pathPrefixes: ["grpcsvc.Echo/"] }, message: "/pathPrefixes/0" },
  ])("fails helm template on $name", async ({ values, message }) => {
    expect(await renderError(values)).toContain(message);
  });
});
