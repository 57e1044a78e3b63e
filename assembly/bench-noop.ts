// The benchmark's floor: the same ABI layer with a root context that does nothing, so
// `make bench` can show what any proxy-wasm filter costs in Envoy before it does any work.
import { RootContext, registerRootContext } from "./proxy-wasm";

export * from "./proxy-wasm/entry";

registerRootContext((id: u32): RootContext => new RootContext(id));
