// The filter's decisions, restated in TypeScript, so tests can predict them exactly: the
// decision table for the version header, and the weighted choice for sticky keys —
// FNV-1a (32 bits) of the key, mod 10,000 buckets, over the cumulative weights in the
// order of `versions`.

/**
 * The decision table: one listed version, named by every copy of the header, stays (the
 * sent value itself is returned); anything else gets the default (`defaultVersion` itself).
 * `same` compares two values: strings by default, or bytes.
 */
export function tableVersion<T>(
  versions: readonly T[],
  defaultVersion: T,
  sent: readonly T[],
  same: (a: T, b: T) => boolean = Object.is,
): T {
  const first = sent[0];
  return first !== undefined && versions.some((v) => same(v, first)) && sent.every((v) => same(v, first)) ? first : defaultVersion;
}

/** Why a request went where it did: the filter counts every decision under one of these. */
export const REASONS = ["explicit", "invalid", "default", "cohort", "canary", "restricted"] as const;

export const BUCKETS = 10_000;

export function fnv1a32(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function bucketOf(key: string): number {
  return fnv1a32(new TextEncoder().encode(key)) % BUCKETS;
}

/** The version `key` gets under `weights` (missing versions weigh 0). */
export function weightedVersion(versions: readonly string[], weights: Readonly<Record<string, number>>, key: string): string {
  const total = versions.reduce((sum, v) => sum + (weights[v] ?? 0), 0);
  const scaled = bucketOf(key) * total;
  let cumulative = 0;
  for (const version of versions) {
    cumulative += weights[version] ?? 0;
    if (scaled < cumulative * BUCKETS) return version;
  }
  throw new Error("weights must sum to more than 0");
}

/** An identity a restricted version or cohort asks for, as the configuration writes it. */
export interface IdentitySpec {
  claim?: string;
  san?: "uri" | "dns";
  trustedHeader?: string;
  exact?: string;
  includes?: string;
  prefix?: string;
}

/** What a request verifiably carries: the JWT payload's claims, the client certificate's SANs, the trusted hop's headers. */
export interface RequestIdentity {
  claims?: Readonly<Record<string, string | readonly string[]>>;
  sans?: Partial<Record<"uri" | "dns", string>>;
  headers?: Readonly<Record<string, string>>;
}

/** Whether `identity` holds `spec`: exact and prefix on a string; includes a list's element or a string's space-delimited word. */
export function holdsIdentity(spec: IdentitySpec, identity: RequestIdentity): boolean {
  const value =
    spec.claim !== undefined
      ? identity.claims?.[spec.claim]
      : spec.san
        ? identity.sans?.[spec.san]
        : identity.headers?.[spec.trustedHeader!];
  if (value === undefined) return false;
  if (spec.exact !== undefined) return value === spec.exact;
  if (spec.prefix !== undefined) return typeof value === "string" && value.startsWith(spec.prefix);
  const words = typeof value === "string" ? value.split(" ") : value;
  return words.includes(spec.includes!);
}

export interface RestrictedConfig {
  versions: readonly string[];
  default: string;
  restricted: Readonly<Record<string, readonly IdentitySpec[]>>;
  canary?: Readonly<Record<string, number>>;
}

/**
 * Where a request goes with restricted versions: a named restricted version without one of its
 * identities goes to the default (restricted); a weighted choice (sticky by `key`) never picks a
 * restricted version for such a request, the others sharing its weight.
 */
export function restrictedDecision(
  config: RestrictedConfig,
  sent: readonly string[],
  identity: RequestIdentity,
  key: string,
): { version: string; reason: (typeof REASONS)[number] } {
  const mayReach = (v: string) =>
    (config.restricted[v] ?? []).length === 0 || config.restricted[v]!.some((s) => holdsIdentity(s, identity));
  if (sent.length > 0) {
    const named = tableVersion(config.versions, undefined, sent);
    if (named === undefined) return { version: config.default, reason: "invalid" };
    return mayReach(named) ? { version: named, reason: "explicit" } : { version: config.default, reason: "restricted" };
  }
  if (!config.canary) return { version: config.default, reason: "default" };
  const allowed = Object.fromEntries(config.versions.map((v) => [v, mayReach(v) ? (config.canary![v] ?? 0) : 0]));
  if (Object.values(allowed).every((w) => w === 0)) return { version: config.default, reason: "restricted" };
  return { version: weightedVersion(config.versions, allowed, key), reason: "canary" };
}
