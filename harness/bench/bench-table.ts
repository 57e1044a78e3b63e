// The shape of the benchmark's results, shared by the runs, the report and the chart: which
// protocols and cases a scenario is, what a round measures, and one entry per scenario.
import type { BenchConfig } from "./bench-configs.js";

export const PROTOCOLS = ["http1", "http2", "grpc"] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** The version header as sent: a listed version, none, an unknown one, and two different ones. */
export const CASES = {
  valid: ["grpcsvc: v2"],
  missing: [],
  invalid: ["grpcsvc: nope"],
  repeated: ["grpcsvc: v2", "grpcsvc: v3"],
} as const;
export type Case = keyof typeof CASES;

/** Every protocol and case, in the order tables and the chart show them. */
export const COLUMNS = PROTOCOLS.flatMap((protocol) => (Object.keys(CASES) as Case[]).map((c) => ({ protocol, case: c })));
export type Column = (typeof COLUMNS)[number];

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / median(xs);
export const round = (x: number, digits: number) => Number(x.toFixed(digits));

export interface Measurement {
  rps: number;
  p50_us: number;
  p99_us: number;
  /** Envoy's CPU time (all threads) during the run, per request. */
  cpu_us_per_request: number;
}

export interface Scenario {
  config: BenchConfig;
  protocol: Protocol;
  case: Case;
  rounds: Measurement[];
}

export interface BenchEntry {
  name: BenchConfig["filter"];
  protocol: Protocol;
  case: Case;
  upstream: BenchConfig["upstream"];
  runtime: BenchConfig["runtime"];
  rps: number;
  p50_us: number;
  p99_us: number;
  cpu_us_per_request: number;
  rps_spread: number;
  cpu_spread: number;
}

export function entry(s: Scenario): BenchEntry {
  const rps = s.rounds.map((r) => r.rps);
  const cpu = s.rounds.map((r) => r.cpu_us_per_request);
  return {
    name: s.config.filter,
    protocol: s.protocol,
    case: s.case,
    upstream: s.config.upstream,
    runtime: s.config.runtime,
    rps: Math.round(median(rps)),
    p50_us: median(s.rounds.map((r) => r.p50_us)),
    p99_us: median(s.rounds.map((r) => r.p99_us)),
    cpu_us_per_request: round(median(cpu), 2),
    rps_spread: round(spread(rps), 3),
    cpu_spread: round(spread(cpu), 3),
  };
}

export const entryKey = (e: BenchEntry) => `${e.name}/${e.runtime}/${e.upstream}`;

/** The entry of configuration `key` (filter/runtime/upstream) in one protocol and case, if measured. */
export function entryAt(entries: readonly BenchEntry[], key: string, at: Column): BenchEntry | undefined {
  return entries.find((e) => entryKey(e) === key && e.protocol === at.protocol && e.case === at.case);
}
