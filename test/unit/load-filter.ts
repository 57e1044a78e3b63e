import { existsSync } from "node:fs";
import { expect } from "vitest";
import type { LogLevelName } from "../../harness/host/abi.js";
import { type HeaderInput, ProxyWasmHost } from "../../harness/host/index.js";
import { FILTER_WASM } from "../../harness/paths.js";
import { DEFAULT_VERSION_HEADER } from "../../harness/version-header.js";

export function requireFilterWasm(): string {
  if (!existsSync(FILTER_WASM)) {
    throw new Error(`${FILTER_WASM} is missing: run 'make build' ('make test' builds it first)`);
  }
  return FILTER_WASM;
}

/** The real build/filter.wasm in the in-process host, configured; throws if the config is rejected. */
export async function loadFilter(config: unknown, logLevel: LogLevelName = "info"): Promise<ProxyWasmHost> {
  const host = await ProxyWasmHost.load(requireFilterWasm(), { logLevel });
  const text = typeof config === "string" ? config : JSON.stringify(config);
  if (!host.configure(text)) {
    throw new Error(`filter rejected ${text}: ${host.logs.map((l) => l.message).join("; ")}`);
  }
  return host;
}

/** The one version header value a request leaves the filter with. */
export function served(host: ProxyWasmHost, headers: HeaderInput[]): string {
  const out = host.request(headers).headers.strings(DEFAULT_VERSION_HEADER);
  expect(out).toHaveLength(1);
  return out[0]!;
}
