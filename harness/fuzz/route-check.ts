// One generated request through the in-process host, checked against the decision table:
// no trap, exactly one listed version out, a valid one unchanged, anything else the default.
import type { HeaderInput, ProxyWasmHost } from "../host/index.js";
import { tableVersion } from "../reference-model.js";
import { DEFAULT_VERSION_HEADER } from "../version-header.js";

const encoder = new TextEncoder();
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

export interface CheckResult {
  /** What went wrong, or undefined. */
  violation?: string;
  /** Whether every occurrence named the same listed version (the request kept it). */
  explicit: boolean;
}

export function checkRoute(
  host: ProxyWasmHost,
  versions: readonly string[],
  defaultVersion: string,
  values: readonly Uint8Array[],
  grpc: boolean,
): CheckResult {
  const listed = versions.map((v) => encoder.encode(v));
  const headers: HeaderInput[] = [
    [":path", "/"],
    ["content-type", grpc ? "application/grpc" : "text/plain"],
  ];
  for (const value of values) headers.push([DEFAULT_VERSION_HEADER, value]);
  let out: Uint8Array[];
  try {
    out = host.request(headers).headers.values(DEFAULT_VERSION_HEADER);
  } catch (err) {
    return { violation: `trapped: ${(err as Error).message}`, explicit: false };
  }
  const defaultBytes = encoder.encode(defaultVersion);
  const expected = tableVersion(listed, defaultBytes, values, same);
  const explicit = expected !== defaultBytes;
  if (out.length !== 1) return { violation: `${out.length} version headers out`, explicit };
  if (!same(out[0]!, expected))
    return { violation: `got ${Buffer.from(out[0]!).toString("latin1")}, expected ${Buffer.from(expected).toString("latin1")}`, explicit };
  return { explicit };
}
