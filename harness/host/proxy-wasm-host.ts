// An in-process proxy-wasm host: loads the real filter.wasm with the platform's
// WebAssembly API and drives it through the same lifecycle Envoy does, over in-memory
// header maps. Fast enough for property tests with hundreds of thousands of requests.
import { randomFillSync } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  BufferType,
  ENVOY_ENV_IMPORTS,
  ENVOY_WASI_IMPORTS,
  HeaderMapType,
  LOG_LEVEL_NAMES,
  LogLevel,
  type LogLevelName,
  WasmResult,
} from "./abi.js";
import { type HeaderInput, HeaderMap } from "./header-map.js";

export interface LogEntry {
  level: LogLevelName;
  message: string;
}

export interface RequestOutcome {
  /** The request headers after the filter ran. */
  headers: HeaderMap;
  /** The response headers after the filter ran (the host answers each request with these). */
  responseHeaders: HeaderMap;
  /** What the filter returned from proxy_on_request_headers. */
  status: number;
  logs: LogEntry[];
}

interface FilterExports {
  memory: WebAssembly.Memory;
  _initialize?: () => void;
  proxy_on_memory_allocate: (size: number) => number;
  proxy_on_context_create: (id: number, parent: number) => void;
  proxy_on_vm_start: (rootId: number, size: number) => number;
  proxy_on_configure: (rootId: number, size: number) => number;
  proxy_on_request_headers: (id: number, headers: number, endOfStream: number) => number;
  proxy_on_response_headers?: (id: number, headers: number, endOfStream: number) => number;
  proxy_on_tick?: (rootId: number) => void;
  proxy_on_delete?: (id: number) => void;
}

/** The first plugin's root context; addPlugin() starts more, as plugins that share a VM. */
const ROOT_ID = 1;
const utf8Decoder = new TextDecoder();
const encoder = new TextEncoder();

export class ProxyWasmHost {
  readonly logs: LogEntry[] = [];
  /** The level the host reports to the module, as Envoy reports its `wasm` log level. */
  logLevel: LogLevelName = "info";
  private exports!: FilterExports;
  private nextContextId = ROOT_ID + 1;
  /** The plugins' root contexts, in filter chain order. */
  private readonly roots: number[] = [ROOT_ID];
  private current: Map<number, HeaderMap> = new Map();
  private buffers: Map<number, Uint8Array> = new Map();
  /** The tick period the root context asked for, in milliseconds; 0 for none. */
  tickPeriodMs = 0;
  /** Counters and gauges the filter defined, by name, as Envoy keeps them (without the wasmcustom prefix). */
  readonly counters = new Map<string, number>();
  readonly gauges = new Map<string, number>();
  /**
   * The properties proxy_get_property answers, by path (segments joined by NUL), as Envoy
   * serializes them (envoyProperty); set them before a request, as Envoy's filters before the
   * Wasm one would (jwt_authn's payload, the connection's certificate).
   */
  readonly properties = new Map<string, Uint8Array>();
  /** How many times the module asked for a property. */
  propertyReads = 0;
  private metricNames: string[] = [];
  private metricKinds: Array<"counter" | "gauge"> = [];

  private constructor(readonly module: WebAssembly.Module) {}

  /** Loads and starts the module (vm start); call configure() before sending requests. */
  static async load(wasmPath: string, options: { logLevel?: LogLevelName } = {}): Promise<ProxyWasmHost> {
    const module = await WebAssembly.compile(await readFile(wasmPath));
    const host = new ProxyWasmHost(module);
    host.logLevel = options.logLevel ?? "info";
    await host.instantiate();
    return host;
  }

  private async instantiate(): Promise<void> {
    const env = this.envImports();
    const wasi = this.wasiImports();
    for (const { module, name } of WebAssembly.Module.imports(this.module)) {
      const provided = module === "env" ? env : module === "wasi_snapshot_preview1" ? wasi : {};
      if (!(name in provided)) {
        throw new Error(`filter imports ${module}.${name}, which this host does not provide`);
      }
    }
    const instance = await WebAssembly.instantiate(this.module, { env, wasi_snapshot_preview1: wasi });
    this.exports = instance.exports as unknown as FilterExports;
    this.exports._initialize?.();
    this.exports.proxy_on_context_create(ROOT_ID, 0);
    this.buffers.set(BufferType.VmConfiguration, new Uint8Array(0));
    if (!this.exports.proxy_on_vm_start(ROOT_ID, 0)) throw new Error("proxy_on_vm_start returned false");
  }

  /** Hands the plugin configuration to a root context (the first plugin's by default); false if the filter rejects it. */
  configure(pluginConfig: string | Uint8Array, rootId = ROOT_ID): boolean {
    const bytes = typeof pluginConfig === "string" ? encoder.encode(pluginConfig) : pluginConfig;
    this.buffers.set(BufferType.PluginConfiguration, bytes);
    return this.exports.proxy_on_configure(rootId, bytes.length) !== 0;
  }

  /**
   * Another plugin on the same VM, as Envoy runs plugins that share a vm_id: a root context of
   * its own, configured, and after the others in the filter chain. Returns its root id; throws
   * if the filter rejects the configuration.
   */
  addPlugin(pluginConfig: string): number {
    const id = this.nextContextId++;
    this.exports.proxy_on_context_create(id, 0);
    if (!this.exports.proxy_on_vm_start(id, 0)) throw new Error("proxy_on_vm_start returned false");
    if (!this.configure(pluginConfig, id)) throw new Error(`plugin ${id} rejected ${pluginConfig}`);
    this.roots.push(id);
    return id;
  }

  /** What Envoy does every tick period: calls each root context's proxy_on_tick. */
  tick(): void {
    for (const root of this.roots) this.exports.proxy_on_tick?.(root);
  }

  /**
   * One HTTP stream through every plugin of this VM in order, as filters in one chain, calling
   * what the module exports as Envoy does: create context, request headers (end of stream),
   * response headers (`response`, end of stream), delete.
   */
  request(headers: readonly HeaderInput[], response: readonly HeaderInput[] = [[":status", "200"]]): RequestOutcome {
    return chainRequest([this], headers, response);
  }

  /** The request half of one stream over `map`, through every plugin; the last status. */
  decodeHeaders(map: HeaderMap): { status: number; streams: number[] } {
    let status = 0;
    const streams: number[] = [];
    this.current.set(HeaderMapType.RequestHeaders, map);
    for (const root of this.roots) {
      const id = this.nextContextId++;
      streams.push(id);
      this.exports.proxy_on_context_create(id, root);
      status = this.exports.proxy_on_request_headers(id, map.entries.length, 1);
    }
    this.current.delete(HeaderMapType.RequestHeaders);
    return { status, streams };
  }

  /** The response half of the streams decodeHeaders opened, then their deletion. */
  encodeHeaders(map: HeaderMap, streams: readonly number[]): void {
    this.current.set(HeaderMapType.ResponseHeaders, map);
    for (const id of [...streams].reverse()) this.exports.proxy_on_response_headers?.(id, map.entries.length, 1);
    this.current.delete(HeaderMapType.ResponseHeaders);
    for (const id of streams) this.exports.proxy_on_delete?.(id);
  }

  /**
   * Request headers for a stream whose context was never created: what the module does when it
   * cannot find a stream's root. Returns the status it gave.
   */
  requestHeadersOfUnknownStream(headers: readonly HeaderInput[]): number {
    const map = new HeaderMap(headers);
    this.current.set(HeaderMapType.RequestHeaders, map);
    const status = this.exports.proxy_on_request_headers(this.nextContextId++, map.entries.length, 1);
    this.current.delete(HeaderMapType.RequestHeaders);
    return status;
  }

  /** The module's linear memory size in bytes. */
  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  private bytes(ptr: number, size: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, ptr, size).slice();
  }

  /** Copies data into module memory it allocates, and writes the address and size to the slots. */
  private giveToModule(data: Uint8Array, ptrSlot: number, sizeSlot: number): number {
    const ptr = this.exports.proxy_on_memory_allocate(data.length);
    if (ptr === 0 && data.length > 0) return WasmResult.BadArgument;
    new Uint8Array(this.exports.memory.buffer, ptr, data.length).set(data);
    const view = new DataView(this.exports.memory.buffer);
    view.setUint32(ptrSlot, ptr, true);
    view.setUint32(sizeSlot, data.length, true);
    return WasmResult.Ok;
  }

  private envImports(): Record<string, (...args: number[]) => number> {
    const map = (type: number): HeaderMap | undefined => this.current.get(type);
    return {
      proxy_log: (level, ptr, size) => {
        this.logs.push({ level: LOG_LEVEL_NAMES[level] ?? "critical", message: utf8Decoder.decode(this.bytes(ptr, size)) });
        return WasmResult.Ok;
      },
      proxy_get_log_level: (slot) => {
        new DataView(this.exports.memory.buffer).setUint32(slot, LogLevel[this.logLevel], true);
        return WasmResult.Ok;
      },
      proxy_set_tick_period_milliseconds: (period) => {
        this.tickPeriodMs = period;
        return WasmResult.Ok;
      },
      proxy_get_buffer_bytes: (type, start, maxSize, ptrSlot, sizeSlot) => {
        const buffer = this.buffers.get(type);
        if (!buffer) return WasmResult.NotFound;
        return this.giveToModule(buffer.subarray(start, start + maxSize), ptrSlot, sizeSlot);
      },
      proxy_get_header_map_pairs: (type, ptrSlot, sizeSlot) => {
        const headers = map(type);
        if (!headers) return WasmResult.NotFound;
        return this.giveToModule(headers.serialize(), ptrSlot, sizeSlot);
      },
      proxy_get_header_map_value: (type, keyPtr, keySize, ptrSlot, sizeSlot) => {
        const value = map(type)?.values(this.bytes(keyPtr, keySize))[0];
        if (!value) return WasmResult.NotFound;
        return this.giveToModule(value, ptrSlot, sizeSlot);
      },
      proxy_add_header_map_value: (type, keyPtr, keySize, valuePtr, valueSize) => {
        const headers = map(type);
        if (!headers) return WasmResult.NotFound;
        headers.add(this.bytes(keyPtr, keySize), this.bytes(valuePtr, valueSize));
        return WasmResult.Ok;
      },
      proxy_replace_header_map_value: (type, keyPtr, keySize, valuePtr, valueSize) => {
        const headers = map(type);
        if (!headers) return WasmResult.NotFound;
        headers.replace(this.bytes(keyPtr, keySize), this.bytes(valuePtr, valueSize));
        return WasmResult.Ok;
      },
      proxy_remove_header_map_value: (type, keyPtr, keySize) => {
        const headers = map(type);
        if (!headers) return WasmResult.NotFound;
        headers.remove(this.bytes(keyPtr, keySize));
        return WasmResult.Ok;
      },
      proxy_get_property: (pathPtr, pathSize, ptrSlot, sizeSlot) => {
        this.propertyReads++;
        const value = this.properties.get(utf8Decoder.decode(this.bytes(pathPtr, pathSize)));
        if (!value) return WasmResult.NotFound;
        return this.giveToModule(value, ptrSlot, sizeSlot);
      },
      proxy_define_metric: (type, namePtr, nameSize, idSlot) => {
        const kind = type === 0 ? "counter" : type === 1 ? "gauge" : undefined;
        if (!kind) return WasmResult.BadArgument;
        const name = utf8Decoder.decode(this.bytes(namePtr, nameSize));
        let id = this.metricNames.indexOf(name);
        if (id < 0) {
          id = this.metricNames.push(name) - 1;
          this.metricKinds.push(kind);
          (kind === "counter" ? this.counters : this.gauges).set(name, 0);
        }
        new DataView(this.exports.memory.buffer).setUint32(idSlot, id, true);
        return WasmResult.Ok;
      },
      proxy_increment_metric: (id, offset) => {
        const name = this.metricNames[id];
        if (name === undefined || this.metricKinds[id] !== "counter") return WasmResult.NotFound;
        this.counters.set(name, this.counters.get(name)! + Number(offset));
        return WasmResult.Ok;
      },
      proxy_record_metric: (id, value) => {
        const name = this.metricNames[id];
        if (name === undefined || this.metricKinds[id] !== "gauge") return WasmResult.NotFound;
        this.gauges.set(name, Number(value));
        return WasmResult.Ok;
      },
    };
  }

  private wasiImports(): Record<string, (...args: number[]) => number> {
    return {
      random_get: (ptr, size) => {
        randomFillSync(new Uint8Array(this.exports.memory.buffer, ptr, size));
        return 0;
      },
    };
  }
}

/**
 * One HTTP stream through several VMs' filters in order, as an Envoy filter chain holding
 * several plugins does (Istio gives each WasmPlugin a VM of its own): each sees the headers the
 * ones before it left. The outcome's logs are every VM's, in chain order.
 */
export function chainRequest(
  hosts: readonly ProxyWasmHost[],
  headers: readonly HeaderInput[],
  response: readonly HeaderInput[] = [[":status", "200"]],
): RequestOutcome {
  const map = new HeaderMap(headers);
  const responseMap = new HeaderMap(response);
  const logsBefore = hosts.map((h) => h.logs.length);
  let status = 0;
  const streams = hosts.map((host) => {
    const decoded = host.decodeHeaders(map);
    status = decoded.status;
    return decoded.streams;
  });
  for (let i = hosts.length - 1; i >= 0; i--) hosts[i]!.encodeHeaders(responseMap, streams[i]!);
  const logs = hosts.flatMap((h, i) => h.logs.slice(logsBefore[i]));
  return { headers: map, responseHeaders: responseMap, status, logs };
}

/** The module's imports and exports as `module.name` strings, without instantiating it. */
export async function describeModule(wasmPath: string): Promise<{ imports: string[]; exports: string[] }> {
  const module = await WebAssembly.compile(await readFile(wasmPath));
  return {
    imports: WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`),
    exports: WebAssembly.Module.exports(module).map((e) => e.name),
  };
}

export { ENVOY_ENV_IMPORTS, ENVOY_WASI_IMPORTS };

/**
 * A property value as Envoy's proxy_get_property serializes it (measured on Envoy 1.40): a
 * string as its bytes, a list of strings as header-map pairs with empty values.
 */
export function envoyProperty(value: string | readonly string[]): Uint8Array {
  if (typeof value === "string") return encoder.encode(value);
  const items = value.map((v) => encoder.encode(v));
  const head = new DataView(new ArrayBuffer(4 + items.length * 8));
  head.setUint32(0, items.length, true);
  for (const [i, item] of items.entries()) head.setUint32(4 + i * 8, item.length, true);
  const body = items.flatMap((item) => [...item, 0, 0]);
  return new Uint8Array([...new Uint8Array(head.buffer), ...body]);
}

/** The property path of a claim of the payload Envoy's jwt_authn verified (payload_in_metadata: payload). */
export const claimPath = (claim: string) => ["metadata", "filter_metadata", "envoy.filters.http.jwt_authn", "payload", claim].join("\0");
/** The property path of the client certificate's first URI or DNS SAN. */
export const sanPath = (kind: "uri" | "dns") => ["connection", `${kind}_san_peer_certificate`].join("\0");
