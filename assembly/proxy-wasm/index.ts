// The proxy-wasm ABI layer: what a plugin imports to be a proxy-wasm module.

export { getBufferBytes } from "./buffer";
export { HttpContext, RootContext, registerRootContext } from "./context";
export { addHeader, HeaderCursor, removeHeader, replaceHeader } from "./headers";
export { log, logEnabled } from "./log";
export { defineCounter, defineGauge, incrementCounter, NO_METRIC, setGauge } from "./metrics";
export { hostRandom } from "./random";
export * from "./types";
