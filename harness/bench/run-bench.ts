// make bench: Envoy with no filter, the seed's Lua filter, Lua doing the same work, the
// do-nothing Wasm floor, version-router and the same behaviour on another SDK, on V8 and
// the other runtimes, answering itself or proxying to real upstreams; then one listener shared
// by 1, 4 and 16 services in each layout (services-bench.ts), and what restricted versions cost
// (identity-bench.ts, build/bench-identity.md). Every configuration is measured in turn in each
// round. Writes build/bench.json, build/bench.md, build/bench.png.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { envoyVersion } from "../envoy/admin.js";
import type { WasmRuntime } from "../envoy/bootstrap.js";
import type { Envoy } from "../envoy/start-envoy.js";
import { wasmRuntimesIn } from "../envoy/wasm-runtimes.js";
import { PROJECT_ROOT } from "../paths.js";
import { BENCH_CONFIGS, configKey } from "./bench-configs.js";
import { benchPath, startBenchEnvoy } from "./bench-envoy.js";
import { writeReport } from "./bench-report.js";
import { CASES, COLUMNS, type Measurement, type Scenario } from "./bench-table.js";
import { cpuNanoseconds } from "./envoy-cpu.js";
import { runH2load } from "./h2load.js";
import { measureIdentity } from "./identity-bench.js";
import { type RealUpstream, startRealUpstream } from "./real-upstream.js";
import {
  measureSpread,
  SERVICES_CASES,
  SERVICES_CONFIGS,
  type ServicesScenario,
  servicesKey,
  startServicesEnvoy,
} from "./services-bench.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
/** A regex on `filter/runtime/upstream` to measure only some configurations while working on one. */
const ONLY = new RegExp(process.env.BENCH_ONLY ?? ".");
const BUILD = join(PROJECT_ROOT, "build");

// gRPC request body: one length-prefixed message, WhoRequest{note: "who"}.
const GRPC_BODY = Buffer.from([0, 0, 0, 0, 5, 0x0a, 3, 0x77, 0x68, 0x6f]);

async function measure(envoy: Envoy, s: Scenario, requests: number, bodyFile: string): Promise<Measurement> {
  const before = await cpuNanoseconds(envoy.pid!);
  const result = await runH2load({
    url: envoy.url,
    path: benchPath(s.protocol),
    protocol: s.protocol,
    headers: CASES[s.case],
    requests,
    bodyFile,
  });
  const cpu = (await cpuNanoseconds(envoy.pid!)) - before;
  const name = `${configKey(s.config)} ${s.protocol} ${s.case}`;
  if (result.failed > 0) throw new Error(`${name}: ${result.failed} of ${requests} requests failed`);
  return { rps: result.rps, p50_us: result.p50_us, p99_us: result.p99_us, cpu_us_per_request: cpu / 1000 / requests };
}

/** The start-up log of an Envoy without a filter, which lists the Wasm runtimes it was built with. */
async function probeLogs(): Promise<string[]> {
  const probe = await startBenchEnvoy({ filter: "no-filter", runtime: "-", upstream: "direct" }, undefined);
  const logs = probe.logs();
  await probe.stop();
  return logs;
}

/** The shared-gateway part: 1, 4 and 16 services in each layout, alternated in each round. Its Envoys join `envoys`. */
async function measureServices(envoys: Map<string, Envoy>, bodyFile: string): Promise<ServicesScenario[]> {
  const wanted = SERVICES_CONFIGS.filter((c) => ONLY.test(servicesKey(c)));
  for (const config of wanted) envoys.set(servicesKey(config), await startServicesEnvoy(config));
  const scenarios: ServicesScenario[] = SERVICES_CASES.flatMap((c) => wanted.map((config) => ({ config, case: c, rounds: [] })));
  const envoyOf = (s: ServicesScenario) => envoys.get(servicesKey(s.config))!;
  for (const s of scenarios) await measureSpread(envoyOf(s), s.config, s.case, Math.ceil(REQUESTS / 10), bodyFile);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const s of scenarios) s.rounds.push(await measureSpread(envoyOf(s), s.config, s.case, REQUESTS, bodyFile));
    console.error(`shared gateway: round ${round}/${ROUNDS} done`);
  }
  return scenarios;
}

async function main(): Promise<void> {
  const wanted = BENCH_CONFIGS.filter((c) => ONLY.test(configKey(c)));
  const bodyFile = join(BUILD, "grpc-who.bin");
  await writeFile(bodyFile, GRPC_BODY);
  const envoys = new Map<string, Envoy>();
  let upstream: RealUpstream | undefined;
  try {
    if (wanted.some((c) => c.upstream === "real")) upstream = await startRealUpstream();
    // Envoys without Wasm first: the start-up log of any Envoy says which Wasm runtimes this
    // build has (a probe Envoy only when every configuration wanted uses Wasm).
    const ordered = [...wanted.filter((c) => c.runtime === "-"), ...wanted.filter((c) => c.runtime !== "-")];
    let runtimes: WasmRuntime[] | undefined;
    const unavailable: string[] = [];
    for (const config of ordered) {
      if (config.runtime !== "-") {
        runtimes ??= wasmRuntimesIn([...envoys.values()][0]?.logs() ?? (await probeLogs()));
        if (!runtimes.includes(config.runtime)) {
          unavailable.push(configKey(config));
          continue;
        }
      }
      envoys.set(configKey(config), await startBenchEnvoy(config, upstream));
    }
    if (unavailable.length > 0) console.error(`not in this Envoy build (runtimes: ${runtimes!.join(", ")}): ${unavailable.join(", ")}`);
    const configs = wanted.filter((c) => envoys.has(configKey(c)));
    // Configurations side by side within each protocol and case, so each round alternates them.
    const scenarios: Scenario[] = [];
    for (const column of COLUMNS) {
      for (const config of configs) scenarios.push({ config, protocol: column.protocol, case: column.case, rounds: [] });
    }
    const envoyOf = (s: Scenario) => envoys.get(configKey(s.config))!;
    for (const s of scenarios) await measure(envoyOf(s), s, Math.ceil(REQUESTS / 10), bodyFile);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of scenarios) s.rounds.push(await measure(envoyOf(s), s, REQUESTS, bodyFile));
      console.error(`round ${round}/${ROUNDS} done`);
    }
    const services = await measureServices(envoys, bodyFile);
    for (const [key, envoy] of envoys) {
      if (envoy.errors().length > 0) throw new Error(`Envoy ${key} logged errors:\n${envoy.errors().join("\n")}`);
    }
    const version = await envoyVersion([...envoys.values()][0]!.adminUrl);
    await writeReport(scenarios, services, { envoy: version, rounds: ROUNDS, requests: REQUESTS, runtimes: runtimes ?? [], unavailable });
  } finally {
    await Promise.all([...envoys.values()].map((e) => e.stop()));
    await upstream?.stop();
  }
  if (ONLY.test("restricted")) await measureIdentity(ROUNDS, REQUESTS);
}

await main();
