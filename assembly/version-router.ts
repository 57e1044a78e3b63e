// The filter: only I/O. It loads the configuration (through the validator), and per request
// scans the headers, asks decide(), rewrites the version header, counts and logs.
import { RouterConfig, Scope } from "./config-model";
import { validateConfig } from "./config-validator";
import { decide, decisionIndex, decisionReason, Reason } from "./decide";
import { Xorshift32 } from "./hash";
import {
  addHeader,
  BufferType,
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
import { counterIndex, decisionLine, defineCounters, describeConfig } from "./reporting";
import { RequestScan } from "./request-scan";

const REQUESTS_PER_MEMORY_REPORT: u32 = 1024;

export class VersionRouterRoot extends RootContext {
  config: RouterConfig | null = null;
  /** One counter per version and reason, at counterIndex(version, reason). */
  counters: StaticArray<u32> = new StaticArray<u32>(0);
  random: Xorshift32 = new Xorshift32(0);
  /** The module's linear memory in bytes, so a soak can watch the VM from /stats. */
  memoryGauge: u32 = NO_METRIC;
  requests: u32 = 0;
  // Streams are handled one at a time, so the root's streams share one cursor and scan.
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
    this.config = config;
    this.counters = defineCounters(config);
    this.random = new Xorshift32(hostRandom());
    this.memoryGauge = defineGauge("version_router.wasm_memory_bytes");
    this.reportMemory();
    log(LogLevel.Info, "configured " + describeConfig(config));
    return true;
  }

  createHttpContext(id: u32): HttpContext {
    return new VersionRouterStream(id, this);
  }

  reportMemory(): void {
    setGauge(this.memoryGauge, (<u64>memory.size()) << 16);
  }
}

class VersionRouterStream extends HttpContext {
  /** The version this stream was sent to, for the response header; -1 if untouched. */
  served: i32 = -1;

  onRequestHeaders(requestHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
    const root = <VersionRouterRoot>this.root;
    const config = root.config;
    if (config === null) return FilterHeadersStatus.Continue;
    const cursor = root.cursor;
    const request = root.request;
    if (!cursor.load(HeaderMapType.RequestHeaders)) return FilterHeadersStatus.Continue;
    request.scan(config, cursor);
    const debug = logEnabled(LogLevel.Debug);

    if (config.scope == Scope.Grpc && !request.grpc) {
      cursor.release();
      if (debug) log(LogLevel.Debug, "not gRPC, left alone (scope grpc)");
      return FilterHeadersStatus.Continue;
    }

    const decision = decide(config, request, root.random.next());
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
    this.served = index;
    incrementCounter(unchecked(root.counters[counterIndex(index, reason)]));
    if (++root.requests % REQUESTS_PER_MEMORY_REPORT == 0) root.reportMemory();
    if (debug) log(LogLevel.Debug, line);
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(responseHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
    const config = (<VersionRouterRoot>this.root).config;
    if (config !== null && this.served >= 0 && config.responseHeaderBytes.byteLength > 0) {
      addHeader(HeaderMapType.ResponseHeaders, config.responseHeaderBytes, config.versionBytes[this.served]);
    }
    return FilterHeadersStatus.Continue;
  }
}
