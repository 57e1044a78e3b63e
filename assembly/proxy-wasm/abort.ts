import { decimal } from "./decimal";
import { proxy_log } from "./imports";
import { LogLevel } from "./types";
import { utf8 } from "./utf8";

// Replaces AssemblyScript's `env.abort` import, which Envoy does not provide: the
// failure is logged through the host and the module traps.
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const text =
    "abort: " +
    (message !== null ? message : "") +
    " at " +
    (fileName !== null ? fileName : "?") +
    ":" +
    decimal(line) +
    ":" +
    decimal(column);
  const bytes = utf8(text);
  proxy_log(LogLevel.Critical, changetype<usize>(bytes), bytes.byteLength);
  unreachable();
}
