// The proxy-wasm ABI layer: what a plugin imports to be a proxy-wasm module.
export * from "./types";
export { RootContext, HttpContext, registerRootContext } from "./context";
export { HeaderCursor, replaceHeader, addHeader, removeHeader } from "./headers";
export { getBufferBytes } from "./buffer";
export { log, logEnabled } from "./log";
export { defineCounter, defineGauge, incrementCounter, NO_METRIC, setGauge } from "./metrics";
export { hostRandom } from "./random";
