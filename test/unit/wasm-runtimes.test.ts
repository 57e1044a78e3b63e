// Which Wasm runtimes an Envoy build has, read from its start-up log as `make bench` reads it.
import { describe, expect, it } from "vitest";
import { wasmRuntimesIn } from "../../harness/envoy/wasm-runtimes.js";

describe("wasmRuntimesIn", () => {
  it("lists the runtimes of the extension line, not every name the log mentions", () => {
    const log = [
      "[info][main] [source/server/server.cc:467]   envoy.wasm.runtime: envoy.wasm.runtime.null, envoy.wasm.runtime.v8",
      "[warning][wasm] Failed to create Wasm VM using envoy.wasm.runtime.wasmtime runtime.",
    ];
    expect(wasmRuntimesIn(log)).toEqual(["v8"]);
    expect(wasmRuntimesIn(["envoy.wasm.runtime: envoy.wasm.runtime.wamr, envoy.wasm.runtime.v8, envoy.wasm.runtime.wasmtime"])).toEqual([
      "v8",
      "wasmtime",
      "wamr",
    ]);
    expect(wasmRuntimesIn(["no extension list"])).toEqual([]);
  });
});
