export { ENVOY_ENV_IMPORTS, ENVOY_WASI_IMPORTS } from "./abi.js";
export { type HeaderInput, HeaderMap } from "./header-map.js";
export {
  chainRequest,
  claimPath,
  describeModule,
  envoyProperty,
  type LogEntry,
  ProxyWasmHost,
  type RequestOutcome,
  sanPath,
} from "./proxy-wasm-host.js";
