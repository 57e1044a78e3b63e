// What `make bench` concludes from its measurements: medians and spread per scenario, the
// goals met or missed, a Markdown table, build/bench.json and the chart.
import { stat, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { FILTER_WASM, PROJECT_ROOT } from "../paths.js";
import {
  type BenchEntry,
  type Case,
  COLUMNS,
  entry,
  entryAt,
  entryKey,
  median,
  type Protocol,
  round,
  type Scenario,
  spread,
} from "./bench-table.js";
import { renderChartPng } from "./chart.js";
import { LAYOUTS, type Layout, SERVICE_COUNTS, SERVICES_CASES, SERVICES_PROTOCOL, type ServicesScenario } from "./services-bench.js";

export const WASM_BYTES_GOAL = 16 * 1024;

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

/** A titled table, or nothing when this run measured none of its configurations (BENCH_ONLY). */
function section(entries: BenchEntry[], title: string, value: (e: BenchEntry) => string): string[] {
  return entries.length > 0 ? [title, "", pivot(entries, value), ""] : [];
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

/** The shared-gateway goal: with 16 services, the recommended layout costs at most this much more per request than with 1. */
export const SHARED_GATEWAY_GOAL = 1.15;

export interface ServicesEntry {
  layout: Layout;
  services: number;
  protocol: Protocol;
  case: Case;
  rps: number;
  p99_us: number;
  cpu_us_per_request: number;
  cpu_spread: number;
}

function servicesEntry(s: ServicesScenario): ServicesEntry {
  const cpu = s.rounds.map((r) => r.cpu_us_per_request);
  return {
    layout: s.config.layout,
    services: s.config.services,
    protocol: SERVICES_PROTOCOL,
    case: s.case,
    rps: Math.round(median(s.rounds.map((r) => r.rps))),
    p99_us: median(s.rounds.map((r) => r.p99_us)),
    cpu_us_per_request: round(median(cpu), 2),
    cpu_spread: round(spread(cpu), 3),
  };
}

/** Each layout's CPU per request with 16 services over its own with 1, per case; the goal is the shared layout's. */
function servicesGoals(entries: ServicesEntry[]) {
  const at = (layout: Layout, services: number, c: Case) =>
    entries.find((e) => e.layout === layout && e.services === services && e.case === c);
  const checks = [];
  for (const layout of LAYOUTS) {
    for (const c of SERVICES_CASES) {
      const one = at(layout, 1, c);
      const sixteen = at(layout, 16, c);
      if (!one || !sixteen) continue;
      const ratio = round(sixteen.cpu_us_per_request / one.cpu_us_per_request, 3);
      checks.push({ layout, case: c, ratio, met: layout !== "shared" || ratio <= SHARED_GATEWAY_GOAL });
    }
  }
  return checks;
}

/** A row per layout, a column per case and number of services. */
function servicesTable(entries: ServicesEntry[], value: (e: ServicesEntry) => string): string {
  const columns = SERVICES_CASES.flatMap((c) => SERVICE_COUNTS.map((n) => ({ c, n })));
  const lines = [
    `| layout | ${columns.map(({ c, n }) => `${n} service${n > 1 ? "s" : ""} ${c}`).join(" | ")} |`,
    `|---|${columns.map(() => "---:").join("|")}|`,
  ];
  for (const layout of LAYOUTS) {
    const cells = columns.map(({ c, n }) => {
      const e = entries.find((x) => x.layout === layout && x.services === n && x.case === c);
      return e ? value(e) : "";
    });
    if (cells.some((cell) => cell !== "")) lines.push(`| ${layout} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

export async function writeReport(scenarios: Scenario[], servicesScenarios: ServicesScenario[], run: RunFacts): Promise<void> {
  const build = join(PROJECT_ROOT, "build");
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`;
  const wasmBytes = (await stat(FILTER_WASM)).size;
  const entries = scenarios.map(entry);
  const { checks, summary } = goals(entries, wasmBytes);
  const services = servicesScenarios.map(servicesEntry);
  const servicesChecks = servicesGoals(services);
  if (servicesChecks.some((c) => c.layout === "shared")) {
    summary[`shared gateway: CPU per request with 16 services <= ${SHARED_GATEWAY_GOAL} x with 1 (shared layout)`] = servicesChecks
      .filter((c) => c.layout === "shared")
      .every((c) => c.met);
  }
  const result = {
    envoy: run.envoy,
    machine,
    wasm_bytes: wasmBytes,
    wasm_runtimes: run.runtimes,
    not_measured: run.unavailable.map((key) => ({ configuration: key, why: "runtime not in this Envoy build" })),
    rounds: run.rounds,
    requests_per_round: run.requests,
    scenarios: entries.map((e, i) => ({ ...e, rounds: scenarios[i]!.rounds })),
    shared_gateway: services.map((e, i) => ({ ...e, rounds: servicesScenarios[i]!.rounds })),
    shared_gateway_ratios: servicesChecks,
    goals: checks,
    goals_met: summary,
  };
  await writeFile(join(build, "bench.json"), `${JSON.stringify(result, null, 2)}\n`);

  const direct = entries.filter((e) => e.upstream === "direct");
  const real = entries.filter((e) => e.upstream === "real");
  const markdown = [
    `Envoy ${run.envoy}, one worker; ${machine}; filter.wasm ${wasmBytes} bytes.`,
    `Medians of ${run.rounds} alternated rounds of ${run.requests} requests (h2load).`,
    `Wasm runtimes in this Envoy build: ${run.runtimes.join(", ") || "not probed (no configuration of this run needed it)"}.` +
      (run.unavailable.length > 0 ? ` Not measured (runtime not in the build): ${run.unavailable.join(", ")}.` : ""),
    "",
    ...section(direct, "Envoy CPU µs per request, Envoy answering itself (direct_response):", (e) => e.cpu_us_per_request.toFixed(2)),
    ...section(
      real,
      "Real upstream servers: requests per second (Envoy CPU µs per request):",
      (e) => `${e.rps} (${e.cpu_us_per_request.toFixed(2)})`,
    ),
    ...section(direct, "p99 latency µs, direct:", (e) => String(Math.round(e.p99_us))),
    ...(services.length > 0
      ? [
          `One listener shared by 1, 4 and 16 services (${SERVICES_PROTOCOL}, requests spread evenly over the services and a host none owns), Envoy CPU µs per request:`,
          "",
          servicesTable(services, (e) => e.cpu_us_per_request.toFixed(2)),
          "",
          "CPU per request with 16 services over with 1:",
          "",
          ...servicesChecks.map((c) => `- ${c.layout} ${c.case}: ${c.ratio}`),
          "",
        ]
      : []),
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
