// The filter: only I/O. It loads the configuration (through the validator), and per request
// scans the headers, asks decide(), rewrites the version header, counts and logs. It keeps
// nothing per stream: the response header naming the served version belongs to each
// version's route (Envoy response_headers_to_add, Istio headers.response.set), which knows it.
import { RouterConfig, Scope } from "./config-model";
import { validateConfig } from "./config-validator";
import { decide, decisionIndex, decisionReason, Reason } from "./decide";
import { Xorshift32 } from "./hash";
import {
  addHeader,
  BufferType,
  CounterBatch,
  defineGauge,
  FilterHeadersStatus,
  getBufferBytes,
  HeaderCursor,
  HeaderMapType,
  hostRandom,
  LogLevel,
  log,
  logEnabled,
  NO_METRIC,
  RootContext,
  removeHeader,
  replaceHeader,
  setGauge,
  setTickPeriod,
} from "./proxy-wasm";
import { counterIndex, decisionLine, decisionValues, defineCounters, describeConfig } from "./reporting";
import { RequestScan } from "./request-scan";

/** How often the counters reach Envoy's stats, and the memory gauge is refreshed. */
export const REPORT_PERIOD_MS: u32 = 1000;

export class VersionRouterRoot extends RootContext {
  config: RouterConfig | null = null;
  /** One counter per version and reason, at counterIndex(version, reason). */
  counters: CounterBatch = new CounterBatch(new StaticArray<u32>(0));
  random: Xorshift32 = new Xorshift32(0);
  /** The decision header's value per version and reason, at counterIndex; empty without one. */
  decisions: ArrayBuffer[] = [];
  /** The module's linear memory in bytes, so a soak can watch the VM from /stats. */
  memoryGauge: u32 = NO_METRIC;
  // Streams are handled one at a time, so they share one cursor and scan.
  readonly cursor: HeaderCursor = new HeaderCursor();
  readonly request: RequestScan = new RequestScan();

  onConfigure(pluginConfigurationSize: u32): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize);
    const result = validateConfig(bytes);
    const config = result.config;
    if (config === null) {
      log(LogLevel.Error, "invalid configuration: " + result.error);
      return false;
    }
    this.counters.flush();
    this.config = config;
    this.counters = new CounterBatch(defineCounters(config));
    this.decisions = config.decisionHeaderBytes.byteLength > 0 ? decisionValues(config) : [];
    this.random = new Xorshift32(hostRandom());
    this.memoryGauge = defineGauge("version_router.wasm_memory_bytes");
    this.reportMemory();
    setTickPeriod(REPORT_PERIOD_MS);
    log(LogLevel.Info, "configured " + describeConfig(config));
    return true;
  }

  onTick(): void {
    this.counters.flush();
    this.reportMemory();
  }

  reportMemory(): void {
    setGauge(this.memoryGauge, (<u64>memory.size()) << 16);
  }

  onRequestHeaders(streamId: u32, requestHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
    const config = this.config;
    if (config === null) return FilterHeadersStatus.Continue;
    const cursor = this.cursor;
    const request = this.request;
    if (!cursor.load(HeaderMapType.RequestHeaders)) return FilterHeadersStatus.Continue;
    request.scan(config, cursor);
    const debug = logEnabled(LogLevel.Debug);

    if (config.scope == Scope.Grpc && !request.grpc) {
      cursor.release();
      if (debug) log(LogLevel.Debug, "not gRPC, left alone (scope grpc)");
      return FilterHeadersStatus.Continue;
    }

    const decision = decide(config, request, this.random.next());
    const index = decisionIndex(decision);
    const reason = decisionReason(decision);
    const line = debug ? decisionLine(config, request, index, reason) : "";
    const sent = request.versionHeaderCount;
    cursor.release();

    const version = config.versionBytes[index];
    if (sent == 0) {
      addHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    } else if (sent > 1) {
      // Envoy's replace keeps later copies in some versions; remove all, then add one.
      removeHeader(HeaderMapType.RequestHeaders, config.headerBytes);
      addHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    } else if (reason != Reason.Explicit) {
      replaceHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    }
    const counter = counterIndex(index, reason);
    // Replace, not add: a client must not be able to plant its own decision for the logs.
    if (this.decisions.length > 0) replaceHeader(HeaderMapType.RequestHeaders, config.decisionHeaderBytes, this.decisions[counter]);
    this.counters.add(counter);
    if (debug) log(LogLevel.Debug, line);
    return FilterHeadersStatus.Continue;
  }
}
