// The Envoys the benchmark compares, alike but for the filter: one worker, loopback,
// header routes plus a default route answered by Envoy itself (direct_response), so no
// upstream can be the bottleneck.
import type { RouteSpec } from "../envoy/bootstrap.js";
import { startEnvoy, type Envoy } from "../envoy/start-envoy.js";
import { SEED_LUA_SOURCE } from "../lua/seed-fallback.js";

export const BENCH_VERSIONS = ["v1", "v2", "v3", "v4"];
export type FilterName = "no-filter" | "lua" | "wasm";
export const FILTERS: readonly FilterName[] = ["no-filter", "lua", "wasm"];

function routes(): RouteSpec[] {
  return [
    ...BENCH_VERSIONS.map((v) => ({ name: v, header: "grpcsvc", exact: v, directResponse: { status: 200, body: v } })),
    { name: "default", directResponse: { status: 200, body: "default" } },
  ];
}

export function startBenchEnvoy(filter: FilterName): Promise<Envoy> {
  return startEnvoy({
    versions: [],
    runtime: "process",
    routing: () => ({ routes: routes(), clusters: [] }),
    filter: filter === "no-filter" ? "none" : filter,
    lua: SEED_LUA_SOURCE,
    pluginConfig: { versions: BENCH_VERSIONS, default: "v1" },
  });
}
