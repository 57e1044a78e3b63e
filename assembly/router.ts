import {
  addHeader, FilterHeadersStatus, getBufferBytes, HeaderCursor, HeaderMapType, HttpContext,
  log, logEnabled, LogLevel, removeHeader, replaceHeader, RootContext, BufferType,
} from "./proxy-wasm";
import { parseConfig, RouterConfig, Scope } from "./config";
import { decisionIndex, decisionReason, REASON_NAMES, selectVersion } from "./select";

// Envoy already prefixes each line with the plugin name, root id and vm id.
const LOG_PREFIX = "";
const CONTENT_TYPE = String.UTF8.encode("content-type");
const GRPC_CONTENT_TYPE = String.UTF8.encode("application/grpc");
const LOGGED_VALUE_BYTES = 64;

// Request headers are scanned one stream at a time, so one cursor serves them all.
const cursor = new HeaderCursor();

export class VersionRouterRoot extends RootContext {
  config: RouterConfig | null = null;

  onConfigure(pluginConfigurationSize: u32): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize);
    const result = parseConfig(bytes);
    const config = result.config;
    if (config === null) {
      log(LogLevel.Error, LOG_PREFIX + "invalid configuration: " + result.error);
      return false;
    }
    this.config = config;
    log(LogLevel.Info, LOG_PREFIX + "configured " + config.describe());
    return true;
  }

  createHttpContext(id: u32): HttpContext {
    return new VersionRouterStream(id, this);
  }
}

class VersionRouterStream extends HttpContext {
  onRequestHeaders(headerCount: u32, endOfStream: bool): FilterHeadersStatus {
    const config = (<VersionRouterRoot>this.root).config;
    if (config === null) return FilterHeadersStatus.Continue;
    if (!cursor.load(HeaderMapType.RequestHeaders)) return FilterHeadersStatus.Continue;

    let count = 0;
    let named = -1;
    let grpc = false;
    let firstValue = "";
    const debug = logEnabled(LogLevel.Debug);
    while (cursor.next()) {
      if (equalsBytes(cursor.keyData, cursor.keySize, config.headerBytes)) {
        const index = versionIndex(config, cursor.valueData, cursor.valueSize);
        if (count == 0) {
          named = index;
          if (debug) firstValue = printable(cursor.valueData, cursor.valueSize);
        } else if (index != named) {
          named = -1;
        }
        count++;
      } else if (equalsBytes(cursor.keyData, cursor.keySize, CONTENT_TYPE)) {
        grpc = isGrpcContentType(cursor.valueData, cursor.valueSize);
      }
    }
    cursor.release();

    if (config.scope == Scope.Grpc && !grpc) {
      if (debug) log(LogLevel.Debug, LOG_PREFIX + "not gRPC, left alone (scope grpc)");
      return FilterHeadersStatus.Continue;
    }

    const decision = selectVersion(count, named, config.defaultIndex);
    const index = decisionIndex(decision);
    const version = config.versionBytes[index];
    if (count == 0) {
      addHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    } else if (count > 1) {
      // Envoy's replace keeps later copies in some versions; remove all, then add one.
      removeHeader(HeaderMapType.RequestHeaders, config.headerBytes);
      addHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    } else if (index != named) {
      replaceHeader(HeaderMapType.RequestHeaders, config.headerBytes, version);
    }

    if (debug) {
      const seen = count == 0 ? "missing"
        : count == 1 ? "\"" + firstValue + "\""
        : "sent " + count.toString() + " times, first \"" + firstValue + "\"";
      log(LogLevel.Debug, LOG_PREFIX + config.header + " " + seen + " -> " +
        config.versions[index] + " (" + REASON_NAMES[decisionReason(decision)] + ")");
    }
    return FilterHeadersStatus.Continue;
  }
}

function versionIndex(config: RouterConfig, data: usize, size: u32): i32 {
  const versions = config.versionBytes;
  for (let i = 0; i < versions.length; i++) {
    if (equalsBytes(data, size, unchecked(versions[i]))) return i;
  }
  return -1;
}

function equalsBytes(data: usize, size: u32, expected: ArrayBuffer): bool {
  return <i32>size == expected.byteLength &&
    memory.compare(data, changetype<usize>(expected), size) == 0;
}

// The same test as Envoy's gRPC route matcher: "application/grpc", alone or followed by
// "+" or ";".
function isGrpcContentType(data: usize, size: u32): bool {
  const prefix = GRPC_CONTENT_TYPE.byteLength;
  if (<i32>size < prefix) return false;
  if (memory.compare(data, changetype<usize>(GRPC_CONTENT_TYPE), prefix) != 0) return false;
  if (<i32>size == prefix) return true;
  const next = load<u8>(data + prefix);
  return next == 0x2b || next == 0x3b;
}

// Header values are untrusted bytes: the log gets at most a short, escaped prefix.
function printable(data: usize, size: u32): string {
  let out = "";
  const shown = min<u32>(size, LOGGED_VALUE_BYTES);
  for (let i: u32 = 0; i < shown; i++) {
    const c = load<u8>(data + i);
    out += c >= 0x20 && c < 0x7f && c != 0x22 && c != 0x5c
      ? String.fromCharCode(c)
      : "\\x" + (c < 16 ? "0" : "") + c.toString(16);
  }
  if (size > shown) out += "...(" + size.toString() + " bytes)";
  return out;
}
