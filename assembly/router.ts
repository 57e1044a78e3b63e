import { Cohort, parseConfig, RouterConfig, Scope } from "./config";
import { fnv1a32, Xorshift32 } from "./hash";
import {
  addHeader,
  BufferType,
  defineCounter,
  defineGauge,
  FilterHeadersStatus,
  getBufferBytes,
  HeaderCursor,
  HeaderMapType,
  HttpContext,
  hostRandom,
  incrementCounter,
  LogLevel,
  log,
  logEnabled,
  NO_METRIC,
  RootContext,
  removeHeader,
  replaceHeader,
  setGauge,
} from "./proxy-wasm";
import { RequestView } from "./request";
import { BUCKETS, decisionIndex, decisionReason, REASON_NAMES, Reason, selectVersion } from "./select";

const LOGGED_VALUE_BYTES = 64;
const HEX = "0123456789abcdef";

// Request headers are scanned one stream at a time, so one cursor and view serve them all.
const cursor = new HeaderCursor();
const view = new RequestView();

export class VersionRouterRoot extends RootContext {
  config: RouterConfig | null = null;
  /** One counter per version and reason: counters[version * REASONS + reason]. */
  counters: StaticArray<u32> = new StaticArray<u32>(0);
  random: Xorshift32 = new Xorshift32(0);
  /** The module's linear memory in bytes, so a soak can watch the VM from /stats. */
  memoryGauge: u32 = NO_METRIC;
  requests: u32 = 0;

  onConfigure(pluginConfigurationSize: u32): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize);
    const result = parseConfig(bytes);
    const config = result.config;
    if (config === null) {
      log(LogLevel.Error, "invalid configuration: " + result.error);
      return false;
    }
    this.config = config;
    this.counters = defineCounters(config);
    this.random = new Xorshift32(hostRandom());
    this.memoryGauge = defineGauge("version_router.wasm_memory_bytes");
    this.reportMemory();
    log(LogLevel.Info, "configured " + config.describe());
    return true;
  }

  createHttpContext(id: u32): HttpContext {
    return new VersionRouterStream(id, this);
  }

  reportMemory(): void {
    setGauge(this.memoryGauge, (<u64>memory.size()) << 16);
  }
}

const REQUESTS_PER_MEMORY_REPORT: u32 = 1024;

const REASONS = REASON_NAMES.length;

// Envoy shows these as wasmcustom.version_router.version.<v>.reason.<r>.requests_total;
// with the stats_tags the harness (and README) configure, Prometheus reads
// version_router_requests_total{version="v2",reason="canary"}.
function defineCounters(config: RouterConfig): StaticArray<u32> {
  const counters = new StaticArray<u32>(config.versions.length * REASONS);
  for (let v = 0; v < config.versions.length; v++) {
    const version = metricSafe(config.versions[v]);
    for (let r = 0; r < REASONS; r++) {
      counters[v * REASONS + r] = defineCounter("version_router.version." + version + ".reason." + REASON_NAMES[r] + ".requests_total");
    }
  }
  return counters;
}

class VersionRouterStream extends HttpContext {
  /** The version this stream was sent to, for the response header; -1 if untouched. */
  served: i32 = -1;

  onRequestHeaders(headerCount: u32, endOfStream: bool): FilterHeadersStatus {
    const root = <VersionRouterRoot>this.root;
    const config = root.config;
    if (config === null) return FilterHeadersStatus.Continue;
    if (!cursor.load(HeaderMapType.RequestHeaders)) return FilterHeadersStatus.Continue;
    view.scan(config, cursor);
    const debug = logEnabled(LogLevel.Debug);

    if (config.scope == Scope.Grpc && !view.grpc) {
      cursor.release();
      if (debug) log(LogLevel.Debug, "not gRPC, left alone (scope grpc)");
      return FilterHeadersStatus.Continue;
    }

    const count = view.versionCount;
    let cohort: Cohort | null = null;
    let bucket: u32 = 0;
    if (count == 0) {
      cohort = firstMatchingCohort(config);
      if ((cohort !== null && cohort.weights !== null) || (cohort === null && config.canary !== null)) {
        bucket = requestBucket(config, root.random);
      }
    }
    const decision = selectVersion(count, view.named, config.defaultIndex, cohort, config.canary, bucket);
    const index = decisionIndex(decision);
    const reason = decisionReason(decision);
    const seen = debug ? describeSeen(config, count) : "";
    cursor.release();

    const version = config.versionBytes[index];
    if (count == 0) {
      addHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    } else if (count > 1) {
      // Envoy's replace keeps later copies in some versions; remove all, then add one.
      removeHeader(HeaderMapType.RequestHeaders, config.headerBytes);
      addHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    } else if (reason != Reason.Explicit) {
      replaceHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    }
    this.served = index;
    incrementCounter(unchecked(root.counters[index * REASONS + reason]));
    if (++root.requests % REQUESTS_PER_MEMORY_REPORT == 0) root.reportMemory();

    if (debug) {
      log(LogLevel.Debug, config.header + " " + seen + " -> " + config.versions[index] + " (" + REASON_NAMES[reason] + ")");
    }
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(headerCount: u32, endOfStream: bool): FilterHeadersStatus {
    const config = (<VersionRouterRoot>this.root).config;
    if (config !== null && this.served >= 0 && config.responseHeaderBytes.byteLength > 0) {
      addHeader(HeaderMapType.ResponseHeaders, config.responseHeaderBytes, config.versionBytes[this.served]);
    }
    return FilterHeadersStatus.Continue;
  }
}

// A dot separates the parts of an Envoy stat name, so a version's dots become underscores.
function metricSafe(name: string): string {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    out += String.fromCharCode(c == 0x2e ? 0x5f : c);
  }
  return out;
}

function firstMatchingCohort(config: RouterConfig): Cohort | null {
  const cohorts = config.cohorts;
  for (let i = 0; i < cohorts.length; i++) {
    const cohort = unchecked(cohorts[i]);
    if (view.keyValue(cohort.key) && view.matches(cohort.kind, cohort.value)) return cohort;
  }
  return null;
}

/** The sticky key's bucket, so one user stays on one version; a random one without a key. */
function requestBucket(config: RouterConfig, random: Xorshift32): u32 {
  const sticky = config.stickyBy;
  if (sticky !== null && view.keyValue(sticky)) return fnv1a32(view.valueData, view.valueSize) % BUCKETS;
  return random.next() % BUCKETS;
}

function describeSeen(config: RouterConfig, count: i32): string {
  if (count == 0) return "missing";
  const first = '"' + printable(view.firstValueData, view.firstValueSize) + '"';
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
