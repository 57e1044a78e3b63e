// What the filter tells operators: its counters' names and where each lives, the debug line
// per decision, and the one-line description of a configuration.
import { KeySource, RouterConfig, Scope, Weights } from "./config-model";
import { REASON_COUNT, Reason } from "./decide";
import { defineCounter } from "./proxy-wasm";
import { RequestScan, valueData, valueSize } from "./request-scan";

const REASON_NAMES: string[] = ["explicit", "invalid", "default", "cohort", "canary"];
const LOGGED_VALUE_BYTES = 64;
const HEX = "0123456789abcdef";

/** Where the counter for this version and reason is, in the array defineCounters returns. */
export function counterIndex(version: i32, reason: Reason): i32 {
  return version * REASON_COUNT + <i32>reason;
}

// Named the way Istio names its own metrics, tags written into the name as `tag=.=value;.;`:
// Envoy keeps wasmcustom.version=.=v2;.;reason=.=canary;.;version_router_requests_total,
// and with the tag extractors Istio's bootstrap makes from extraStatTags (version, reason),
// or the same stats_tags in a plain Envoy, Prometheus reads
// version_router_requests_total{version="v2",reason="canary"}. Istio's stats matcher keeps
// every stat whose name starts with "wasm", so a gateway exposes them without a bootstrap change.
export function defineCounters(config: RouterConfig): StaticArray<u32> {
  const counters = new StaticArray<u32>(config.versions.length * REASON_COUNT);
  for (let v = 0; v < config.versions.length; v++) {
    const version = metricSafe(config.versions[v]);
    for (let r = 0; r < REASON_COUNT; r++) {
      counters[counterIndex(v, <Reason>r)] = defineCounter(
        "version=.=" + version + ";.;reason=.=" + REASON_NAMES[r] + ";.;version_router_requests_total",
      );
    }
  }
  return counters;
}

/** The decision header's values, `<version>;<reason>`, at counterIndex(version, reason). */
export function decisionValues(config: RouterConfig): ArrayBuffer[] {
  const values = new Array<ArrayBuffer>(config.versions.length * REASON_COUNT);
  for (let v = 0; v < config.versions.length; v++) {
    for (let r = 0; r < REASON_COUNT; r++) {
      values[counterIndex(v, <Reason>r)] = String.UTF8.encode(config.versions[v] + ";" + REASON_NAMES[r]);
    }
  }
  return values;
}

// ';' and '=' delimit the tags in a stat name, so a version's become underscores.
function metricSafe(name: string): string {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    out += String.fromCharCode(c == 0x3b || c == 0x3d ? 0x5f : c);
  }
  return out;
}

/** The debug line for one decision, e.g. `grpcsvc "v9" -> v1 (invalid)`. */
export function decisionLine(config: RouterConfig, request: RequestScan, index: i32, reason: Reason): string {
  return config.header + " " + describeSeen(request) + " -> " + config.versions[index] + " (" + REASON_NAMES[reason] + ")";
}

function describeSeen(request: RequestScan): string {
  const count = request.versionHeaderCount;
  if (count == 0) return "missing";
  const value = request.firstVersionValue;
  const first = '"' + printable(valueData(value), valueSize(value)) + '"';
  return count == 1 ? first : "sent " + count.toString() + " times, first " + first;
}

// Header values are untrusted bytes: the log gets at most a short, escaped prefix.
function printable(data: usize, size: u32): string {
  let out = "";
  const shown = min<u32>(size, LOGGED_VALUE_BYTES);
  for (let i: u32 = 0; i < shown; i++) {
    const c = load<u8>(data + i);
    out += c >= 0x20 && c < 0x7f && c != 0x22 && c != 0x5c ? String.fromCharCode(c) : "\\x" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
  }
  if (size > shown) out += "...(" + size.toString() + " bytes)";
  return out;
}

/** The configuration in one line, as logged when it is applied. */
export function describeConfig(config: RouterConfig): string {
  let text =
    'header "' +
    config.header +
    '", versions [' +
    config.versions.join(", ") +
    "], default " +
    config.versions[config.defaultIndex] +
    ", scope " +
    (config.scope == Scope.Grpc ? "grpc" : "all");
  const sticky = config.stickyBy;
  if (sticky !== null) text += ", sticky by " + (sticky.source == KeySource.Cookie ? "cookie " : "header ") + sticky.name;
  if (config.cohorts.length > 0) text += ", " + config.cohorts.length.toString() + " cohort(s)";
  const canary = config.canary;
  if (canary !== null) text += ", canary " + describeWeights(canary, config.versions);
  if (config.decisionHeader.length > 0) text += ", decision header " + config.decisionHeader;
  return text;
}

function describeWeights(weights: Weights, versions: string[]): string {
  const parts: string[] = [];
  let previous: u32 = 0;
  for (let i = 0; i < versions.length; i++) {
    const w = weights.cumulative[i] - previous;
    previous = weights.cumulative[i];
    if (w > 0) parts.push(versions[i] + "=" + w.toString());
  }
  return "{" + parts.join(", ") + "}";
}
