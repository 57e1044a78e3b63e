// The plugin configuration as the validator reads it: data only, in the configuration's own
// terms (names and strings). compileConfig turns it into what the request path compares against.

export enum Scope {
  All,
  Grpc,
}

export enum KeySource {
  Header,
  Cookie,
}

/** A request header or cookie, named in the configuration (a header name lower-cased). */
export class KeyModel {
  constructor(
    readonly source: KeySource,
    readonly name: string,
  ) {}
}

export enum MatchKind {
  Exact,
  Prefix,
  Suffix,
  Contains,
}

/** Weights over `versions` as cumulative sums in their order, so a bucket maps to a version in one pass. */
export class Weights {
  constructor(
    readonly cumulative: StaticArray<u32>,
    readonly total: u32,
  ) {}

  /** The weight of the version at `index`. */
  of(index: i32): u32 {
    return this.cumulative[index] - (index > 0 ? this.cumulative[index - 1] : 0);
  }
}

export class CohortModel {
  /** A fixed version index, or -1 when `weights` decides. */
  version: i32 = -1;
  weights: Weights | null = null;
  constructor(
    readonly key: KeyModel,
    readonly kind: MatchKind,
    readonly value: string,
  ) {}
}

/** One service: the requests it owns (hosts and paths) and how it routes them. */
export class ServiceModel {
  /** Names its counters and log lines, e.g. `shop/grpcsvc`; "" for none. */
  name: string = "";
  /** Host patterns, lower-cased: names, `*.` wildcards, or `*` for every host. */
  hosts: string[] = ["*"];
  /** Path prefixes that narrow the hosts; none: every path. */
  paths: string[] = [];
  header: string = "grpcsvc";
  versions: string[] = [];
  defaultIndex: i32 = 0;
  scope: Scope = Scope.All;
  stickyBy: KeyModel | null = null;
  cohorts: CohortModel[] = [];
  canary: Weights | null = null;
  /** A request header the filter sets to `<version>;<reason>`, for access logs and traces; "" for none. */
  decisionHeader: string = "";
}

/** The whole configuration: one service, or (the shared layout) several, each owning its hosts. */
export class RouterModel {
  services: ServiceModel[] = [];
}
