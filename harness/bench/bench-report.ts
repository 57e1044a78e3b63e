// What `make bench` concludes from its measurements: medians and spread per scenario, the
// goals met or missed, a Markdown table, build/bench.json and the chart.
import { stat, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { FILTER_WASM, PROJECT_ROOT } from "../paths.js";
import type { BenchConfig } from "./bench-configs.js";
import { renderChartPng } from "./chart.js";
import type { Scenario } from "./run-bench.js";

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

export const WASM_BYTES_GOAL = 16 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / median(xs);
const round = (x: number, digits: number) => Number(x.toFixed(digits));

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

function entry(s: Scenario): BenchEntry {
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

interface GoalCheck {
  goal: string;
  protocol: string;
  case: string;
  ratio: number;
  met: boolean;
}

/** Each goal per protocol and case: the ratio it is judged by, and whether it holds. */
function goals(entries: BenchEntry[], wasmBytes: number) {
  const checks: GoalCheck[] = [];
  const compare = (
    e: BenchEntry,
    peerKey: string,
    goal: string,
    ratioOf: (e: BenchEntry, peer: BenchEntry) => number,
    met: (r: number) => boolean,
  ) => {
    const peer = entryAt(entries, peerKey, e);
    if (!peer) return;
    const ratio = round(ratioOf(e, peer), 3);
    checks.push({ goal, protocol: e.protocol, case: e.case, ratio, met: met(ratio) });
  };
  const cpuRatio = (e: BenchEntry, peer: BenchEntry) => e.cpu_us_per_request / peer.cpu_us_per_request;
  for (const e of entries) {
    const key = entryKey(e);
    if (key === "version-router/v8/direct") {
      compare(e, "lua-same-work/-/direct", "CPU per request <= 1.00 x Lua doing the same work", cpuRatio, (r) => r <= 1);
      compare(e, "wasm-noop/v8/direct", "CPU per request against the do-nothing floor (report)", cpuRatio, () => true);
    }
    if (key === "version-router/v8/real") {
      compare(
        e,
        "no-filter/-/real",
        "real upstream: req/s >= 0.95 x no filter",
        (x, peer) => x.rps / peer.rps,
        (r) => r >= 0.95,
      );
    }
  }
  const summary: Record<string, boolean> = {};
  for (const c of checks) summary[c.goal] = (summary[c.goal] ?? true) && c.met;
  summary[`filter.wasm <= ${WASM_BYTES_GOAL} bytes`] = wasmBytes <= WASM_BYTES_GOAL;
  return { checks, summary };
}

/** One Markdown table: a row per configuration, a column per protocol and case. */
function pivot(entries: BenchEntry[], value: (e: BenchEntry) => string): string {
  const keys = [...new Set(entries.map(entryKey))];
  const lines = [
    `| configuration | ${COLUMNS.map((c) => `${c.protocol} ${c.case}`).join(" | ")} |`,
    `|---|${COLUMNS.map(() => "---:").join("|")}|`,
  ];
  for (const key of keys) {
    const cells = COLUMNS.map((column) => {
      const e = entryAt(entries, key, column);
      return e ? value(e) : "";
    });
    lines.push(`| ${key} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

export interface RunFacts {
  envoy: string;
  rounds: number;
  requests: number;
  /** The Wasm runtimes this Envoy build has. */
  runtimes: string[];
  /** Configurations not measured because their runtime is not in this build. */
  unavailable: string[];
}

export async function writeReport(scenarios: Scenario[], run: RunFacts): Promise<void> {
  const build = join(PROJECT_ROOT, "build");
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`;
  const wasmBytes = (await stat(FILTER_WASM)).size;
  const entries = scenarios.map(entry);
  const { checks, summary } = goals(entries, wasmBytes);
  const result = {
    envoy: run.envoy,
    machine,
    wasm_bytes: wasmBytes,
    wasm_runtimes: run.runtimes,
    not_measured: run.unavailable.map((key) => ({ configuration: key, why: "runtime not in this Envoy build" })),
    rounds: run.rounds,
    requests_per_round: run.requests,
    scenarios: entries.map((e, i) => ({ ...e, rounds: scenarios[i]!.rounds })),
    goals: checks,
    goals_met: summary,
  };
  await writeFile(join(build, "bench.json"), `${JSON.stringify(result, null, 2)}\n`);

  const direct = entries.filter((e) => e.upstream === "direct");
  const real = entries.filter((e) => e.upstream === "real");
  const markdown = [
    `Envoy ${run.envoy}, one worker; ${machine}; filter.wasm ${wasmBytes} bytes.`,
    `Medians of ${run.rounds} alternated rounds of ${run.requests} requests (h2load).`,
    `Wasm runtimes in this Envoy build: ${run.runtimes.join(", ")}.` +
      (run.unavailable.length > 0 ? ` Not measured (runtime not in the build): ${run.unavailable.join(", ")}.` : ""),
    "",
    "Envoy CPU µs per request, Envoy answering itself (direct_response):",
    "",
    pivot(direct, (e) => e.cpu_us_per_request.toFixed(2)),
    "",
    "Real upstream servers: requests per second (Envoy CPU µs per request):",
    "",
    pivot(real, (e) => `${e.rps} (${e.cpu_us_per_request.toFixed(2)})`),
    "",
    "p99 latency µs, direct:",
    "",
    pivot(direct, (e) => String(Math.round(e.p99_us))),
    "",
    "Goals:",
    "",
    ...Object.entries(summary).map(([goal, met]) => `- ${met ? "met" : "MISSED"}: ${goal}`),
    "",
    ...checks.map((c) => `  - ${c.goal}: ${c.protocol} ${c.case} ${c.ratio}`),
  ].join("\n");
  await writeFile(join(build, "bench.md"), `${markdown}\n`);
  console.log(markdown);
  const png = renderChartPng(entries, `Envoy ${run.envoy}, one worker; ${machine}`);
  await writeFile(join(build, "bench.png"), png);
  console.log("\nwrote build/bench.json, build/bench.md and build/bench.png");
}
