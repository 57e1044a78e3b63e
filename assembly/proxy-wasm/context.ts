import { FilterHeadersStatus } from "./types";

/**
 * One per plugin (root_id): holds the plugin's configuration and handles its streams.
 * Streams have no object of their own: a filter that keeps nothing between a request and
 * its response costs the host no per-stream callbacks beyond creation and the request
 * headers (see exports.ts).
 */
export class RootContext {
  constructor(readonly id: u32) {}

  onVmStart(vmConfigurationSize: u32): bool {
    return true;
  }

  /** Returning false rejects the configuration. */
  onConfigure(pluginConfigurationSize: u32): bool {
    return true;
  }

  /** Called every tick period the root asked for (setTickPeriod), on each worker. */
  onTick(): void {}

  /**
   * Called when the host deletes the root (its plugin reconfigured or removed): the last moment
   * to hand the host what the root holds.
   */
  onDone(): void {}

  /** A stream's request headers; `streamId` is the host's id for the stream. */
  onRequestHeaders(streamId: u32, requestHeaderCount: u32, endOfStream: bool): FilterHeadersStatus {
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
