// Checks the Istio suites run through whatever gateway istiod configured (from an Istio
// Gateway or a Gateway API Gateway): waiting for a route, per-request routing on one
// connection, and canary weights shifted by helm upgrade under continuous traffic.
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it, vi } from "vitest";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";
import type { EcdsFilter, IngressGateway } from "../../harness/istio/ingress-gateway.js";
import { type Sample, startTraffic } from "../../harness/load/steady-traffic.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { rowsFor } from "../support/behaviour-table.js";
import { GATEWAY_URL } from "./istio-fixture.js";

const OK: Record<Protocol, string> = { grpc: "OK", http1: "200", http2: "200" };

/** The module Envoy runs is a file istio-agent pulled into its cache, with exactly these bytes (build/filter.wasm's). */
export async function expectPulledModule(filter: EcdsFilter | undefined, wasm: string): Promise<void> {
  expect(filter?.wasmFile).toMatch(/^\/var\/lib\/istio\/data\/.+\.wasm$/);
  expect(Buffer.compare(await readFile(filter!.wasmFile!), await readFile(wasm))).toBe(0);
}

/**
 * One test per behaviour-table row and protocol, through `client(protocol)`; `served`: the
 * routes also answer with the served-version header.
 */
export function itRoutesTheBehaviourTable(
  protocols: readonly Protocol[],
  client: (protocol: Protocol) => VersionClient,
  options: { served?: boolean } = {},
): void {
  for (const protocol of protocols) {
    for (const row of rowsFor(protocol)) {
      it(`${protocol}: ${row.name}: ${JSON.stringify(row.sent).slice(0, 40)} -> ${row.version}`, async () => {
        expect(await client(protocol).send(row.sent)).toEqual({
          status: OK[protocol],
          version: row.version,
          received: [row.version],
          ...(options.served ? { served: row.version } : {}),
        });
      });
    }
  }
}

/** Waits until the gateway routes `sent` (to `authority`, if given) to `version` (istiod's push has arrived). */
export async function waitForRoute(protocol: Protocol, sent: string[], version: string, authority?: string): Promise<void> {
  const probe = openClient(protocol, GATEWAY_URL, undefined, authority ? { authority } : {});
  try {
    await vi.waitFor(async () => expect(await probe.send(sent)).toMatchObject({ version, received: [version] }), {
      timeout: 30_000,
      interval: 250,
    });
  } finally {
    await probe.close();
  }
}

/** Alternating headers on one connection: every answer follows its own request's header, and one connection was opened. */
export async function expectPerRequestRouting(gateway: IngressGateway, protocol: Protocol): Promise<void> {
  const stat = "listener.0.0.0.0_80.downstream_cx_total";
  const connections = async () => (await gateway.stats(`^${stat.replaceAll(".", "\\.")}$`)).get(stat) ?? 0;
  const c = openClient(protocol, GATEWAY_URL);
  try {
    const before = await connections();
    const sequence = [["v2"], ["v3"], [], ["v1"], ["zz"], ["v3"], ["v2"], []];
    const answers = [];
    for (let round = 0; round < 5; round++) for (const sent of sequence) answers.push((await c.send(sent)).version);
    expect(answers).toEqual(Array.from({ length: 5 }, () => ["v2", "v3", "v1", "v1", "v1", "v3", "v2", "v1"]).flat());
    expect(await connections()).toBe(before + 1);
  } finally {
    await c.close();
  }
}

/** Users whose sticky keys the canary traffic carries (x-user-id). */
export const CANARY_KEYS = Array.from({ length: 2000 }, (_, i) => `user-${i}`);

/**
 * Shifts v2's canary weight 10 -> 50 -> 100 -> 0 with `upgradeWeights` (a helm upgrade that
 * resolves once the gateway holds the weights) under continuous gRPC traffic: no request
 * may fail, and in each phase every request goes where that phase's weights send its key.
 */
export async function expectCanaryShiftUnderTraffic(
  versions: readonly string[],
  upgradeWeights: (weights: Record<string, number>) => Promise<void>,
): Promise<void> {
  const phases = [10, 50, 100, 0].map((v2) => ({ v2, weights: { v1: 100 - v2, v2 }, from: 0, to: 0 }));
  // The first phase starts from a known configuration, as every later one does.
  await upgradeWeights(phases[0]!.weights);
  const traffic = startTraffic(GATEWAY_URL, { protocols: ["grpc"], workersPerProtocol: 4, keys: CANARY_KEYS, keyHeader: "x-user-id" });
  try {
    for (const [i, phase] of phases.entries()) {
      if (i > 0) await upgradeWeights(phase.weights);
      // Envoy's worker takes a new filter configuration a moment after the main thread.
      phase.from = performance.now() + 300;
      await sleep(3_300);
      phase.to = performance.now();
    }
  } finally {
    await traffic.stop();
  }
  const failed = traffic.samples.filter((s) => s.status !== "OK");
  console.log(`helm upgrade under traffic: ${traffic.samples.length} requests, ${failed.length} failed`);
  expect(failed).toEqual([]);
  for (const phase of phases) {
    const inPhase = traffic.samples.filter((s: Sample) => s.start >= phase.from && s.end <= phase.to);
    const wrong = inPhase.filter((s) => s.version !== weightedVersion(versions, phase.weights, s.key));
    const share = (100 * inPhase.filter((s) => s.version === "v2").length) / inPhase.length;
    console.log(`phase v2=${phase.v2}: ${inPhase.length} requests, v2 share ${share.toFixed(1)}%, ${wrong.length} off the model`);
    expect(inPhase.length).toBeGreaterThan(200);
    expect(wrong).toEqual([]);
    expect(Math.abs(share - phase.v2)).toBeLessThanOrEqual(3);
  }
}
