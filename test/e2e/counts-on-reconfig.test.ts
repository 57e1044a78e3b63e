// No count lost when Envoy replaces the filter's root: the filter counts in module memory and
// hands the counts to Envoy on a 1 s tick, and every ECDS update (a canary shift, a rollback)
// starts a new root and deletes the old one. Requests, then an update before the next tick,
// on two workers: Envoy's counters must add up to exactly the requests sent.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { E2E, withEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2"];
const config = (v2: number) => ({ versions: VERSIONS, canary: { weights: { v1: 100 - v2, v2 } } });

describe.runIf(E2E)("counts across a reconfiguration", () => {
  const { envoy, client } = withEnvoy({ versions: VERSIONS, pluginDelivery: "ecds", pluginConfig: config(10), workers: 2 });

  const counted = async () => {
    const stats = await envoy().stats("^wasmcustom\\..*version_router_requests_total$");
    return [...stats.values()].reduce((a, b) => a + b, 0);
  };

  it("every request is counted though the root that counted it was replaced before its tick", async () => {
    // Each round's requests go over fresh connections, spread over both workers.
    let sent = 0;
    for (let round = 0; round < 5; round++) {
      const clients = [client("http2"), client("http2"), client("grpc"), client("grpc")];
      for (let i = 0; i < 10; i++) for (const c of clients) expect((await c.send(["v2"])).status).toMatch(/^(200|OK)$/);
      sent += 10 * clients.length;
      // At once, well within the tick: the root that counted them is deleted.
      expect(await envoy().updatePluginConfig(config(10 + round))).toBe(true);
      await Promise.all(clients.map((c) => c.close()));
    }
    await sleep(1_500);
    await vi.waitFor(async () => expect(await counted()).toBe(sent), { timeout: 5_000, interval: 200 });
  });
});
