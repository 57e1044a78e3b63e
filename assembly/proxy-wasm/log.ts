import { proxy_get_log_level, proxy_log } from "./imports";
import { LogLevel, WasmResult } from "./types";

const LEVEL_SLOT: usize = memory.data(4, 4);

export function log(level: LogLevel, message: string): void {
  const utf8 = String.UTF8.encode(message);
  proxy_log(level, changetype<usize>(utf8), utf8.byteLength);
}

/** Whether the host would print a message at `level`; lets callers skip formatting it. */
export function logEnabled(level: LogLevel): bool {
  if (proxy_get_log_level(LEVEL_SLOT) != WasmResult.Ok) return true;
  return <u32>level >= load<u32>(LEVEL_SLOT);
}
