// The functions the host calls. Each finds the root context it names and hands over to its
// methods; an id the module does not know is answered with the ABI's neutral value.
// Envoy calls only what a module exports, and each call costs a crossing into the VM: the
// module exports no response or per-stream callbacks it would not use.
import { newRootContext, RootContext } from "./context";
import { proxy_increment_metric } from "./imports";
import { defineCounter, NO_METRIC } from "./metrics";
import { NO_PARENT, parentOf, rememberParent } from "./stream-parents";
import { FilterHeadersStatus } from "./types";

// A stream whose root cannot be found (stream-parents' reading of Envoy's call order broken)
// passes untouched; it is counted, defined with the first configuration so it shows from 0.
let withoutRoot: u32 = NO_METRIC;

// A VM holds one root per plugin that shares it (usually one, a few when plugins share a
// vm_id): a list searched in order costs less code and time than a map.
const roots: RootContext[] = [];

function rootAt(id: u32): i32 {
  for (let i = 0; i < roots.length; i++) if (unchecked(roots[i]).id == id) return i;
  return -1;
}

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    roots.push(newRootContext(contextId));
  } else {
    rememberParent(contextId, parentId);
  }
}

export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: u32): bool {
  const at = rootAt(rootId);
  return at < 0 || roots[at].onVmStart(vmConfigurationSize);
}

export function proxy_on_configure(rootId: u32, pluginConfigurationSize: u32): bool {
  const at = rootAt(rootId);
  if (at < 0) return false;
  const accepted = roots[at].onConfigure(pluginConfigurationSize);
  if (withoutRoot == NO_METRIC) withoutRoot = defineCounter("streams_without_root");
  __collect();
  return accepted;
}

export function proxy_on_tick(rootId: u32): void {
  const at = rootAt(rootId);
  if (at >= 0) roots[at].onTick();
}

export function proxy_on_request_headers(contextId: u32, requestHeaderCount: u32, endOfStream: bool): u32 {
  const rootId = parentOf(contextId);
  const at = rootId == NO_PARENT ? -1 : rootAt(rootId);
  if (at < 0) {
    if (withoutRoot != NO_METRIC) proxy_increment_metric(withoutRoot, 1);
    return FilterHeadersStatus.Continue;
  }
  return roots[at].onRequestHeaders(contextId, requestHeaderCount, endOfStream);
}

// A root is deleted when its plugin is removed or reconfigured (Envoy starts a new root for
// the new configuration on the same VM); without this its configuration would stay, and what
// it counted since its last tick would be lost (onDone hands it over first). Envoy calls it for
// every stream too: a stream id is no root's, so that costs one search. (proxy_on_done is not
// exported: Envoy would call it for every stream as well, a crossing more per request.)
export function proxy_on_delete(contextId: u32): void {
  const at = rootAt(contextId);
  if (at < 0) return;
  roots[at].onDone();
  roots[at] = roots[roots.length - 1];
  roots.pop();
  __collect();
}
