// What `make bench` compares: each configuration is one Envoy, alike but for the filter, its
// Wasm runtime and where requests go (Envoy answers itself, or a real upstream).
import type { WasmRuntime } from "../envoy/bootstrap.js";

export type FilterName = "no-filter" | "lua-seed" | "lua-same-work" | "wasm-noop" | "version-router" | "gcore-sdk";
export type Upstream = "direct" | "real";

export interface BenchConfig {
  filter: FilterName;
  /** The Wasm runtime; "-" for no filter and Lua. */
  runtime: WasmRuntime | "-";
  upstream: Upstream;
}

export const configKey = (c: BenchConfig) => `${c.filter}/${c.runtime}/${c.upstream}`;

const RUNTIMES: readonly WasmRuntime[] = ["v8", "wasmtime", "wamr"];

export const BENCH_CONFIGS: readonly BenchConfig[] = [
  { filter: "no-filter", runtime: "-", upstream: "direct" },
  { filter: "lua-seed", runtime: "-", upstream: "direct" },
  { filter: "lua-same-work", runtime: "-", upstream: "direct" },
  ...RUNTIMES.map((runtime) => ({ filter: "wasm-noop" as const, runtime, upstream: "direct" as const })),
  ...RUNTIMES.map((runtime) => ({ filter: "version-router" as const, runtime, upstream: "direct" as const })),
  { filter: "gcore-sdk", runtime: "v8", upstream: "direct" },
  { filter: "no-filter", runtime: "-", upstream: "real" },
  { filter: "lua-same-work", runtime: "-", upstream: "real" },
  { filter: "wasm-noop", runtime: "v8", upstream: "real" },
  { filter: "version-router", runtime: "v8", upstream: "real" },
];
