// The chart with routingApi: gatewayApi on Istio's real control plane: the Gateway API CRDs
// from the pinned module, helm install through istiod's webhook, istiod programming the
// Gateway (its own Deployment describes the gateway pod; the harness's Envoy starts as that
// pod), the HTTPRoute's per-version rules and the WasmPlugin attached by targetRefs. The
// behaviour table runs over gRPC, then HTTP/1.1 and HTTP/2, and canary weights shift by
// helm upgrade under traffic.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseAllDocuments } from "yaml";
import { openClient, type Protocol, SERVED_HEADER, type VersionClient } from "../../harness/clients/version-client.js";
import { gatewayApiPod, gatewayWorkloadEntry } from "../../harness/istio/gateway-api.js";
import type { IngressGateway } from "../../harness/istio/ingress-gateway.js";
import type { KubeObject } from "../../harness/istio/kube-client.js";
import { FILTER_WASM } from "../../harness/paths.js";
import { BEHAVIOUR_VERSIONS } from "../support/behaviour-table.js";
import { pluginName } from "../support/release-names.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import {
  expectCanaryShiftUnderTraffic,
  expectPerRequestRouting,
  expectPulledModule,
  itRoutesTheBehaviourTable,
  waitForRoute,
} from "./gateway-checks.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

const NAMESPACE = "shop";
const GATEWAY = "grpcsvc-gateway";
const PLUGIN = pluginName(NAMESPACE, "grpcsvc");

describe.runIf(TOOLS)("the chart with the Kubernetes Gateway API on real Istio", () => {
  const { istio } = withIstio({ gateway: false, gatewayApi: true });
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: BEHAVIOUR_VERSIONS });
  let gateway: IngressGateway | undefined;
  const gw = () => gateway ?? expect.fail("the Gateway API gateway did not start");
  const clients: VersionClient[] = [];
  const client = (protocol: Protocol) => {
    const c = openClient(protocol, GATEWAY_URL);
    clients.push(c);
    return c;
  };
  // The served version's header comes from each HTTPRoute rule's ResponseHeaderModifier. No
  // load balancer here: a ClusterIP Service gives the Gateway its address (status Programmed).
  const values = (extra: Record<string, unknown> = {}) =>
    chartValues({
      routingApi: "gatewayApi",
      gatewayApi: { gateway: { annotations: { "networking.istio.io/service-type": "ClusterIP" } } },
      responseHeader: SERVED_HEADER,
      ...extra,
    });

  /** The filter's configuration the gateway holds over ECDS, parsed. */
  async function pluginConfig(): Promise<Record<string, unknown> | undefined> {
    const ours = (await gw().ecdsFilters()).find((f) => f.name.includes(`${NAMESPACE}.${PLUGIN}`));
    return ours?.configuration ? (JSON.parse(ours.configuration) as Record<string, unknown>) : undefined;
  }

  beforeAll(async () => {
    await chart.deploy(values());
    const pod = await gatewayApiPod(istio().kube, NAMESPACE, GATEWAY);
    await istio().kube.apply(gatewayWorkloadEntry(pod));
    gateway = await istio().startGateway({ identity: pod });
    await gateway.waitForListener(80);
    await waitForRoute("grpc", ["zz"], "v1");
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  });

  it("istiod accepts and programs the Gateway, and accepts the HTTPRoute (their status)", async () => {
    const condition = (object: KubeObject | undefined, type: string) =>
      ((object?.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).find(
        (c) => c.type === type,
      )?.status;
    // The chart's Gateway annotation reached the Service istiod generated for it.
    const service = await istio().kube.get<KubeObject & { spec?: { type?: string } }>("v1", "Service", NAMESPACE, `${GATEWAY}-istio`);
    expect(service?.spec?.type).toBe("ClusterIP");
    await vi.waitFor(
      async () => {
        const gatewayObject = await istio().kube.get("gateway.networking.k8s.io/v1", "Gateway", NAMESPACE, GATEWAY);
        expect(condition(gatewayObject, "Accepted")).toBe("True");
        expect(condition(gatewayObject, "Programmed")).toBe("True");
        const route = await istio().kube.get<
          KubeObject & { status?: { parents?: Array<{ conditions: Array<{ type: string; status: string }> }> } }
        >("gateway.networking.k8s.io/v1", "HTTPRoute", NAMESPACE, "grpcsvc");
        const accepted = route?.status?.parents?.[0]?.conditions.find((c) => c.type === "Accepted")?.status;
        expect(accepted).toBe("True");
      },
      { timeout: 30_000, interval: 250 },
    );
  });

  it("the gateway is the pod istiod's Deployment describes, and the WasmPlugin reaches it by targetRefs", async () => {
    expect(gw().identity.labels["gateway.networking.k8s.io/gateway-name"]).toBe(GATEWAY);
    const plugin = await istio().kube.get<KubeObject & { spec?: { targetRefs?: unknown; selector?: unknown } }>(
      "extensions.istio.io/v1alpha1",
      "WasmPlugin",
      NAMESPACE,
      PLUGIN,
    );
    expect(plugin?.spec?.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY }]);
    expect(plugin?.spec?.selector).toBeUndefined();
    expect(await pluginConfig()).toEqual({
      service: `${NAMESPACE}/grpcsvc`,
      header: "grpcsvc",
      versions: BEHAVIOUR_VERSIONS,
      default: "v1",
      scope: "all",
    });
    const ours = (await gw().ecdsFilters()).find((f) => f.name.includes(PLUGIN));
    await expectPulledModule(ours, FILTER_WASM);
  });

  // Two warnings, none about the chart's objects: IST0107 on the Deployment and on the Service
  // istiod generated, to which Istio itself copies the Gateway's networking.istio.io/service-type
  // annotation.
  it("istioctl analyze of the live cluster: no error or warning on any object the chart installed", async () => {
    const out = await istio().istioctl(["analyze", "--namespace", NAMESPACE, "--output-threshold", "Warning"]);
    const messages = out.split("\n").filter((line) => /^(Error|Warning) /.test(line));
    const manifest = await istio().helm(["get", "manifest", "grpcsvc", "--namespace", NAMESPACE]);
    const installed = parseAllDocuments(manifest)
      .map((doc) => doc.toJSON() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null)
      .map((o) => `(${o.kind} ${o.metadata.namespace ?? NAMESPACE}/${o.metadata.name})`);
    expect(installed).toContain(`(HTTPRoute ${NAMESPACE}/grpcsvc)`);
    expect(messages.filter((m) => installed.some((object) => m.includes(object)))).toEqual([]);
    const found = messages.map((m) => /^(\w+) \[(IST\d+)\] \((\w+) ([^)]+)\)/.exec(m)?.slice(1, 5).join(" ") ?? m).sort();
    expect(found).toEqual([
      `Warning IST0107 Deployment ${NAMESPACE}/${GATEWAY}-istio`,
      `Warning IST0107 Service ${NAMESPACE}/${GATEWAY}-istio`,
    ]);
  });

  describe("gRPC service", () => {
    itRoutesTheBehaviourTable(["grpc"], client, { served: true });

    it("one gRPC channel: each request routed on its own header", async () => {
      await expectPerRequestRouting(gw(), "grpc");
    });
  });

  describe("HTTP service (helm upgrade service.protocol=http)", () => {
    beforeAll(async () => {
      await chart.deploy(values({ service: { port: 8080, protocol: "http" } }));
      await waitForRoute("http1", ["zz"], "v1");
    }, 60_000);

    itRoutesTheBehaviourTable(["http1", "http2"], client, { served: true });

    it("one HTTP/2 connection: each request routed on its own header", async () => {
      await expectPerRequestRouting(gw(), "http2");
    });
  });

  it("helm upgrade shifts the canary 10 -> 50 -> 100 -> 0 under continuous gRPC traffic: no request fails, each goes where its phase sends it", async () => {
    await chart.deploy(values());
    await waitForRoute("grpc", ["zz"], "v1");
    await expectCanaryShiftUnderTraffic(BEHAVIOUR_VERSIONS, async (weights) => {
      await chart.deploy(values({ stickyBy: { header: "x-user-id" }, canary: { weights } }));
      await vi.waitFor(async () => expect((await pluginConfig())?.canary).toEqual({ weights }), { timeout: 30_000, interval: 50 });
    });
  }, 120_000);

  it("the gateway logged no Wasm error", () => {
    expect(gw().errors()).toEqual([]);
  });
});
