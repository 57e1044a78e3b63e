// The plugin configuration, as the validator builds it: data only.

export enum Scope {
  All,
  Grpc,
}

export enum KeySource {
  Header,
  Cookie,
}

/** A request header or cookie, named in the configuration. */
export class KeyRef {
  readonly nameBytes: ArrayBuffer;
  /** For a header: where the request scan records it (see planRequestScan). */
  slot: i32 = -1;
  constructor(
    readonly source: KeySource,
    readonly name: string,
  ) {
    this.nameBytes = String.UTF8.encode(name);
  }
}

export enum MatchKind {
  Exact,
  Prefix,
  Suffix,
  Contains,
}

/** Weights over `versions` as cumulative sums in their order, so a bucket maps to a version in one pass. */
export class Weights {
  cumulative: StaticArray<u32>;
  total: u32 = 0;
  constructor(count: i32) {
    this.cumulative = new StaticArray<u32>(count);
  }
}

export class Cohort {
  key: KeyRef;
  kind: MatchKind;
  value: ArrayBuffer;
  /** A fixed version index, or -1 when `weights` decides. */
  version: i32 = -1;
  weights: Weights | null = null;
  constructor(key: KeyRef, kind: MatchKind, value: ArrayBuffer) {
    this.key = key;
    this.kind = kind;
    this.value = value;
  }
}

/** What one scan of the request headers looks for besides the version header. */
export class ScanPlan {
  /** Distinct request headers that stickyBy and cohorts read, by slot. */
  keyHeaders: ArrayBuffer[] = [];
  readsCookies: bool = false;
}

/** The plugin configuration, checked, with the bytes the request path compares against. */
export class RouterConfig {
  header: string = "grpcsvc";
  versions: string[] = [];
  defaultIndex: i32 = 0;
  scope: Scope = Scope.All;
  stickyBy: KeyRef | null = null;
  cohorts: Cohort[] = [];
  canary: Weights | null = null;
  /** A request header the filter sets to `<version>;<reason>`, for access logs and traces; "" for none. */
  decisionHeader: string = "";
  /** UTF-8 forms, so a request is matched byte for byte without decoding. */
  headerBytes: ArrayBuffer = new ArrayBuffer(0);
  versionBytes: ArrayBuffer[] = [];
  decisionHeaderBytes: ArrayBuffer = new ArrayBuffer(0);
  scanPlan: ScanPlan = new ScanPlan();
}
