import { proxy_get_log_level, proxy_log } from "./imports";
import { LogLevel, WasmResult } from "./types";
import { utf8 } from "./utf8";

const LEVEL_SLOT: usize = memory.data(4, 4);
// Asking the host for its log level on every request costs a host call; the level changes
// rarely (an operator at Envoy's admin), so it is read again every so many asks.
const ASKS_PER_READ: u32 = 256;
let asks: u32 = 0;
let hostLevel: u32 = 0;
// Formatting log lines is the only garbage a request can make (at debug level). The minimal
// runtime collects only when asked, so every so many lines it is asked, keeping memory flat.
const LINES_PER_COLLECTION: u32 = 64;
let lines: u32 = 0;

export function log(level: LogLevel, message: string): void {
  const bytes = utf8(message);
  proxy_log(level, changetype<usize>(bytes), bytes.byteLength);
  if (++lines % LINES_PER_COLLECTION == 0) __collect();
}

/** Whether the host would print a message at `level`; lets callers skip formatting it. */
export function logEnabled(level: LogLevel): bool {
  if (asks++ % ASKS_PER_READ == 0) {
    hostLevel = proxy_get_log_level(LEVEL_SLOT) == WasmResult.Ok ? load<u32>(LEVEL_SLOT) : 0;
  }
  return <u32>level >= hostLevel;
}
