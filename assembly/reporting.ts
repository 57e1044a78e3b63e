// What the filter tells operators: its counters' names and where each lives, the debug line
// per decision, and the one-line description of a service's configuration.

import { charText, listed } from "./char-classes";
import { everyHost, Router, Service } from "./compiled-config";
import { Scope, ServiceModel } from "./config-model";
import { CounterBatch, decimal, defineCounter, NO_METRIC, utf8 } from "./proxy-wasm";
import { REASON_COUNT, REASON_NAMES, Reason } from "./reasons";
import { RequestScan, valueData, valueSize } from "./request-scan";

const LOGGED_VALUE_BYTES = 64;
const HEX = "0123456789abcdef";

/** Where the counter for this service, version and reason is, among the router's counters. */
export function counterIndex(service: Service, version: i32, reason: Reason): i32 {
  return service.counterBase + version * REASON_COUNT + <i32>reason;
}

// Named the way Istio names its own metrics, tags written into the name as `tag=.=value;.;`:
// Envoy keeps wasmcustom.service=.=shop/grpcsvc;.;version=.=v2;.;reason=.=canary;.;version_router_requests_total,
// and with the tag extractors Istio's bootstrap makes from extraStatTags (service, version,
// reason), or the same stats_tags in a plain Envoy, Prometheus reads
// version_router_requests_total{service="shop/grpcsvc",version="v2",reason="canary"}. Istio's
// stats matcher keeps every stat whose name starts with "wasm", so a gateway exposes them
// without a bootstrap change. A service without a name has no service tag.
export function counterName(model: ServiceModel, version: i32, reason: Reason): string {
  const service = model.name.length > 0 ? "service=.=" + model.name + ";.;" : "";
  return (
    service +
    "version=.=" +
    metricSafe(model.versions[version]) +
    ";.;reason=.=" +
    REASON_NAMES[reason] +
    ";.;version_router_requests_total"
  );
}

/**
 * The decision counters, defined up front so Prometheus sees each from 0, and only those a
 * service's configuration can reach (reachable): per service, versions + 2 series without
 * canary or cohorts, at most 3 x versions + 2 with both.
 */
export function decisionCounters(router: Router): CounterBatch {
  const ids = new StaticArray<u32>(router.counterCount);
  for (let s = 0; s < router.services.length; s++) {
    const service = router.services[s];
    for (let v = 0; v < service.model.versions.length; v++) {
      for (let r = 0; r < REASON_COUNT; r++) {
        const reason = <Reason>r;
        ids[counterIndex(service, v, reason)] = reachable(service, v, reason)
          ? defineCounter(counterName(service.model, v, reason))
          : NO_METRIC;
      }
    }
  }
  return new CounterBatch(ids);
}

/**
 * Whether decide() can give `service` this version for this reason: every version by name, the
 * default when the name is wrong or missing, weighted versions by canary, any by a cohort.
 */
export function reachable(service: Service, version: i32, reason: Reason): bool {
  const model = service.model;
  const canary = model.canary;
  if (reason == Reason.Explicit) return true;
  if (reason == Reason.Canary) return canary !== null && canary.of(version) > 0;
  if (reason == Reason.Cohort) return model.cohorts.length > 0;
  if (reason == Reason.Restricted) return service.restrictedMask != 0 && version == model.defaultIndex;
  return version == model.defaultIndex;
}

const REASON_BYTES: ArrayBuffer[] = [];
for (let r = 0; r < REASON_COUNT; r++) REASON_BYTES.push(utf8(REASON_NAMES[r]));

/** Room for the longest decision header value: a version, ';' and a reason. */
export const DECISION_VALUE_BYTES = 160;

/**
 * Writes the decision header's value, `<version>;<reason>`, at `out` (DECISION_VALUE_BYTES),
 * and returns its size: written per request into one buffer, so nothing is allocated for it
 * and nothing kept per service and version.
 */
export function writeDecisionValue(service: Service, version: i32, reason: Reason, out: usize): u32 {
  const name = unchecked(service.versionBytes[version]);
  const why = unchecked(REASON_BYTES[reason]);
  memory.copy(out, changetype<usize>(name), name.byteLength);
  store<u8>(out + name.byteLength, 0x3b);
  memory.copy(out + name.byteLength + 1, changetype<usize>(why), why.byteLength);
  return name.byteLength + 1 + why.byteLength;
}

// ';' and '=' delimit the tags in a stat name, so a version's become underscores.
function metricSafe(name: string): string {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    out += charText(c == 0x3b || c == 0x3d ? 0x5f : c);
  }
  return out;
}

/** The debug line for one decision, e.g. `shop/grpcsvc: grpcsvc "v9" -> v1 (invalid)`. */
export function decisionLine(service: Service, request: RequestScan, index: i32, reason: Reason): string {
  const model = service.model;
  return named(model) + model.header + " " + describeSeen(request) + " -> " + model.versions[index] + " (" + REASON_NAMES[reason] + ")";
}

function named(model: ServiceModel): string {
  return model.name.length > 0 ? model.name + ": " : "";
}

function describeSeen(request: RequestScan): string {
  const count = request.versionHeaderCount;
  if (count == 0) return "missing";
  const value = request.firstVersionValue;
  const first = '"' + printable(valueData(value), valueSize(value)) + '"';
  return count == 1 ? first : "sent " + decimal(count) + " times, first " + first;
}

// Header values are untrusted bytes: the log gets at most a short, escaped prefix.
function printable(data: usize, size: u32): string {
  let out = "";
  const shown = min<u32>(size, LOGGED_VALUE_BYTES);
  for (let i: u32 = 0; i < shown; i++) {
    const c = load<u8>(data + i);
    out += c >= 0x20 && c < 0x7f && c != 0x22 && c != 0x5c ? charText(c) : "\\x" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
  }
  if (size > shown) out += "...(" + decimal(size) + " bytes)";
  return out;
}

/** A service's configuration in one line, as logged when it is applied. */
export function describeConfig(model: ServiceModel): string {
  let text =
    named(model) + "header " + model.header + ", versions " + listed(model.versions) + ", default " + model.versions[model.defaultIndex];
  if (model.scope == Scope.Grpc) text += ", scope grpc";
  if (!everyHost(model)) text += ", hosts " + listed(model.hosts);
  if (model.paths.length > 0) text += ", paths " + listed(model.paths);
  const sticky = model.stickyBy;
  if (sticky !== null) text += ", sticky by " + sticky.name;
  const canary = model.canary;
  if (canary !== null) {
    const weights: string[] = [];
    for (let i = 0; i < model.versions.length; i++) weights.push(model.versions[i] + "=" + decimal(canary.of(i)));
    text += ", canary " + listed(weights);
  }
  const restricted: string[] = [];
  for (let i = 0; i < model.restricted.length; i++) if (model.restricted[i].length > 0) restricted.push(model.versions[i]);
  if (restricted.length > 0) text += ", restricted " + listed(restricted);
  return text;
}
