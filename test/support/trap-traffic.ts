// A VM that fails in the middle of traffic: one request with the trigger header traps the test
// build of the filter (build/trap-test.wasm), then steady gRPC traffic shows what each answer
// was and what the upstreams got. Shared by the plain-Envoy and the Istio vm-failure suites.
import { expect } from "vitest";
import type { Answer, VersionClient } from "../../harness/clients/version-client.js";
import { TRAP_TRIGGER_HEADER } from "../../harness/paths.js";
import type { Upstreams } from "../../harness/upstreams/start-upstreams.js";

/** How long traffic runs after the trap, and the pause between requests. */
export const WINDOW_MS = 6_000;
const PAUSE_MS = 20;

export interface Sample {
  /** Milliseconds after the trap. */
  at: number;
  /** A valid version (its header routes it alone) or an invalid one (it needs the filter's default, v1). */
  sent: "v2" | "zz";
  answer: Answer;
}

export interface TrapRun {
  trapAnswer: Answer;
  samples: Sample[];
  /** The upstreams' requests from the trap on. */
  reached: Upstreams["requests"];
  /** One line for the log and the notes. */
  summary: string;
}

/** The filter's decision, as the upstream reports it: v2 kept, zz replaced by the default v1. */
export const routed = (s: Sample): boolean =>
  s.answer.status === "OK" && s.answer.version === (s.sent === "v2" ? "v2" : "v1") && s.answer.received?.join() === s.answer.version;

/** Checks the filter routes, traps it, and samples WINDOW_MS of traffic after. */
export async function trapUnderTraffic(client: VersionClient, upstreams: Upstreams, label: string): Promise<TrapRun> {
  for (const sent of ["v2", "zz"] as const) {
    const sample = { at: 0, sent, answer: await client.send([sent]) };
    if (!routed(sample)) throw new Error(`${label}: not routing before the trap: ${JSON.stringify(sample)}`);
  }
  const before = upstreams.requests.length;
  const trapAnswer = await client.send([], { extra: { [TRAP_TRIGGER_HEADER]: "1" } });
  const trapped = Date.now();
  const samples: Sample[] = [];
  for (let i = 0; Date.now() - trapped < WINDOW_MS; i++) {
    const sent = i % 2 === 0 ? "zz" : "v2";
    samples.push({ at: Date.now() - trapped, sent, answer: await client.send([sent]) });
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
  const reached = upstreams.requests.slice(before);
  const failed = samples.filter((s) => !routed(s));
  const kinds = [...new Set(failed.map((s) => `${s.sent}->${s.answer.status}${s.answer.version ? `:${s.answer.version}` : ""}`))];
  const first = samples.find(routed);
  const summary =
    `${label}: the trapping request answered ${trapAnswer.status}; of ${samples.length} requests in ${WINDOW_MS} ms after it ` +
    `${failed.length} were not routed by the filter (${kinds.join(", ") || "none"}), the first routed at ${first ? `${first.at} ms` : "never"}; ` +
    `the upstreams got ${reached.length}`;
  return { trapAnswer, samples, reached, summary };
}

/** FAIL_CLOSE: every request after the trap failed (UNAVAILABLE), and none reached a version. */
export function expectFailedForGood(run: TrapRun): void {
  expect(new Set(run.samples.map((s) => s.answer.status))).toEqual(new Set(["UNAVAILABLE"]));
  expect(run.reached).toEqual([]);
}

/** FAIL_RELOAD: requests failed (UNAVAILABLE) until a new VM routed, within half the window, and every one from then on. */
export function expectReloaded(run: TrapRun): void {
  const first = run.samples.findIndex(routed);
  expect(first, "routing never came back").toBeGreaterThanOrEqual(0);
  expect(run.samples[first]!.at).toBeLessThan(WINDOW_MS / 2);
  expect(run.samples.slice(first).filter((s) => !routed(s))).toEqual([]);
  expect(new Set(run.samples.slice(0, first).map((s) => s.answer.status))).toEqual(new Set(["UNAVAILABLE"]));
}
