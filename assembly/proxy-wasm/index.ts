// The proxy-wasm ABI layer: what a plugin imports to be a proxy-wasm module.

export { getBufferBytes } from "./buffer";
export { RootContext, registerRootContext } from "./context";
export { CounterBatch } from "./counter-batch";
export { decimal } from "./decimal";
export { addHeader, HeaderCursor, removeHeader, replaceHeader, replaceHeaderValue } from "./headers";
export { log, logEnabled } from "./log";
export { defineCounter, defineGauge, NO_METRIC, setGauge } from "./metrics";
export { PropertyValue, propertyPath } from "./property";
export { hostRandom } from "./random";
export { setTickPeriod } from "./tick";
export * from "./types";
export { utf8 } from "./utf8";
