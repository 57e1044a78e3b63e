// The module's entry: the proxy-wasm ABI, with the version router as its root context.
import { RootContext, registerRootContext } from "./proxy-wasm";
import { VersionRouterRoot } from "./version-router";

export * from "./proxy-wasm/entry";

registerRootContext((id: u32): RootContext => new VersionRouterRoot(id));
