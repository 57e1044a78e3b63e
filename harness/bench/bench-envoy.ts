// The Envoys the benchmark compares, alike but for the filter: one worker, loopback, one
// route per version on the version header plus a default route; answered by Envoy itself
// (direct_response, so no upstream can be the bottleneck) or proxied to real upstream servers.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClusterSpec, RouteSpec } from "../envoy/bootstrap.js";
import { type Envoy, type StartEnvoyOptions, startEnvoy } from "../envoy/start-envoy.js";
import { seedLuaSource } from "../lua/seed-fallback.js";
import { PROJECT_ROOT } from "../paths.js";
import { ECHO_WHO_PATH } from "../upstreams/echo-proto.js";
import { DEFAULT_VERSION_HEADER } from "../version-header.js";
import type { BenchConfig } from "./bench-configs.js";
import type { RealUpstream } from "./real-upstream.js";

export const BENCH_VERSIONS = ["v1", "v2", "v3", "v4"];
export const BENCH_DEFAULT = "v1";

/** build/noop.wasm: the ABI layer with a filter that does nothing (assembly/bench-noop.ts). */
export const NOOP_WASM = join(PROJECT_ROOT, "build/noop.wasm");
/** build/gcore.wasm: the same core behaviour on @gcoredev/proxy-wasm-sdk-as (harness/bench/gcore-sdk/). */
export const GCORE_WASM = join(PROJECT_ROOT, "build/gcore.wasm");
const LUA_SAME_WORK = fileURLToPath(new URL("./lua-same-work.lua", import.meta.url));

/** The request path h2load asks for, per protocol: the real upstream's routes tell HTTP/1.1 and HTTP/2 apart by it. */
export function benchPath(protocol: "http1" | "http2" | "grpc"): string {
  return protocol === "grpc" ? ECHO_WHO_PATH : `/${protocol}/who`;
}

/** One route per version on the version header, and a default route, each answered by Envoy itself. */
export function directRoutes(): RouteSpec[] {
  const routes: RouteSpec[] = BENCH_VERSIONS.map((v) => ({
    name: v,
    header: DEFAULT_VERSION_HEADER,
    exact: v,
    directResponse: { status: 200, body: v },
  }));
  routes.push({ name: "default", directResponse: { status: 200, body: BENCH_DEFAULT } });
  return routes;
}

/** Pins every Envoy thread to core 1: h2load (and the real upstream) run on core 0. */
export function pinToCore1(envoy: Envoy): void {
  execFileSync("taskset", ["-a", "-cp", "1", String(envoy.pid)], { stdio: "ignore" });
}

function realRouting(upstream: RealUpstream): StartEnvoyOptions["routing"] {
  const { ports } = upstream;
  const clusters: ClusterSpec[] = [
    { name: "grpc", port: ports.grpc, http2: true },
    { name: "http2", port: ports.http2, http2: true },
    { name: "http1", port: ports.http1, http2: false },
  ];
  const routes: RouteSpec[] = [];
  for (const match of [...BENCH_VERSIONS.map((v) => ({ name: v, header: DEFAULT_VERSION_HEADER, exact: v })), { name: "default" }]) {
    routes.push(
      { ...match, name: `${match.name}-grpc`, grpcOnly: true, cluster: "grpc" },
      { ...match, name: `${match.name}-http2`, prefix: "/http2/", cluster: "http2" },
      { ...match, name: `${match.name}-http1`, prefix: "/http1/", cluster: "http1" },
    );
  }
  return { routes, clusters };
}

function filterOptions(config: BenchConfig): Partial<StartEnvoyOptions> {
  const runtime = config.runtime === "-" ? {} : { wasmRuntime: config.runtime };
  const pluginConfig = { versions: BENCH_VERSIONS, default: BENCH_DEFAULT };
  switch (config.filter) {
    case "no-filter":
      return { filter: "none" };
    case "lua-seed":
      return { filter: "lua", lua: seedLuaSource() };
    case "lua-same-work":
      return { filter: "lua", lua: readFileSync(LUA_SAME_WORK, "utf8") };
    case "wasm-noop":
      return { filter: "wasm", wasm: NOOP_WASM, pluginConfig, ...runtime };
    case "version-router":
      return { filter: "wasm", pluginConfig, ...runtime };
    case "gcore-sdk":
      return {
        filter: "wasm",
        wasm: GCORE_WASM,
        pluginConfig: `${DEFAULT_VERSION_HEADER} ${BENCH_DEFAULT} ${BENCH_VERSIONS.join(",")}`,
        ...runtime,
      };
  }
}

/** Envoy on core 1, all its threads; h2load (and the real upstream) run on core 0. */
export async function startBenchEnvoy(config: BenchConfig, upstream: RealUpstream | undefined): Promise<Envoy> {
  if (config.upstream === "real" && !upstream) throw new Error("a real-upstream configuration needs the upstream");
  const envoy = await startEnvoy({
    runtime: "process",
    routing: config.upstream === "real" ? realRouting(upstream!) : { routes: directRoutes(), clusters: [] },
    ...filterOptions(config),
  });
  pinToCore1(envoy);
  return envoy;
}
