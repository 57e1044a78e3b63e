// Live reconfiguration, as Istio delivers a WasmPlugin change (ECDS): under continuous
// HTTP/2 and gRPC traffic the canary goes 10 -> 50 -> 100 -> 0 (rollback), with an invalid
// update in the middle. No request fails, and each phase's share follows its weight.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { Sample } from "../../harness/load/steady-traffic.js";
import { startTraffic } from "../../harness/load/steady-traffic.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { E2E, withEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2"];
const KEYS = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
const PHASE_MS = 3_500;
// Workers take a new configuration a moment after the main thread accepts it.
const SETTLE_MS = 300;

const canary = (v2: number) => ({
  versions: VERSIONS,
  stickyBy: { header: "x-user-id" },
  canary: { weights: { v1: 100 - v2, v2 } },
});

interface Phase {
  /** The v2 weight in force during the phase. */
  v2: number;
  /** What is delivered at its start: a weight, an invalid configuration, or nothing (initial). */
  update?: object;
  accepted?: boolean;
  from: number;
  to: number;
}

describe.runIf(E2E)("live reconfiguration through ECDS under traffic", () => {
  const { envoy } = withEnvoy({ versions: VERSIONS, pluginDelivery: "ecds", pluginConfig: canary(10) });

  it("shifts 10 -> 50 -> 100 -> (invalid, rejected) -> 0 with zero failed requests", async () => {
    const traffic = startTraffic(envoy().url, { protocols: ["http2", "grpc"], workersPerProtocol: 3, keys: KEYS, keyHeader: "x-user-id" });
    const phases: Phase[] = [
      { v2: 10, from: 0, to: 0 },
      { v2: 50, update: canary(50), from: 0, to: 0 },
      { v2: 100, update: canary(100), from: 0, to: 0 },
      { v2: 100, update: { ...canary(0), canary: { weights: { v1: 0, v2: 0 } } }, from: 0, to: 0 },
      { v2: 0, update: canary(0), from: 0, to: 0 },
    ];
    try {
      for (const phase of phases) {
        if (phase.update) phase.accepted = await envoy().updatePluginConfig(phase.update);
        phase.from = performance.now() + SETTLE_MS;
        await sleep(SETTLE_MS + PHASE_MS);
        phase.to = performance.now();
      }
    } finally {
      await traffic.stop();
    }

    expect(phases.map((p) => p.accepted)).toEqual([undefined, true, true, false, true]);

    const failed = traffic.samples.filter((s) => s.status !== "200" && s.status !== "OK");
    console.log(`live reconfiguration: ${traffic.samples.length} requests, ${failed.length} failed`);
    expect(failed).toEqual([]);

    for (const phase of phases) {
      const inPhase = traffic.samples.filter((s: Sample) => s.start >= phase.from && s.end <= phase.to);
      const weights = { v1: 100 - phase.v2, v2: phase.v2 };
      const observed = inPhase.filter((s) => s.version === "v2").length;
      const share = (100 * observed) / inPhase.length;
      console.log(
        `phase v2=${phase.v2}${phase.accepted === false ? " (after a rejected update)" : ""}: ${inPhase.length} requests, v2 share ${share.toFixed(1)}%`,
      );
      expect(inPhase.length).toBeGreaterThan(200);
      // Every request in the window went where the phase's weights send its key, one by one...
      expect(inPhase.filter((s) => s.version !== weightedVersion(VERSIONS, weights, s.key))).toEqual([]);
      // ...and with 2,000 keys that is the weight, give or take the key set's spread.
      expect(Math.abs(share - phase.v2)).toBeLessThanOrEqual(3);
    }

    const unexpected = envoy()
      .errors()
      .filter(
        (line) =>
          !/invalid configuration: canary\.weights|Failed to configure base Wasm plugin|Plugin version-router failed to load|Plugin configured to fail closed failed to load/.test(
            line,
          ),
      );
    expect(unexpected).toEqual([]);
    expect(
      envoy()
        .errors()
        .some((line) => line.includes("invalid configuration: canary.weights: needs a weight above 0")),
    ).toBe(true);
  }, 60_000);
});
