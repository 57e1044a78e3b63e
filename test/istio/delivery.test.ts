// Progressive delivery through Istio: the chart's stickyBy, cohorts and canary reach the
// gateway as the WasmPlugin's pluginConfig, its responseHeader as each route's header; canary weights change
// by `helm upgrade` under continuous gRPC traffic; and a pluginConfig the filter rejects
// shows what Istio and Envoy really do with it under FAIL_CLOSE and FAIL_OPEN.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openClient, SERVED_HEADER } from "../../harness/clients/version-client.js";
import type { IngressGateway } from "../../harness/istio/ingress-gateway.js";
import type { KubeObject } from "../../harness/istio/kube-client.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { pluginName } from "../support/release-names.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { CANARY_KEYS, expectCanaryShiftUnderTraffic } from "./gateway-checks.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

const NAMESPACE = "shop";
const VERSIONS = ["v1", "v2", "v3"];
const PLUGIN = {
  apiVersion: "extensions.istio.io/v1alpha1",
  kind: "WasmPlugin",
  namespace: "istio-system",
  name: pluginName(NAMESPACE, "grpcsvc"),
};

/** Our filter's ECDS configuration in the gateway, parsed (undefined until it arrives). */
async function pluginConfigIn(gateway: IngressGateway): Promise<Record<string, unknown> | undefined> {
  const ours = (await gateway.ecdsFilters()).find((f) => f.name.includes(`istio-system.${PLUGIN.name}`));
  return ours?.configuration ? (JSON.parse(ours.configuration) as Record<string, unknown>) : undefined;
}

/** Counts of our filter's ECDS updates the gateway applied and rejected. */
async function ecdsUpdates(gateway: IngressGateway): Promise<{ success: number; rejected: number }> {
  const stats = await gateway.stats(`^extension_config_discovery\\..*${PLUGIN.name}.*\\.update_(success|rejected)$`);
  const sum = (suffix: string) => [...stats].filter(([name]) => name.endsWith(suffix)).reduce((total, [, value]) => total + value, 0);
  return { success: sum(".update_success"), rejected: sum(".update_rejected") };
}

describe.runIf(TOOLS)("progressive delivery through Istio", () => {
  const { istio, gateway, restartGateway } = withIstio();
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: VERSIONS });

  const delivery = (weights: Record<string, number>) => ({
    stickyBy: { header: "x-user-id" },
    cohorts: [{ match: { header: "x-user", exact: "jason" }, version: "v3" }],
    canary: { weights },
  });
  // The served version's header comes from each version's VirtualService route.
  const values = (weights: Record<string, number>) => chartValues({ ...delivery(weights), responseHeader: SERVED_HEADER });

  /** helm upgrade to these weights; resolves when the gateway holds the new configuration. */
  async function upgradeWeights(weights: Record<string, number>): Promise<void> {
    await chart.deploy(values(weights));
    await vi.waitFor(async () => expect((await pluginConfigIn(gateway()))?.canary).toEqual({ weights }), { timeout: 30_000, interval: 50 });
  }

  beforeAll(async () => {
    await chart.deploy(values({ v1: 70, v2: 20, v3: 10 }));
    await gateway().waitForListener(80);
    await vi.waitFor(async () => expect(await pluginConfigIn(gateway())).toBeDefined(), { timeout: 30_000, interval: 100 });
  }, 120_000);

  describe("the chart's progressive delivery values", () => {
    it("reach the gateway as the WasmPlugin's pluginConfig", async () => {
      expect(await pluginConfigIn(gateway())).toEqual({
        service: `${NAMESPACE}/grpcsvc`,
        header: "grpcsvc",
        versions: VERSIONS,
        default: "v1",
        scope: "all",
        ...delivery({ v1: 70, v2: 20, v3: 10 }),
      });
    });

    it("sticky canary: 300 users land where the weights send them, the same version every time", async () => {
      const client = openClient("grpc", GATEWAY_URL);
      try {
        const seen = new Map<string, number>();
        for (const key of CANARY_KEYS.slice(0, 300)) {
          const expected = weightedVersion(VERSIONS, { v1: 70, v2: 20, v3: 10 }, key);
          for (let i = 0; i < 2; i++) {
            const answer = await client.send([], { extra: { "x-user-id": key } });
            expect(answer).toEqual({ status: "OK", version: expected, received: [expected], served: expected });
            seen.set(answer.version!, (seen.get(answer.version!) ?? 0) + 1);
          }
        }
        // Every version answered some: what the upstreams said, not what the model expects.
        expect([...seen.keys()].sort()).toEqual(VERSIONS);
      } finally {
        await client.close();
      }
    });

    it("a cohort: user jason gets v3, before the canary; a valid header still wins", async () => {
      const client = openClient("grpc", GATEWAY_URL);
      try {
        expect(await client.send([], { extra: { "x-user": "jason", "x-user-id": "user-1" } })).toMatchObject({
          version: "v3",
          served: "v3",
        });
        expect(await client.send(["v2"], { extra: { "x-user": "jason" } })).toMatchObject({ version: "v2", served: "v2" });
        expect(await client.send([], { extra: { "x-user": "jasonx", "x-user-id": "user-1" } })).toMatchObject({
          version: weightedVersion(VERSIONS, { v1: 70, v2: 20, v3: 10 }, "user-1"),
        });
      } finally {
        await client.close();
      }
    });
  });

  it("helm upgrade shifts the canary 10 -> 50 -> 100 -> 0 under continuous traffic: no request fails, each goes where its phase sends it", async () => {
    const updatesBefore = await ecdsUpdates(gateway());
    await expectCanaryShiftUnderTraffic(VERSIONS, upgradeWeights);
    // One ECDS update per helm upgrade (the first phase's included).
    expect((await ecdsUpdates(gateway())).success - updatesBefore.success).toBe(4);
  }, 120_000);

  // The chart refuses a default that is not listed; `kubectl edit` of the WasmPlugin does
  // not go through the chart, only through istiod's webhook, which cannot know the filter's
  // rules. What then happens depends on whether the gateway already runs the plugin.
  describe.each(["FAIL_CLOSE", "FAIL_OPEN"] as const)("a pluginConfig the filter rejects, with failStrategy %s", (failStrategy) => {
    let good: KubeObject | undefined;

    beforeAll(async () => {
      await chart.release().upgrade(chartValues({ wasm: { failStrategy } }));
      const envoyPolicy = failStrategy === "FAIL_CLOSE" ? "FAIL_CLOSED" : "FAIL_OPEN";
      await vi.waitFor(
        async () => {
          const ours = (await gateway().ecdsFilters()).find((f) => f.name.includes(PLUGIN.name));
          expect(ours?.failurePolicy).toBe(envoyPolicy);
          expect(JSON.parse(ours!.configuration!)).toEqual({
            service: `${NAMESPACE}/grpcsvc`,
            header: "grpcsvc",
            versions: VERSIONS,
            default: "v1",
            scope: "all",
          });
        },
        { timeout: 30_000, interval: 100 },
      );
      good = await istio().kube.get(PLUGIN.apiVersion, PLUGIN.kind, PLUGIN.namespace, PLUGIN.name);
    }, 60_000);

    afterAll(async () => {
      // Put the chart's WasmPlugin back (helm upgrade alone would not: Helm 3 patches custom
      // resources by comparing release manifests, not the live object).
      if (good) await istio().kube.apply(applicable(good));
    });

    it("the chart's own check refuses it", async () => {
      const refused = await chart
        .release()
        .upgrade(chartValues({ defaultVersion: "v9", wasm: { failStrategy } }))
        .then(
          () => "",
          (err: Error) => err.message,
        );
      expect(refused).toContain('defaultVersion: "v9" is not one of versions [v1 v2 v3]');
    });

    it("edited into the WasmPlugin, istiod accepts and pushes it; the running gateway rejects it and the previous configuration keeps serving", async () => {
      const before = await ecdsUpdates(gateway());
      const bad = applicable(good!);
      (bad.spec as { pluginConfig: { default: string } }).pluginConfig.default = "v9";
      await istio().kube.apply(bad);
      await vi.waitFor(async () => expect((await ecdsUpdates(gateway())).rejected).toBe(before.rejected + 1), {
        timeout: 30_000,
        interval: 100,
      });
      // Envoy's /config_dump shows the configuration that arrived, though it was rejected...
      expect((await pluginConfigIn(gateway()))?.default).toBe("v9");
      // ...while the requests show the previous one still serving.
      const client = openClient("grpc", GATEWAY_URL);
      try {
        expect(await client.send(["v2"])).toMatchObject({ status: "OK", version: "v2", received: ["v2"] });
        expect(await client.send(["zz"])).toMatchObject({ status: "OK", version: "v1", received: ["v1"] });
      } finally {
        await client.close();
      }
      expect(
        gateway()
          .errors()
          .some((l) => l.includes('invalid configuration: default: "v9" is not one of versions [v1, v2, v3]')),
      ).toBe(true);
    });

    it("a gateway that starts while it is in force has no filter configuration: every request fails (gRPC UNKNOWN, HTTP 500), FAIL_OPEN included", async () => {
      const fresh = await restartGateway();
      await fresh.waitForListener(80);
      await vi.waitFor(async () => expect((await ecdsUpdates(fresh)).rejected).toBeGreaterThanOrEqual(1), {
        timeout: 30_000,
        interval: 100,
      });
      expect(await pluginConfigIn(fresh)).toMatchObject({ default: "v9" });
      const client = openClient("grpc", GATEWAY_URL);
      try {
        for (const sent of [["v2"], [], ["zz"]]) expect(await client.send(sent)).toEqual({ status: "UNKNOWN" });
      } finally {
        await client.close();
      }
    });

    it("putting the good WasmPlugin back heals that gateway within seconds", async () => {
      await istio().kube.apply(applicable(good!));
      const client = openClient("grpc", GATEWAY_URL);
      try {
        await vi.waitFor(async () => expect(await client.send(["v2"])).toMatchObject({ status: "OK", version: "v2", received: ["v2"] }), {
          timeout: 30_000,
          interval: 200,
        });
        expect(await client.send(["zz"])).toMatchObject({ status: "OK", version: "v1", received: ["v1"] });
      } finally {
        await client.close();
      }
    });
  });
});

/** A live object without the server's bookkeeping, ready for server-side apply. */
function applicable(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  const { name, namespace, labels } = copy.metadata;
  copy.metadata = { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) };
  delete copy.status;
  return copy;
}
