export { ProxyWasmHost, describeModule, type LogEntry, type RequestOutcome } from "./proxy-wasm-host.js";
export { HeaderMap, type HeaderInput } from "./header-map.js";
export { ENVOY_ENV_IMPORTS, ENVOY_WASI_IMPORTS } from "./abi.js";
