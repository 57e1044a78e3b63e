import type { WasmRuntime } from "./bootstrap.js";

/**
 * The Wasm runtimes an Envoy binary was built with, from the extension list it logs at
 * start-up (`envoy.wasm.runtime: envoy.wasm.runtime.null, envoy.wasm.runtime.v8`). A
 * runtime's name can appear in a binary that lacks it; only this list says what loads.
 */
export function wasmRuntimesIn(startupLog: readonly string[]): WasmRuntime[] {
  const line = startupLog.find((l) => /\benvoy\.wasm\.runtime: /.test(l));
  if (!line) return [];
  const names = [...line.matchAll(/envoy\.wasm\.runtime\.(\w+)/g)].map((m) => m[1]);
  return (["v8", "wasmtime", "wamr"] as const).filter((r) => names.includes(r));
}
