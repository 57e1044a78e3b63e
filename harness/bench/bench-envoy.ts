// The Envoys the benchmark compares, alike but for the filter: one worker, loopback,
// header routes plus a default route answered by Envoy itself (direct_response), so no
// upstream can be the bottleneck.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { RouteSpec } from "../envoy/bootstrap.js";
import { type Envoy, startEnvoy } from "../envoy/start-envoy.js";
import { seedLuaSource } from "../lua/seed-fallback.js";
import { PROJECT_ROOT } from "../paths.js";
import { DEFAULT_VERSION_HEADER } from "../version-header.js";

export const BENCH_VERSIONS = ["v1", "v2", "v3", "v4"];
export type FilterName = "no-filter" | "lua" | "wasm-noop" | "wasm";
export const FILTERS: readonly FilterName[] = ["no-filter", "lua", "wasm-noop", "wasm"];

/** build/noop.wasm: the ABI layer with a filter that does nothing (assembly/bench-noop.ts). */
export const NOOP_WASM = join(PROJECT_ROOT, "build/noop.wasm");

function routes(): RouteSpec[] {
  return [
    ...BENCH_VERSIONS.map((v) => ({ name: v, header: DEFAULT_VERSION_HEADER, exact: v, directResponse: { status: 200, body: v } })),
    { name: "default", directResponse: { status: 200, body: "default" } },
  ];
}

/** Envoy on core 1, all its threads; h2load runs on core 0, so neither steals the other's core. */
export async function startBenchEnvoy(filter: FilterName): Promise<Envoy> {
  const envoy = await startEnvoy({
    runtime: "process",
    routing: { routes: routes(), clusters: [] },
    filter: filter === "no-filter" ? "none" : filter === "lua" ? "lua" : "wasm",
    ...(filter === "wasm-noop" ? { wasm: NOOP_WASM } : {}),
    lua: seedLuaSource(),
    pluginConfig: { versions: BENCH_VERSIONS, default: "v1" },
  });
  execFileSync("taskset", ["-a", "-cp", "1", String(envoy.pid)], { stdio: "ignore" });
  return envoy;
}
