// The chart's failStrategy through istiod, with a VM that fails at run time: the chart installs
// the test build of the filter (build/trap-test.wasm, which traps on a trigger header), istiod
// translates failStrategy to the gateway's failure_policy, and steady gRPC traffic after the
// trap shows what each does. Unlike plain Envoy's routes, the chart's VirtualService has a
// default route: under FAIL_OPEN a request the filter would have defaulted reaches the default
// version with its header unchanged.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openClient, type VersionClient } from "../../harness/clients/version-client.js";
import { moduleUrl, pushModule } from "../../harness/istio/module-registry.js";
import { TRAP_TEST_WASM } from "../../harness/paths.js";
import { pluginName } from "../support/release-names.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { expectFailedForGood, expectReloaded, type TrapRun, trapUnderTraffic } from "../support/trap-traffic.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();
const NAMESPACE = "vm-failure";
/** What istiod makes of each failStrategy in the gateway's Wasm filter. */
const ENVOY_POLICY = { FAIL_CLOSE: "FAIL_CLOSED", FAIL_OPEN: "FAIL_OPEN", FAIL_RELOAD: "FAIL_RELOAD" } as const;

describe.runIf(TOOLS)("the chart's failStrategy through istiod, with a VM that traps in the middle of traffic", () => {
  const { istio, restartGateway, registry } = withIstio();
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: ["v1", "v2", "v3"] });
  const trapModule = moduleUrl("version-router-trap-test", "test");
  beforeAll(async () => {
    await pushModule(registry(), "version-router-trap-test", "test", TRAP_TEST_WASM);
  });

  describe.each(Object.keys(ENVOY_POLICY) as Array<keyof typeof ENVOY_POLICY>)("failStrategy %s", (failStrategy) => {
    let client: VersionClient | undefined;
    let run: TrapRun | undefined;

    beforeAll(async () => {
      await chart.deploy(chartValues({ wasm: { url: trapModule, failStrategy } }));
      // A gateway of its own: the VM a previous strategy's trap left behind is not this one's.
      const gateway = await restartGateway();
      await gateway.waitForListener(80);
      await vi.waitFor(
        async () => {
          const ours = (await gateway.ecdsFilters()).find((f) => f.name.includes(pluginName(NAMESPACE, "grpcsvc")));
          expect(ours?.failurePolicy ?? "FAIL_CLOSED").toBe(ENVOY_POLICY[failStrategy]);
          expect(ours?.wasmFile).toBeDefined();
        },
        { timeout: 30_000, interval: 100 },
      );
      client = openClient("grpc", GATEWAY_URL);
      await vi.waitFor(async () => expect(await client!.send(["v2"])).toMatchObject({ status: "OK", version: "v2" }), {
        timeout: 30_000,
        interval: 200,
      });
      run = await trapUnderTraffic(client, chart.workloads().upstreams, `through istiod, ${failStrategy}`);
      console.log(run.summary);
    }, 120_000);

    afterAll(async () => {
      await client?.close();
    });

    it("the trapping request fails", () => {
      expect(run!.trapAnswer.status).toBe("UNAVAILABLE");
    });

    if (failStrategy === "FAIL_CLOSE") {
      it("every request after it fails for good (UNAVAILABLE), and none reaches a version", () => expectFailedForGood(run!));
    }

    if (failStrategy === "FAIL_OPEN") {
      it("every request after it bypasses the filter: a valid header routes, an invalid one reaches the default route's version unchanged", () => {
        for (const s of run!.samples) {
          expect(s.answer, JSON.stringify(s)).toMatchObject({ status: "OK", version: s.sent === "v2" ? "v2" : "v1", received: [s.sent] });
        }
      });
    }

    if (failStrategy === "FAIL_RELOAD") {
      it("a new VM routes again within seconds, and every request from then on is routed", () => expectReloaded(run!));
    }
  });
});
