// What Envoy will see of the module: only imports it provides, and the ABI's exports.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeModule, ENVOY_ENV_IMPORTS, ENVOY_WASI_IMPORTS, ProxyWasmHost } from "../../harness/host/index.js";
import { TRAP_TEST_WASM, TRAP_TRIGGER_HEADER } from "../../harness/paths.js";
import { requireFilterWasm } from "./load-filter.js";

describe("filter.wasm as a proxy-wasm module", () => {
  it("imports only functions Envoy provides", async () => {
    const { imports } = await describeModule(requireFilterWasm());
    const foreign = imports.filter((name) => {
      const [module, fn] = name.split(".") as [string, string];
      if (module === "env") return !ENVOY_ENV_IMPORTS.has(fn);
      if (module === "wasi_snapshot_preview1") return !ENVOY_WASI_IMPORTS.has(fn);
      return true;
    });
    expect(foreign).toEqual([]);
    expect(imports).not.toContain("env.abort");
    expect(imports).toContain("env.proxy_get_header_map_pairs");
  });

  // Envoy calls every proxy_on_* a module exports, each a crossing into the VM: per stream
  // only context creation, the request headers and delete (which frees replaced roots).
  it("exports the ABI 0.2.1 marker, only the entry points it uses, and memory", async () => {
    const { exports } = await describeModule(requireFilterWasm());
    expect(exports.sort()).toEqual([
      "_initialize",
      "memory",
      "proxy_abi_version_0_2_1",
      "proxy_on_configure",
      "proxy_on_context_create",
      "proxy_on_delete",
      "proxy_on_memory_allocate",
      "proxy_on_request_headers",
      "proxy_on_tick",
      "proxy_on_vm_start",
    ]);
  });
});

// The test build that traps on a trigger (assembly/trap-on-trigger.ts) shows what a failed VM
// does; the module Envoy and Istio run must not hold it.
describe("the trapping test build", () => {
  /** The trigger as the module's data holds a string literal: UTF-16, two bytes a character. */
  const trigger = Buffer.from(TRAP_TRIGGER_HEADER, "utf16le");
  const trapTest = () => {
    if (!existsSync(TRAP_TEST_WASM))
      throw new Error(`${TRAP_TEST_WASM} is missing: run 'make build/trap-test.wasm' ('make test' builds it)`);
    return TRAP_TEST_WASM;
  };

  it("is not build/filter.wasm: the filter holds no trigger, the test build does", () => {
    expect(readFileSync(requireFilterWasm()).includes(trigger)).toBe(false);
    expect(readFileSync(trapTest()).includes(trigger)).toBe(true);
  });

  it("traps on a request with the trigger header, and routes every other as the filter does", async () => {
    const config = JSON.stringify({ versions: ["v1", "v2"] });
    for (const wasm of [requireFilterWasm(), trapTest()]) {
      const host = await ProxyWasmHost.load(wasm);
      expect(host.configure(config)).toBe(true);
      expect(host.request([["grpcsvc", "zz"]]).headers.strings("grpcsvc")).toEqual(["v1"]);
      const triggered = () => host.request([[TRAP_TRIGGER_HEADER, "1"]]);
      if (wasm === TRAP_TEST_WASM) expect(triggered).toThrow(/unreachable/);
      else expect(triggered().headers.strings("grpcsvc")).toEqual(["v1"]);
    }
  });
});
