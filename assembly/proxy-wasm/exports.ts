// The functions the host calls. Each finds the root context it names and hands over to its
// methods; an id the module does not know is answered with the ABI's neutral value.
// Envoy calls only what a module exports, and each call costs a crossing into the VM: the
// module exports no response or per-stream callbacks it would not use.
import { newRootContext, RootContext } from "./context";
import { NO_PARENT, parentOf, rememberParent } from "./stream-parents";
import { FilterHeadersStatus } from "./types";

const roots = new Map<u32, RootContext>();

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  if (parentId == 0) {
    roots.set(contextId, newRootContext(contextId));
  } else {
    rememberParent(contextId, parentId);
  }
}

export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: u32): bool {
  return roots.has(rootId) ? roots.get(rootId).onVmStart(vmConfigurationSize) : true;
}

export function proxy_on_configure(rootId: u32, pluginConfigurationSize: u32): bool {
  if (!roots.has(rootId)) return false;
  const accepted = roots.get(rootId).onConfigure(pluginConfigurationSize);
  __collect();
  return accepted;
}

export function proxy_on_tick(rootId: u32): void {
  if (roots.has(rootId)) roots.get(rootId).onTick();
}

export function proxy_on_request_headers(contextId: u32, requestHeaderCount: u32, endOfStream: bool): u32 {
  const rootId = parentOf(contextId);
  if (rootId == NO_PARENT || !roots.has(rootId)) return FilterHeadersStatus.Continue;
  return roots.get(rootId).onRequestHeaders(contextId, requestHeaderCount, endOfStream);
}

// A root is deleted when its plugin is removed or reconfigured (Envoy starts a new root for
// the new configuration on the same VM); without this its configuration would stay. Envoy
// calls it for every stream too: a stream id is not in `roots`, so that costs one lookup.
export function proxy_on_delete(contextId: u32): void {
  if (roots.delete(contextId)) __collect();
}
