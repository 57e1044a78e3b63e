// The module's entry: the ABI exports, and the version router as its root context.
import "./proxy-wasm/abort";
import { RootContext, registerRootContext } from "./proxy-wasm";
import { VersionRouterRoot } from "./router";

export * from "./proxy-wasm/exports";
export { proxy_on_memory_allocate } from "./proxy-wasm/memory";

registerRootContext((id: u32): RootContext => new VersionRouterRoot(id));
