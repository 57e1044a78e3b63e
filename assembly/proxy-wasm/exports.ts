// The functions the host calls. Each finds the context it names and hands over to its
// methods; an id the module does not know is answered with the ABI's neutral value.
import { Context, HttpContext, newRootContext, RootContext } from "./context";
import { FilterHeadersStatus } from "./types";

// One map type for both kinds keeps the module small: each Map<K, V> is compiled anew.
const roots = new Map<u32, Context>();
const streams = new Map<u32, Context>();

// The minimal runtime collects only when asked; streams are the only steady source of
// garbage, so a collection after every few deleted streams keeps memory flat.
const STREAMS_PER_COLLECTION: u32 = 64;
let deletedStreams: u32 = 0;

function root(id: u32): RootContext {
  return changetype<RootContext>(roots.get(id));
}

function stream(id: u32): HttpContext {
  return changetype<HttpContext>(streams.get(id));
}

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    roots.set(contextId, newRootContext(contextId));
  } else if (roots.has(parentId)) {
    streams.set(contextId, root(parentId).createHttpContext(contextId));
  }
}

export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: u32): bool {
  return roots.has(rootId) ? root(rootId).onVmStart(vmConfigurationSize) : true;
}

export function proxy_on_configure(rootId: u32, pluginConfigurationSize: u32): bool {
  if (!roots.has(rootId)) return false;
  const accepted = root(rootId).onConfigure(pluginConfigurationSize);
  __collect();
  return accepted;
}

export function proxy_on_request_headers(contextId: u32, requestHeaderCount: u32, endOfStream: bool): u32 {
  if (!streams.has(contextId)) return FilterHeadersStatus.Continue;
  return stream(contextId).onRequestHeaders(requestHeaderCount, endOfStream);
}

export function proxy_on_response_headers(contextId: u32, responseHeaderCount: u32, endOfStream: bool): u32 {
  if (!streams.has(contextId)) return FilterHeadersStatus.Continue;
  return stream(contextId).onResponseHeaders(responseHeaderCount, endOfStream);
}

export function proxy_on_delete(contextId: u32): void {
  if (streams.delete(contextId)) {
    if (++deletedStreams % STREAMS_PER_COLLECTION == 0) __collect();
    return;
  }
  roots.delete(contextId);
}
