// The chart on Istio's real control plane, with its default values, in both namespace
// layouts: helm install goes through istiod's validating webhook, istiod turns the objects
// into the gateway's configuration (the Wasm filter over ECDS), and the behaviour table
// runs through that gateway over gRPC, then HTTP/1.1 and HTTP/2 (the same chart, upgraded to
// an HTTP service). The VirtualService keeps a default route; a 200 from the right version
// with the right header received is what proves the filter ran.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";
import { KubeError } from "../../harness/istio/kube-client.js";
import { CHART_DIR } from "../../harness/manifests/helm.js";
import { FILTER_WASM } from "../../harness/paths.js";
import { BEHAVIOUR_VERSIONS } from "../support/behaviour-table.js";
import { oldChartVirtualService } from "../support/old-chart.js";
import { filterNameOf, pluginName } from "../support/release-names.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, TEST_VALUES, withChartRelease } from "./chart-fixture.js";
import { expectPerRequestRouting, expectPulledModule, itRoutesTheBehaviourTable, waitForRoute } from "./gateway-checks.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

const LAYOUTS = [
  { name: "chart in an application namespace, gateway in istio-system (the usual layout)", namespace: "shop" },
  { name: "chart in the gateway's own namespace", namespace: "istio-system" },
];

describe.runIf(TOOLS)("the chart on real Istio", () => {
  const { istio, gateway } = withIstio();

  it("istiod's webhook is live: it refuses what the chart used to render (host * on a VirtualService bound to mesh)", async () => {
    const old = oldChartVirtualService("default");
    const denied = await istio()
      .kube.apply(old)
      .then(
        () => undefined,
        (err: KubeError) => err,
      );
    expect(denied).toBeInstanceOf(KubeError);
    expect(denied!.message).toContain("admission webhook");
    expect(denied!.message).toContain("wildcard host * is not allowed for virtual services bound to the mesh gateway");
  });

  it("default values plus only wasm.url pass istiod's webhook (helm install --dry-run=server)", async () => {
    const out = await istio().helm([
      "install",
      "defaults",
      CHART_DIR,
      "--namespace",
      "shop",
      "--create-namespace",
      "--set",
      `wasm.url=${TEST_VALUES.wasm.url}`,
      "--dry-run=server",
    ]);
    expect(out).toContain("kind: WasmPlugin");
    expect(out).toContain("STATUS: pending-install");
  });

  for (const layout of LAYOUTS) {
    describe(layout.name, () => {
      const chart = withChartRelease(istio, { namespace: layout.namespace, versions: BEHAVIOUR_VERSIONS });
      const clients: VersionClient[] = [];
      const client = (protocol: Protocol) => {
        const c = openClient(protocol, GATEWAY_URL);
        clients.push(c);
        return c;
      };

      beforeAll(async () => {
        await chart.deploy(chartValues());
        await gateway().waitForListener(80);
        await waitForRoute("grpc", ["zz"], "v1");
      }, 120_000);

      afterAll(async () => {
        await Promise.allSettled(clients.splice(0).map((c) => c.close()));
      });

      it("the WasmPlugin lands in the gateway's namespace and reaches the gateway over ECDS, with the chart's pluginConfig", async () => {
        const plugins = async (namespace: string) =>
          (await istio().kube.list("extensions.istio.io/v1alpha1", "WasmPlugin", namespace)).map((p) => p.metadata.name);
        // One WasmPlugin, beside the gateway pods; none in the release namespace, where it would reach no gateway.
        expect(await plugins("istio-system")).toEqual([pluginName(layout.namespace, "grpcsvc")]);
        if (layout.namespace !== "istio-system") expect(await plugins(layout.namespace)).toEqual([]);
        const filters = await gateway().ecdsFilters();
        const ours = filters.filter((f) => f.name.includes(filterNameOf("istio-system", pluginName(layout.namespace, "grpcsvc"))));
        expect(ours).toHaveLength(1);
        expect(JSON.parse(ours[0]!.configuration!)).toEqual({
          service: `${layout.namespace}/grpcsvc`,
          header: "grpcsvc",
          versions: BEHAVIOUR_VERSIONS,
          default: "v1",
          scope: "all",
        });
        await expectPulledModule(ours[0], FILTER_WASM);
        // The chart's default failStrategy, FAIL_RELOAD, as istiod hands it to Envoy.
        expect(ours[0]!.failurePolicy).toBe("FAIL_RELOAD");
      });

      describe("gRPC service", () => {
        itRoutesTheBehaviourTable(["grpc"], client);

        it("one gRPC channel: each request routed on its own header", async () => {
          await expectPerRequestRouting(gateway(), "grpc");
        });
      });

      describe("HTTP service (helm upgrade service.protocol=http)", () => {
        beforeAll(async () => {
          await chart.deploy(chartValues({ service: { port: 8080, protocol: "http" } }));
          await waitForRoute("http1", ["zz"], "v1");
        }, 60_000);

        itRoutesTheBehaviourTable(["http1", "http2"], client);

        it("one HTTP/2 connection: each request routed on its own header", async () => {
          await expectPerRequestRouting(gateway(), "http2");
        });
      });

      it("the gateway logged no Wasm error", () => {
        expect(gateway().errors()).toEqual([]);
      });
    });
  }
});
