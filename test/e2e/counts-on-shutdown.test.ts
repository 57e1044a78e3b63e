// No count lost when Envoy stops: the filter counts in module memory and hands the counts to
// Envoy on a 1 s tick, and Envoy deletes every root as it shuts down, after its workers stop
// and before its stats sinks' last flush. Requests, then a shutdown (straight away, or after
// draining the listeners as Istio's agent does) before the next tick, on two workers: what
// Envoy's statsd sink pushed must add up to exactly the requests sent.
import { describe, expect, it, vi } from "vitest";
import { openClient } from "../../harness/clients/version-client.js";
import { startStatsdListener } from "../../harness/envoy/statsd-listener.js";
import { E2E, startVersionEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2"];
const REQUEST_COUNTER = /version_router_requests_total$/;

describe.runIf(E2E)("counts at Envoy's shutdown", () => {
  for (const drain of [false, true]) {
    it(`every request is counted in the sink's last flush, ${drain ? "after a drain" : "on a plain shutdown"}`, async () => {
      const statsd = await startStatsdListener();
      const { envoy, stop } = await startVersionEnvoy({
        versions: VERSIONS,
        workers: 2,
        statsdPort: statsd.port,
        pluginConfig: { service: "shop/grpcsvc", versions: VERSIONS, canary: { weights: { v1: 50, v2: 50 } } },
      });
      try {
        // Fresh connections over both workers, each request answered before the next.
        const clients = [
          openClient("http2", envoy.url),
          openClient("http2", envoy.url),
          openClient("grpc", envoy.url),
          openClient("grpc", envoy.url),
        ];
        for (let i = 0; i < 50; i++) for (const c of clients) expect((await c.send([])).status).toMatch(/^(200|OK)$/);
        await Promise.all(clients.map((c) => c.close()));
        if (drain) expect((await fetch(`${envoy.adminUrl}/drain_listeners?graceful`, { method: "POST" })).status).toBe(200);
        await envoy.stop();
        await vi.waitFor(
          () => {
            const counted = [...statsd.counters()].filter(([name]) => REQUEST_COUNTER.test(name)).reduce((sum, [, n]) => sum + n, 0);
            expect(counted).toBe(200);
          },
          { timeout: 5_000, interval: 100 },
        );
      } finally {
        await stop();
        await statsd.stop();
      }
    });
  }
});
