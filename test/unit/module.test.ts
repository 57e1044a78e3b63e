// What Envoy will see of the module: only imports it provides, and the ABI's exports.
import { describe, expect, it } from "vitest";
import { describeModule, ENVOY_ENV_IMPORTS, ENVOY_WASI_IMPORTS } from "../../harness/host/index.js";
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
