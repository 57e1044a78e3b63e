// The Helm chart: one list of versions drives every object; every object is valid for
// Kubernetes and for Istio 1.29.2's CRD schemas (what @kubernetes-models/istio ships; the Istio
// suites apply every release to an API server with Istio 1.31's own CRDs) and passes Istio's own
// analyzers (istioctl analyze); bad values
// fail `helm template` with a message that says why.
import { describe, expect, it } from "vitest";
import { analyzeManifests } from "../../harness/istio/analyze.js";
import { CHART_DIR, helm, type K8sObject, renderChart, renderChartText, renderError } from "../../harness/manifests/helm.js";
import { validateObject } from "../../harness/manifests/validate-objects.js";
import { CHART_VALUE_SETS, v } from "../support/chart-value-sets.js";
import { oldChartVirtualService } from "../support/old-chart.js";
import { pluginName } from "../support/release-names.js";
import { expectSelectorsSelectTheirPods } from "../support/selectors.js";
import { helmSuitesEnabled, istioctlSuiteBinary } from "../support/suite-gates.js";

const ISTIOCTL = istioctlSuiteBinary();

const HELM = await helmSuitesEnabled();

const of = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
// biome-ignore lint/suspicious/noExplicitAny: rendered specs are checked field by field; their full types would add nothing here.
const spec = (o: K8sObject | undefined) => o!.spec as any;

describe.runIf(HELM)("the chart", () => {
  it("passes helm lint --strict", async () => {
    const out = await helm(["lint", "--strict", CHART_DIR]);
    expect(out).toContain("0 chart(s) failed");
  });

  describe.each(CHART_VALUE_SETS)("$name", ({ values, versions, defaultVersion }) => {
    it("renders every object from the one list of versions", async () => {
      const objects = await renderChart(values);
      const deployments = of(objects, "Deployment");
      expect(deployments.map((d) => d.metadata.name)).toEqual(versions.map((name) => `grpcsvc-${name}`));
      expect(deployments.map((d) => d.metadata.labels)).toEqual(
        versions.map((version) => expect.objectContaining({ app: "grpcsvc", version })),
      );
      expect(of(objects, "Service").map((s) => s.metadata.name)).toEqual(["grpcsvc"]);

      const subsets = spec(of(objects, "DestinationRule")[0]).subsets;
      expect(subsets).toEqual(versions.map((name) => ({ name, labels: { version: name } })));
      expectSelectorsSelectTheirPods(objects, "grpcsvc", versions);

      // One VirtualService bound to mesh (the Service's host: Istio refuses "*" there), one
      // bound to the Gateway (its hosts), with the same routes.
      const gatewayOn = (values.gateway as { enabled?: boolean } | undefined)?.enabled !== false;
      const services = of(objects, "VirtualService");
      expect(services.map((s) => s.metadata.name)).toEqual(gatewayOn ? ["grpcsvc", "grpcsvc-gateway"] : ["grpcsvc"]);
      expect(spec(services[0])).toMatchObject({ hosts: ["grpcsvc.shop.svc.cluster.local"], gateways: ["mesh"] });
      if (gatewayOn) expect(spec(services[1])).toMatchObject({ hosts: ["*"], gateways: ["grpcsvc-gateway"] });
      for (const service of services) {
        const routes = spec(service).http;
        expect(routes.map((r: { name: string }) => r.name)).toEqual([...versions, "default"]);
        versions.forEach((name, i) => {
          expect(routes[i].match).toEqual([{ headers: { grpcsvc: { exact: name } } }]);
          expect(routes[i].route).toEqual([{ destination: { host: "grpcsvc.shop.svc.cluster.local", subset: name } }]);
        });
        expect(routes.at(-1).match).toBeUndefined();
        expect(routes.at(-1).route[0].destination.subset).toBe(defaultVersion);
      }

      // The WasmPlugin lives with the gateway pods, whatever namespace the chart is in.
      const [wasmPlugin] = of(objects, "WasmPlugin");
      expect(wasmPlugin!.metadata).toMatchObject({ name: pluginName("shop", "grpcsvc"), namespace: "istio-system" });
      const plugin = spec(wasmPlugin);
      expect(plugin.pluginConfig).toEqual({
        service: "shop/grpcsvc",
        header: "grpcsvc",
        versions,
        default: defaultVersion,
        scope: (values.wasm as { scope?: string } | undefined)?.scope ?? "all",
        // gateway.hosts "*" (the default) claims every host; with the gateway off only the mesh host is routed.
        ...(gatewayOn ? {} : { hosts: ["grpcsvc.shop.svc.cluster.local"] }),
      });
      expect(plugin.selector).toEqual({ matchLabels: { istio: "ingressgateway" } });
    });

    it.runIf(ISTIOCTL)("passes istioctl analyze --use-kube=false with no error and no warning", async () => {
      const messages = await analyzeManifests(ISTIOCTL!, await renderChartText(values));
      expect(messages.filter((m) => m.level !== "Info")).toEqual([]);
    });

    it("renders only objects valid for Kubernetes and for Istio 1.29.2's CRD schemas", async () => {
      const objects = await renderChart(values);
      expect(objects.length).toBeGreaterThanOrEqual(versions.length + 4);
      for (const object of objects) validateObject(object);
    });
  });

  it("leaves nothing that refers to a removed version", async () => {
    const text = JSON.stringify(await renderChart({ versions: [v("v1"), v("v3"), v("v4")] }));
    expect(text).not.toMatch(/\bv2\b/);
    const withV2 = JSON.stringify(await renderChart({ versions: [v("v1"), v("v2"), v("v3"), v("v4")] }));
    expect(withV2.match(/\bv2\b/g)!.length).toBeGreaterThanOrEqual(8);
  });

  it.runIf(ISTIOCTL)("istioctl analyze's verdict is only taken on input it read: a document it cannot parse is an error", async () => {
    // istioctl skips such a document, says so on stderr, and exits 0 with no findings.
    await expect(analyzeManifests(ISTIOCTL!, "apiVersion: v1\nkind: Service\n metadata: {name: a\n  : : x\n")).rejects.toThrow(
      /could not read its input: .*failed converting YAML to JSON/s,
    );
  });

  it.runIf(ISTIOCTL)(
    "istioctl analyze does report what the chart used to render: host * on a VirtualService bound to mesh (IST0106)",
    async () => {
      const old = oldChartVirtualService("shop");
      const messages = await analyzeManifests(ISTIOCTL!, JSON.stringify(old));
      expect(messages.map((m) => [m.code, m.level])).toContainEqual(["IST0106", "Error"]);
      expect(messages.find((m) => m.code === "IST0106")!.message).toContain(
        "wildcard host * is not allowed for virtual services bound to the mesh gateway",
      );
    },
  );

  it("renders no mesh VirtualService with meshRouting off, and the Gateway's bind address when set", async () => {
    const objects = await renderChart({ meshRouting: false, gateway: { bind: "127.0.0.1" } });
    expect(of(objects, "VirtualService").map((o) => o.metadata.name)).toEqual(["grpcsvc-gateway"]);
    expect(spec(of(objects, "Gateway")[0]).servers[0].bind).toBe("127.0.0.1");
    expect(spec(of(await renderChart({}), "Gateway")[0]).servers[0].bind).toBeUndefined();
  });

  it("puts the WasmPlugin in ingressNamespace, and renders none with wasm.enabled false", async () => {
    expect(of(await renderChart({ ingressNamespace: "gateways" }), "WasmPlugin")[0]!.metadata).toMatchObject({ namespace: "gateways" });
    expect(of(await renderChart({ wasm: { url: "oci://r/x:1", enabled: false } }), "WasmPlugin")).toEqual([]);
  });

  it("pins the module by wasm.sha256 and names the pull secret, and refuses a digest the URL contradicts", async () => {
    const digest = "a".repeat(64);
    const plugin = spec(of(await renderChart({ wasm: { url: "oci://r/x:1", sha256: digest, imagePullSecret: "pull" } }), "WasmPlugin")[0]);
    expect(plugin).toMatchObject({ url: "oci://r/x:1", sha256: digest, imagePullSecret: "pull", imagePullPolicy: "IfNotPresent" });
    // Left out when empty: Istio takes "" for a digest to check.
    expect(Object.keys(spec(of(await renderChart({}), "WasmPlugin")[0]))).not.toContain("sha256");
    expect(Object.keys(spec(of(await renderChart({}), "WasmPlugin")[0]))).not.toContain("imagePullSecret");
    const pinned = { url: `oci://r/x@sha256:${"b".repeat(64)}`, sha256: digest };
    expect(await renderError({ wasm: pinned })).toContain(`wasm.sha256: "${digest}" is not the digest wasm.url pins (${"b".repeat(64)})`);
    expect(await renderError({ wasm: { url: "oci://r/x:1", sha256: "sha256:abc" } })).toContain(
      "at '/wasm/sha256': 'sha256:abc' does not match pattern",
    );
  });

  it("restricts a version: the filter's restricted map, its routes requiring a claim, the phase after jwt_authn", async () => {
    const beta = { claim: "groups", includes: "beta" };
    const objects = await renderChart({
      versions: [v("v1"), v("v2"), { ...v("v3"), restrictedTo: [beta, { claim: "roles", exact: "qa" }] }],
      cohorts: [{ match: { claim: "groups", includes: "staff" }, version: "v2" }],
    });
    const plugin = spec(of(objects, "WasmPlugin")[0]);
    expect(plugin.phase).toBe("AUTHZ");
    expect(plugin.pluginConfig.restricted).toEqual({ v3: [beta, { claim: "roles", exact: "qa" }] });
    expect(plugin.pluginConfig.cohorts).toEqual([{ match: { claim: "groups", includes: "staff" }, version: "v2" }]);
    // At the gateway v3's route needs the header and one of the claims; the others only the header.
    type Routes = Array<{ name: string; match?: Array<{ headers: Record<string, { exact: string }> }> }>;
    const routesOf = (name: string) => spec(of(objects, "VirtualService").find((o) => o.metadata.name === name)).http as Routes;
    const gateway = routesOf("grpcsvc-gateway");
    expect(gateway.find((r) => r.name === "v3")!.match).toEqual([
      { headers: { grpcsvc: { exact: "v3" }, "@request.auth.claims[groups]": { exact: "beta" } } },
      { headers: { grpcsvc: { exact: "v3" }, "@request.auth.claims[roles]": { exact: "qa" } } },
    ]);
    expect(gateway.find((r) => r.name === "v2")!.match).toEqual([{ headers: { grpcsvc: { exact: "v2" } } }]);
    // Bound to mesh (no filter, and Istio matches claims only at gateways): v3 has no route at all.
    expect(routesOf("grpcsvc").map((r) => r.name)).toEqual(["v1", "v2", "default"]);
    for (const object of objects) validateObject(object);
  });

  it.runIf(ISTIOCTL)("a restricted version's claim routes pass istioctl analyze with no error and no warning", async () => {
    const values = { versions: [v("v1"), v("v2"), { ...v("v3"), restrictedTo: [{ claim: "groups", includes: "beta" }] }] };
    const messages = await analyzeManifests(ISTIOCTL!, await renderChartText(values));
    expect(messages.filter((m) => m.level !== "Info")).toEqual([]);
  });

  it("refuses a restricted default, and FAIL_OPEN where a route cannot require the identity", async () => {
    const beta = { claim: "groups", includes: "beta" };
    expect(await renderError({ versions: [{ ...v("v1"), restrictedTo: [beta] }, v("v2")] })).toContain(
      'versions: "v1" is the defaultVersion, where a request without the identity goes: it cannot have restrictedTo',
    );
    const san = { versions: [v("v1"), { ...v("v2"), restrictedTo: [{ san: "uri", prefix: "spiffe://p/" }] }] };
    expect(await renderError({ ...san, wasm: { url: "oci://r/x:1", failStrategy: "FAIL_OPEN" } })).toContain(
      'versions: "v2" has restrictedTo that its route cannot require (a SAN or trusted header), so with wasm.failStrategy FAIL_OPEN',
    );
    expect(await renderError(san)).toBeUndefined();
    // Claims only: the route requires them, FAIL_OPEN is safe.
    expect(
      await renderError({
        versions: [v("v1"), { ...v("v2"), restrictedTo: [beta] }],
        wasm: { url: "oci://r/x:1", failStrategy: "FAIL_OPEN" },
      }),
    ).toBeUndefined();
    expect(await renderError({ versions: [v("v1"), { ...v("v2"), restrictedTo: [{ claim: "groups", prefix: "b" }] }] })).toContain(
      "restrictedTo/0",
    );
    // The Gateway API's HTTPRoute matches no JWT claim: no route-level defence there.
    const gatewayApi = { routingApi: "gatewayApi", versions: [v("v1"), { ...v("v2"), restrictedTo: [beta] }] };
    expect(await renderError({ ...gatewayApi, wasm: { url: "oci://r/x:1", failStrategy: "FAIL_OPEN" } })).toContain(
      "(an HTTPRoute matches no JWT claim)",
    );
    expect(await renderError(gatewayApi)).toBeUndefined();
  });

  it("passes the extras through unchanged", async () => {
    const objects = await renderChart(CHART_VALUE_SETS[4]!.values);
    expect(of(objects, "Gateway")).toEqual([]);
    expect(of(objects, "VirtualService").map((o) => spec(o).gateways)).toEqual([["mesh"]]);
    expect(spec(of(objects, "DestinationRule")[0]).trafficPolicy.outlierDetection.consecutive5xxErrors).toBe(5);
    for (const route of of(objects, "VirtualService").flatMap((o) => spec(o).http)) {
      expect(route.fault.delay.fixedDelay).toBe("2s");
      expect(route.mirror).toEqual({ host: "grpcsvc.shop.svc.cluster.local", subset: "v2" });
      expect(route.mirrorPercentage).toEqual({ value: 10 });
    }
  });

  it("passes progressive delivery through to the WasmPlugin, validated", async () => {
    const delivery = {
      stickyBy: { header: "x-user-id" },
      cohorts: [
        { match: { cookie: "email", suffix: "@some-company.com" }, weights: { v1: 50, v2: 50 } },
        { match: { header: "x-user", exact: "jason" }, version: "v2" },
      ],
      canary: { weights: { v1: 90, v2: 10 } },
      decisionHeader: "x-version-decision",
    };
    const objects = await renderChart(delivery);
    expect(spec(of(objects, "WasmPlugin")[0]).pluginConfig).toEqual({
      service: "shop/grpcsvc",
      header: "grpcsvc",
      versions: ["v1", "v2", "v3"],
      default: "v1",
      scope: "all",
      ...delivery,
    });
    for (const object of objects) validateObject(object);
  });

  it("names the served version in a response header from each version's route, not the filter", async () => {
    const objects = await renderChart({ responseHeader: "x-version-served" });
    expect(spec(of(objects, "WasmPlugin")[0]).pluginConfig).not.toHaveProperty("responseHeader");
    for (const vs of of(objects, "VirtualService")) {
      const routes = spec(vs).http as Array<{ name: string; route: Array<{ destination: { subset: string } }>; headers?: unknown }>;
      expect(routes.map((r) => r.name)).toEqual(["v1", "v2", "v3", "default"]);
      for (const route of routes) {
        expect(route.headers).toEqual({ response: { set: { "x-version-served": route.route[0]!.destination.subset } } });
      }
    }
    for (const vs of of(await renderChart({}), "VirtualService")) {
      for (const route of spec(vs).http as Array<{ headers?: unknown }>) expect(route.headers).toBeUndefined();
    }
    for (const object of objects) validateObject(object);
  });

  it("a model rejects an object the chart must never render", () => {
    expect(() =>
      validateObject({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "x" },
        spec: { http: [{ route: "v1" }] },
      }),
    ).toThrow(/VirtualService x/);
  });

  it.each([
    { name: "default not listed", values: { defaultVersion: "v9" }, message: 'defaultVersion: "v9" is not one of versions [v1 v2 v3]' },
    { name: "empty list", values: { versions: [] }, message: "/versions" },
    { name: "duplicate names", values: { versions: [v("v1"), v("v2"), v("v1", "9")] }, message: 'versions: "v1" is listed twice' },
    {
      name: "mirror to an unlisted version",
      values: { mirror: { version: "v7" } },
      message: 'mirror.version: "v7" is not one of versions',
    },
    { name: "a version name that is not a DNS label", values: { versions: [v("V1")], defaultVersion: "V1" }, message: "/versions/0/name" },
    { name: "an unknown scope", values: { wasm: { url: "oci://r/x:1", scope: "http" } }, message: "/wasm/scope" },
    { name: "a typo in a key", values: { defualtVersion: "v1" }, message: "defualtVersion" },
    {
      name: "canary weight for an unlisted version",
      values: { canary: { weights: { v1: 90, v9: 10 } } },
      message: 'canary.weights: "v9" is not one of versions',
    },
    {
      name: "canary weights all 0",
      values: { canary: { weights: { v1: 0 } } },
      message: "canary.weights: at least one version needs a weight above 0",
    },
    { name: "a negative weight", values: { canary: { weights: { v1: -1 } } }, message: "/canary/weights/v1" },
    {
      name: "a cohort version not listed",
      values: { cohorts: [{ match: { header: "x-user", exact: "j" }, version: "v8" }] },
      message: 'cohorts[0].version: "v8" is not one of versions',
    },
    {
      name: "a cohort without a match kind",
      values: { cohorts: [{ match: { header: "x-user" }, version: "v1" }] },
      message: "/cohorts/0/match",
    },
    { name: "stickyBy naming both", values: { stickyBy: { header: "a", cookie: "b" } }, message: "/stickyBy" },
  ])("fails helm template on $name", async ({ values, message }) => {
    expect(await renderError(values)).toContain(message);
  });
});
