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

/** Where a verified identity comes from: what a client cannot set, or a hop the user trusts. */
export enum IdentitySource {
  /** A claim of the JWT payload Envoy's jwt_authn verified (its dynamic metadata). */
  Claim,
  /** The client certificate's first URI or DNS SAN, which the TLS handshake verified. */
  San,
  /** A request header that a trusted hop in front of the gateway sets; the user states it can. */
  TrustedHeader,
}

export enum IdentityMatch {
  /** The value is this string. */
  Exact,
  /** A list holding this string, or a space-delimited string with it as one of its words. */
  Includes,
  /** The value starts with this string. */
  Prefix,
}

/** One identity a request may carry: a claim, SAN or trusted header, and what its value must be. */
export class IdentityModel {
  constructor(
    readonly source: IdentitySource,
    /** The claim's or the header's name (a header's lower-cased); for the SAN "uri" or "dns". */
    readonly name: string,
    readonly match: IdentityMatch,
    readonly value: string,
  ) {}
}

export class CohortModel {
  /** A fixed version index, or -1 when `weights` decides. */
  version: i32 = -1;
  weights: Weights | null = null;
  /** A cohort of an identity rather than of a header or cookie: then `key` is null (and `kind`, `value` unused). */
  identity: IdentityModel | null = null;
  constructor(
    readonly key: KeyModel | null,
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
  /** Per version, in the order of `versions`: the identities that may reach it (any one); empty for every request. */
  restricted: IdentityModel[][] = [];
  /** A request header the filter sets to `<version>;<reason>`, for access logs and traces; "" for none. */
  decisionHeader: string = "";
}

/** The whole configuration: one service, or (the shared layout) several, each owning its hosts. */
export class RouterModel {
  services: ServiceModel[] = [];
}
