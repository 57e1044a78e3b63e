// The chart's Istio-native extras, run through istiod and the real gateway rather than only
// rendered: VirtualService fault injection (an abort for its share, a delay), mirroring to a
// version, and DestinationRule outlier detection ejecting a failing endpoint. The filter's
// decision is the same under each: every request that gets through reaches the version it chose.
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openClient, type VersionClient } from "../../harness/clients/version-client.js";
import { workloadEntry } from "../../harness/istio/workloads.js";
import { startUpstreams, type Upstreams } from "../../harness/upstreams/start-upstreams.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();
const NAMESPACE = "extras";
const VERSIONS = ["v1", "v2", "v3"];
const HTTP = { service: { port: 8080, protocol: "http" } };
/** What each request names, and where the filter sends it (default v1). */
const MIX: Array<{ sent: string[]; version: string }> = [
  { sent: ["v3"], version: "v3" },
  { sent: [], version: "v1" },
  { sent: ["v9"], version: "v1" },
  { sent: ["v2"], version: "v2" },
];

describe.runIf(TOOLS)("the chart's Istio-native extras through istiod", () => {
  const { istio } = withIstio();
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: VERSIONS });
  let client: VersionClient | undefined;
  const send = (sent: string[]) => client!.send(sent);
  const requests = () => chart.workloads().upstreams.requests;
  /** Deploys these values over an HTTP service and waits until the gateway serves by them. */
  const deploy = async (extra: Record<string, unknown>, ready: () => Promise<void>) => {
    await chart.deploy(chartValues({ ...HTTP, ...extra }));
    await vi.waitFor(ready, { timeout: 30_000, interval: 250 });
  };

  beforeAll(async () => {
    client = openClient("http1", GATEWAY_URL);
  });
  afterAll(async () => {
    await client?.close();
  });

  it("an abort fault answers its share with its status, and every other request reaches the filter's version", async () => {
    // Ready when both are in force: the fault (a 418) and the filter's configuration (a v9
    // rewritten to v1). The VirtualService and the WasmPlugin reach the gateway separately.
    await deploy({ fault: { abort: { httpStatus: 418, percentage: { value: 50 } } } }, async () => {
      const seen = [];
      for (let i = 0; i < 16; i++) seen.push(await send(["v9"]));
      expect(seen.some((a) => a.status === "418")).toBe(true);
      expect(seen.some((a) => a.status === "200" && a.received?.[0] === "v1")).toBe(true);
    });
    const before = requests().length;
    const answers = [];
    for (let i = 0; i < 200; i++) {
      const { sent, version } = MIX[i % MIX.length]!;
      answers.push({ version, answer: await send(sent) });
    }
    const aborted = answers.filter((a) => a.answer.status === "418");
    console.log(`abort fault at 50%: ${aborted.length} of ${answers.length} aborted`);
    expect(aborted.length).toBeGreaterThan(60);
    expect(aborted.length).toBeLessThan(140);
    const through = answers.filter((a) => a.answer.status !== "418");
    expect(
      through.filter((a) => a.answer.status !== "200" || a.answer.version !== a.version || a.answer.received?.[0] !== a.version),
    ).toEqual([]);
    // The aborted ones never reached an upstream.
    expect(requests().length - before).toBe(through.length);
  });

  it("a delay fault adds its latency to every request, which still reaches the filter's version", async () => {
    await deploy({ fault: { delay: { percentage: { value: 100 }, fixedDelay: "400ms" } } }, async () => {
      const start = performance.now();
      await send([]);
      expect(performance.now() - start).toBeGreaterThanOrEqual(390);
    });
    for (const { sent, version } of MIX) {
      const start = performance.now();
      expect(await send(sent)).toMatchObject({ status: "200", version, received: [version] });
      expect(performance.now() - start).toBeGreaterThanOrEqual(390);
    }
  });

  it("a mirror sends its version a copy of each request while the client gets the primary's answer", async () => {
    // Istio's mirror keeps the request's Host (it turns off Envoy's "-shadow" suffix): the copy
    // is told apart by where it went, v2, carrying the version the filter chose for the primary.
    const reached = (before: number) =>
      requests()
        .slice(before)
        .map((r) => `${r.version} got ${r.received.join(",")}`)
        .sort();
    await deploy({ mirror: { version: "v2", percent: 100 } }, async () => {
      const before = requests().length;
      await send(["v3"]);
      expect(reached(before)).toEqual(["v2 got v3", "v3 got v3"]);
    });
    for (const { sent, version } of MIX) {
      const before = requests().length;
      expect(await send(sent)).toMatchObject({ status: "200", version, received: [version] });
      await vi.waitFor(() => expect(reached(before)).toEqual([`${version} got ${version}`, `v2 got ${version}`].sort()));
    }
  });

  describe("outlier detection", () => {
    let failing: Upstreams | undefined;
    const FAILING_ENTRY = "grpcsvc-v2-failing";

    beforeAll(async () => {
      // A second endpoint of v2 that answers every request with 503.
      failing = await startUpstreams(["v2"], { failing: true, hostOf: () => "127.0.0.19" });
      const u = failing.byVersion.get("v2")!;
      await istio().kube.apply({
        ...workloadEntry(NAMESPACE, "grpcsvc", "v2", u.host, { grpc: u.grpcPort, http: u.httpPort }),
        metadata: { name: FAILING_ENTRY, namespace: NAMESPACE, labels: { app: "grpcsvc", version: "v2" } },
      });
    }, 60_000);
    afterAll(async () => {
      await istio()
        .kube.delete("networking.istio.io/v1", "WorkloadEntry", NAMESPACE, FAILING_ENTRY)
        .catch(() => undefined);
      await failing?.stop();
    });

    it("ejects a version's endpoint after its consecutive 5xx, and that version's traffic goes on to the other", async () => {
      const outlierDetection = { consecutive5xxErrors: 2, interval: "1s", baseEjectionTime: "120s", maxEjectionPercent: 100 };
      // Without a mirror or faults, and with the second endpoint known to the gateway (it has taken a request).
      await deploy({ trafficPolicy: { outlierDetection } }, async () => {
        await send(["v2"]);
        expect(failing!.requests.length).toBeGreaterThan(0);
      });
      await vi.waitFor(
        async () => {
          // Ejected: a burst of v2's requests no longer reaches the failing endpoint.
          const before = failing!.requests.length;
          for (let i = 0; i < 10; i++) await send(["v2"]);
          expect(failing!.requests.length).toBe(before);
        },
        { timeout: 20_000, interval: 500 },
      );
      // From then on v2's requests succeed, from its healthy endpoint, and the others are untouched.
      for (let i = 0; i < 40; i++) {
        const { sent, version } = MIX[i % MIX.length]!;
        expect(await send(sent)).toMatchObject({ status: "200", version, received: [version] });
      }
    });
  });
});
