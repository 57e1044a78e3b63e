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
export const REASONS = ["explicit", "invalid", "default", "cohort", "canary"] as const;

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
