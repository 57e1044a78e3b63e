// The filter: only I/O. It loads the configuration (validated, then compiled), and per request
// reads whose the request is (ownerOf), scans the owner's headers, asks decide(), rewrites the
// version header, counts and logs. A request no service owns passes untouched. It keeps nothing
// per stream: the response header naming the served version belongs to each version's route
// (Envoy response_headers_to_add, Istio headers.response.set), which knows it.
import { compileConfig, Router } from "./compiled-config";
import { Scope } from "./config-model";
import { validateConfig } from "./config-validator";
import { decide, decisionIndex, decisionReason } from "./decide";
import { Xorshift32 } from "./hash";
import { NOT_OWNED, ownerOf } from "./ownership";
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
  replaceHeaderValue,
  setGauge,
  setTickPeriod,
} from "./proxy-wasm";
import { Reason } from "./reasons";
import { counterIndex, DECISION_VALUE_BYTES, decisionCounters, decisionLine, describeConfig, writeDecisionValue } from "./reporting";
import { RequestIdentity } from "./request-identity";
import { RequestScan } from "./request-scan";

const DECISION_VALUE: usize = memory.data(DECISION_VALUE_BYTES);

/** How often the counters reach Envoy's stats, and the memory gauge is refreshed. */
export const REPORT_PERIOD_MS: u32 = 1000;

export class VersionRouterRoot extends RootContext {
  router: Router | null = null;
  /** One counter per service, version and reason, at counterIndex. */
  counters: CounterBatch = new CounterBatch(new StaticArray<u32>(0));
  random: Xorshift32 = new Xorshift32(0);
  /** The module's linear memory in bytes, so a soak can watch the VM from /stats. */
  memoryGauge: u32 = NO_METRIC;
  // Streams are handled one at a time, so they share one cursor and scan.
  readonly cursor: HeaderCursor = new HeaderCursor();
  readonly request: RequestScan = new RequestScan();
  readonly identity: RequestIdentity = new RequestIdentity(this.request);

  onConfigure(pluginConfigurationSize: u32): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize);
    const result = validateConfig(bytes);
    const model = result.model;
    if (model === null) {
      log(LogLevel.Error, "invalid configuration: " + result.error);
      return false;
    }
    const router = compileConfig(model);
    this.counters.flush();
    this.router = router;
    this.counters = decisionCounters(router);
    this.random = new Xorshift32(hostRandom());
    this.memoryGauge = defineGauge("version_router.wasm_memory_bytes");
    this.reportMemory();
    setTickPeriod(REPORT_PERIOD_MS);
    for (let i = 0; i < model.services.length; i++) log(LogLevel.Info, "configured " + describeConfig(model.services[i]));
    return true;
  }

  onTick(): void {
    this.counters.flush();
    this.reportMemory();
  }

  // A reconfiguration deletes this root: what it counted since the last tick goes to Envoy now.
  onDone(): void {
    this.counters.flush();
  }

  reportMemory(): void {
    setGauge(this.memoryGauge, (<u64>memory.size()) << 16);
  }

  onRequestHeaders(streamId: u32, requestHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
    const router = this.router;
    if (router === null) return FilterHeadersStatus.Continue;
    const cursor = this.cursor;
    if (!cursor.load(HeaderMapType.RequestHeaders)) return FilterHeadersStatus.Continue;
    const debug = logEnabled(LogLevel.Debug);
    const request = this.request;
    let owner = 0;
    if (router.scoped) {
      request.readLine(cursor);
      owner = ownerOf(router, request.authority, request.path);
    }
    const service = owner != NOT_OWNED ? router.services[owner] : null;
    if (service !== null) request.scan(service, cursor);
    if (service === null || (service.model.scope == Scope.Grpc && !request.grpc)) {
      cursor.release();
      if (debug) log(LogLevel.Debug, "not ours, left alone");
      return FilterHeadersStatus.Continue;
    }

    const decision = decide(service, request, this.random.next(), this.identity);
    const index = decisionIndex(decision);
    const reason = decisionReason(decision);
    const line = debug ? decisionLine(service, request, index, reason) : "";
    const sent = request.versionHeaderCount;
    cursor.release();

    const header = service.headerBytes;
    const version = service.versionBytes[index];
    if (sent == 0) {
      addHeader(HeaderMapType.RequestHeaders, header, version);
    } else if (sent > 1) {
      // Envoy's replace keeps later copies in some versions; remove all, then add one.
      removeHeader(HeaderMapType.RequestHeaders, header);
      addHeader(HeaderMapType.RequestHeaders, header, version);
    } else if (reason != Reason.Explicit) {
      replaceHeader(HeaderMapType.RequestHeaders, header, version);
    }
    // Replace, not add: a client must not be able to plant its own decision for the logs.
    if (service.decisionHeaderBytes.byteLength > 0) {
      const size = writeDecisionValue(service, index, reason, DECISION_VALUE);
      replaceHeaderValue(HeaderMapType.RequestHeaders, service.decisionHeaderBytes, DECISION_VALUE, size);
    }
    this.counters.add(counterIndex(service, index, reason));
    if (debug) log(LogLevel.Debug, line);
    return FilterHeadersStatus.Continue;
  }
}
