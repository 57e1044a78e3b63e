import { FilterHeadersStatus } from "./types";

/** What root and stream contexts share: the host's id for them. */
export class Context {
  constructor(readonly id: u32) {}
}

/** One per plugin (root_id): holds the plugin's configuration and creates stream contexts. */
export class RootContext extends Context {
  onVmStart(vmConfigurationSize: u32): bool {
    return true;
  }

  /** Returning false rejects the configuration. */
  onConfigure(pluginConfigurationSize: u32): bool {
    return true;
  }

  createHttpContext(id: u32): HttpContext {
    return new HttpContext(id, this);
  }
}

/** One per HTTP stream (request and its response). */
export class HttpContext extends Context {
  constructor(
    id: u32,
    readonly root: RootContext,
  ) {
    super(id);
  }

  onRequestHeaders(requestHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(responseHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }
}

export type RootContextFactory = (id: u32) => RootContext;

let rootFactory: RootContextFactory = (id: u32): RootContext => new RootContext(id);

/** The plugin's entry point: called once at start-up with the plugin's root context class. */
export function registerRootContext(factory: RootContextFactory): void {
  rootFactory = factory;
}

export function newRootContext(id: u32): RootContext {
  return rootFactory(id);
}
