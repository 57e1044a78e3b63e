// Progressive delivery through Istio: the chart's stickyBy, cohorts and canary reach the
// gateway as the WasmPlugin's pluginConfig, its responseHeader as each route's header; canary weights change
// by `helm upgrade` under continuous gRPC traffic; and a pluginConfig the filter rejects is
// refused by the API server (the chart's admission policy), or, without the policy, shows what
// Istio and Envoy really do with it under each failStrategy.
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

  // A pluginConfig the filter refuses, by each way one could reach the WasmPlugin. The chart's
  // own checks guard helm install and upgrade; the chart's admission policy makes the API
  // server refuse every other write (kubectl edit, a GitOps tool, helm past the chart's checks).
  // Without the policy (admissionPolicy.enabled false, a cluster before Kubernetes 1.30) a bad
  // configuration gets in, and what then happens depends on whether the gateway already runs the plugin.
  describe.each(["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"] as const)(
    "a pluginConfig the filter refuses, with failStrategy %s",
    (failStrategy) => {
      const upgrade = (values: Record<string, unknown> = {}, extraArgs?: readonly string[]) =>
        chart.release().upgrade(chartValues({ wasm: { failStrategy }, ...values }), extraArgs);
      const refusal = (p: Promise<unknown>) =>
        p.then(
          () => "",
          (err: Error) => err.message,
        );
      const envoyPolicy = failStrategy === "FAIL_CLOSE" ? "FAIL_CLOSED" : failStrategy;
      /** Resolves when the gateway runs the chart's default configuration under this failStrategy. */
      const defaultConfigInForce = (g: IngressGateway) =>
        vi.waitFor(
          async () => {
            const ours = (await g.ecdsFilters()).find((f) => f.name.includes(PLUGIN.name));
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
      const livePlugin = () => istio().kube.get(PLUGIN.apiVersion, PLUGIN.kind, PLUGIN.namespace, PLUGIN.name);
      async function expectRouting(cases: Array<[string[], string]>): Promise<void> {
        const client = openClient("grpc", GATEWAY_URL);
        try {
          for (const [sent, version] of cases)
            expect(await client.send(sent)).toMatchObject({ status: "OK", version, received: [version] });
        } finally {
          await client.close();
        }
      }

      /** Until the API server enforces the release's policy: it compiles one the upgrade (re)created in the background. */
      const policyInForce = () =>
        vi.waitFor(
          async () => {
            const probe = applicable((await livePlugin())!);
            probe.metadata.name = "policy-probe";
            (probe.spec as { pluginConfig: { default: string } }).pluginConfig.default = "v9";
            expect(await refusal(istio().kube.dryRunCreate(probe))).toMatch(/denied request: default: must be one of versions/);
          },
          { timeout: 30_000, interval: 200 },
        );

      beforeAll(async () => {
        await upgrade();
        await defaultConfigInForce(gateway());
        await policyInForce();
      }, 60_000);

      it("the chart's own check refuses it", async () => {
        expect(await refusal(upgrade({ defaultVersion: "v9" }))).toContain('defaultVersion: "v9" is not one of versions [v1 v2 v3]');
      });

      it("edited into the WasmPlugin, the API server refuses it and names the field; the gateway keeps its configuration", async () => {
        const before = await ecdsUpdates(gateway());
        const bad = applicable((await livePlugin())!);
        (bad.spec as { pluginConfig: { default: string } }).pluginConfig.default = "v9";
        expect(await refusal(istio().kube.apply(bad))).toMatch(
          /ValidatingAdmissionPolicy .* denied request: default: must be one of versions/,
        );
        expect(((await livePlugin())!.spec as { pluginConfig: { default: string } }).pluginConfig.default).toBe("v1");
        await expectRouting([
          [["v2"], "v2"],
          [["zz"], "v1"],
        ]);
        expect(await ecdsUpdates(gateway())).toEqual(before);
      });

      it("helm upgrade past the chart's checks (--skip-schema-validation, a stickyBy header that is no header name) is refused by the API server", async () => {
        const refused = await refusal(upgrade({ stickyBy: { header: "x user" } }, ["--skip-schema-validation"]));
        expect(refused).toMatch(/denied request: stickyBy: must be \{"header": name\} or \{"cookie": name\}/);
        expect(((await livePlugin())!.spec as { pluginConfig: Record<string, unknown> }).pluginConfig.stickyBy).toBeUndefined();
      });

      it("a good upgrade still reaches the gateway, and a gateway that starts afterwards routes by it", async () => {
        await upgrade({ cohorts: [{ match: { header: "x-user", exact: "jason" }, version: "v3" }] });
        await vi.waitFor(async () => expect((await pluginConfigIn(gateway()))?.cohorts).toBeDefined(), { timeout: 30_000, interval: 100 });
        const fresh = await restartGateway();
        await fresh.waitForListener(80);
        const cases: Array<[string[], string]> = [
          [["v2"], "v2"],
          [["zz"], "v1"],
        ];
        await vi.waitFor(() => expectRouting(cases), { timeout: 30_000, interval: 200 });
        const client = openClient("grpc", GATEWAY_URL);
        try {
          expect(await client.send([], { extra: { "x-user": "jason" } })).toMatchObject({ status: "OK", version: "v3", received: ["v3"] });
        } finally {
          await client.close();
        }
      }, 60_000);

      describe("without the admission policy (admissionPolicy.enabled false)", () => {
        let good: KubeObject | undefined;

        beforeAll(async () => {
          await upgrade({ admissionPolicy: { enabled: false } });
          await defaultConfigInForce(gateway());
          good = await livePlugin();
          expect(good?.metadata.labels?.["version-router.io/validated-by"]).toBeUndefined();
        }, 60_000);

        afterAll(async () => {
          // Put the chart's WasmPlugin back (helm upgrade alone would not: Helm 3 patches custom
          // resources by comparing release manifests, not the live object), and the policy.
          if (good) await istio().kube.apply(applicable(good));
          await upgrade();
        }, 60_000);

        it("the edit gets in; the running gateway rejects it and the previous configuration keeps serving", async () => {
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

        it("a gateway that starts while it is in force has no filter configuration: every request fails (gRPC UNKNOWN), whatever the failStrategy", async () => {
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
            await vi.waitFor(
              async () => expect(await client.send(["v2"])).toMatchObject({ status: "OK", version: "v2", received: ["v2"] }),
              {
                timeout: 30_000,
                interval: 200,
              },
            );
            expect(await client.send(["zz"])).toMatchObject({ status: "OK", version: "v1", received: ["v1"] });
          } finally {
            await client.close();
          }
        });
      });
    },
  );
});

/** A live object without the server's bookkeeping, ready for server-side apply. */
function applicable(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  const { name, namespace, labels } = copy.metadata;
  copy.metadata = { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) };
  delete copy.status;
  return copy;
}
