import { proxy_log } from "./imports";
import { LogLevel } from "./types";

// Replaces AssemblyScript's `env.abort` import, which Envoy does not provide: the
// failure is logged through the host and the module traps.
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const text =
    "abort: " +
    (message !== null ? message : "") +
    " at " +
    (fileName !== null ? fileName : "?") +
    ":" +
    line.toString() +
    ":" +
    column.toString();
  const utf8 = String.UTF8.encode(text);
  proxy_log(LogLevel.Critical, changetype<usize>(utf8), utf8.byteLength);
  unreachable();
}
