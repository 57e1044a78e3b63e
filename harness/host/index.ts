export { ENVOY_ENV_IMPORTS, ENVOY_WASI_IMPORTS } from "./abi.js";
export { type HeaderInput, HeaderMap } from "./header-map.js";
export { chainRequest, describeModule, type LogEntry, ProxyWasmHost, type RequestOutcome } from "./proxy-wasm-host.js";
