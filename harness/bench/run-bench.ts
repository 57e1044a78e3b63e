// make bench: no filter, the seed's Lua filter and version-router on the same Envoy, with
// the same routes and the same load, interleaved over rounds. Writes build/bench.json,
// build/bench.png and prints a table.
import { mkdir, stat, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { envoyVersion } from "../envoy/admin.js";
import type { Envoy } from "../envoy/start-envoy.js";
import { FILTER_WASM, PROJECT_ROOT } from "../paths.js";
import { FILTERS, type FilterName, startBenchEnvoy } from "./bench-envoy.js";
import { renderChartPng } from "./chart.js";
import { type RunResult, runH2load } from "./h2load.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const PROTOCOLS = ["http2", "http1", "grpc"] as const;
const CASES = { valid: ["grpcsvc: v2"], missing: [], invalid: ["grpcsvc: nope"] } as const;
type Case = keyof typeof CASES;
const BUILD = join(PROJECT_ROOT, "build");

interface Scenario {
  name: FilterName;
  protocol: (typeof PROTOCOLS)[number];
  case: Case;
  rounds: RunResult[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / median(xs);

// gRPC request body: one length-prefixed message, WhoRequest{note: "who"}.
const GRPC_BODY = Buffer.from([0, 0, 0, 0, 5, 0x0a, 3, 0x77, 0x68, 0x6f]);

async function main(): Promise<void> {
  await mkdir(BUILD, { recursive: true });
  const bodyFile = join(BUILD, "grpc-who.bin");
  await writeFile(bodyFile, GRPC_BODY);
  const envoys = new Map<FilterName, Envoy>();
  try {
    for (const filter of FILTERS) envoys.set(filter, await startBenchEnvoy(filter));
    const scenarios: Scenario[] = [];
    for (const protocol of PROTOCOLS) {
      for (const c of Object.keys(CASES) as Case[]) {
        for (const name of FILTERS) scenarios.push({ name, protocol, case: c, rounds: [] });
      }
    }
    // Warm every Envoy and connection path once before measuring.
    for (const s of scenarios) {
      await runH2load({ url: envoys.get(s.name)!.url, protocol: s.protocol, headers: CASES[s.case], requests: 2_000, bodyFile });
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of scenarios) {
        const result = await runH2load({
          url: envoys.get(s.name)!.url,
          protocol: s.protocol,
          headers: CASES[s.case],
          requests: REQUESTS,
          bodyFile,
        });
        if (result.failed > 0) throw new Error(`${s.name} ${s.protocol} ${s.case}: ${result.failed} requests failed`);
        s.rounds.push(result);
      }
      console.error(`round ${round}/${ROUNDS} done`);
    }
    const version = await envoyVersion(envoys.get("wasm")!.adminUrl);
    const wasmErrors = envoys.get("wasm")!.errors();
    if (wasmErrors.length > 0) throw new Error(`Envoy logged errors:\n${wasmErrors.join("\n")}`);
    await report(scenarios, version);
  } finally {
    await Promise.all([...envoys.values()].map((e) => e.stop()));
  }
}

async function report(scenarios: Scenario[], envoy: string): Promise<void> {
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`;
  const wasmBytes = (await stat(FILTER_WASM)).size;
  const rows = scenarios.map((s) => ({
    name: s.name,
    protocol: s.protocol,
    case: s.case,
    rps: Math.round(median(s.rounds.map((r) => r.rps))),
    p50_us: median(s.rounds.map((r) => r.p50_us)),
    p99_us: median(s.rounds.map((r) => r.p99_us)),
    rps_spread: Number(spread(s.rounds.map((r) => r.rps)).toFixed(3)),
    p99_spread: Number(spread(s.rounds.map((r) => r.p99_us)).toFixed(3)),
    rounds: s.rounds,
  }));
  const find = (name: FilterName, protocol: string, c: string) =>
    rows.find((r) => r.name === name && r.protocol === protocol && r.case === c)!;
  const goals = rows
    .filter((r) => r.name === "wasm")
    .map((w) => {
      const none = find("no-filter", w.protocol, w.case);
      const lua = find("lua", w.protocol, w.case);
      return {
        protocol: w.protocol,
        case: w.case,
        rps_vs_no_filter: Number((w.rps / none.rps).toFixed(3)),
        rps_vs_lua: Number((w.rps / lua.rps).toFixed(3)),
        p99_vs_no_filter: Number((w.p99_us / none.p99_us).toFixed(3)),
      };
    });
  const goalsMet = {
    "throughput >= 0.95 x no-filter": goals.every((g) => g.rps_vs_no_filter >= 0.95),
    "throughput >= 1.0 x lua": goals.every((g) => g.rps_vs_lua >= 1.0),
    "p99 <= 1.10 x no-filter": goals.every((g) => g.p99_vs_no_filter <= 1.1),
    "filter.wasm <= 24 KiB": wasmBytes <= 24 * 1024,
  };
  const result = {
    envoy,
    machine,
    wasm_bytes: wasmBytes,
    rounds: ROUNDS,
    requests_per_round: REQUESTS,
    scenarios: rows,
    goals,
    goals_met: goalsMet,
  };
  await writeFile(join(BUILD, "bench.json"), `${JSON.stringify(result, null, 2)}\n`);

  const header = ["scenario", "protocol", "case", "req/s", "p50 µs", "p99 µs", "req/s spread"];
  const lines = rows.map((r) => [
    r.name,
    r.protocol,
    r.case,
    String(r.rps),
    String(r.p50_us),
    String(r.p99_us),
    `${(r.rps_spread * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`Envoy ${envoy}, --concurrency 1; ${machine}; filter.wasm ${wasmBytes} bytes`);
  console.log(`median of ${ROUNDS} interleaved rounds of ${REQUESTS} requests; h2load -c/-m fixed per protocol\n`);
  console.log([fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n"));
  console.log("\nwasm against the others (per protocol and case):");
  for (const g of goals) {
    console.log(
      `  ${g.protocol.padEnd(5)} ${g.case.padEnd(7)} throughput ${g.rps_vs_no_filter}x no-filter, ${g.rps_vs_lua}x lua; p99 ${g.p99_vs_no_filter}x no-filter`,
    );
  }
  console.log("\ngoals:");
  for (const [goal, met] of Object.entries(goalsMet)) console.log(`  ${met ? "met    " : "MISSED "} ${goal}`);
  const png = renderChartPng(
    rows.map((r) => ({ label: `${r.protocol} ${r.case} ${r.name}`, filter: r.name, rps: r.rps, p99_us: r.p99_us })),
    `Envoy ${envoy}; ${machine}`,
  );
  await writeFile(join(BUILD, "bench.png"), png);
  console.log(`\nwrote build/bench.json and build/bench.png`);
}

await main();
