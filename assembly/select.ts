// The routing decision, apart from any host: which version a request goes to, and why.
import { Cohort, Weights } from "./config";

export enum Reason {
  /** The request named a listed version. */
  Explicit = 0,
  /** The request named something that is not a listed version (or several different things). */
  Invalid = 1,
  /** The request named no version, and no cohort or canary applied. */
  Default = 2,
  /** The request named no version and matched a cohort. */
  Cohort = 3,
  /** The request named no version; the canary weights chose. */
  Canary = 4,
}

export const REASON_NAMES: string[] = ["explicit", "invalid", "default", "cohort", "canary"];

/** Weighted choices map a key's hash (or a random number) to one of this many buckets. */
export const BUCKETS: u32 = 10_000;

/** A version index and a reason in one value, so deciding allocates nothing. */
export type Decision = u32;

export function decisionIndex(decision: Decision): i32 {
  return <i32>(decision & 0xffff);
}

export function decisionReason(decision: Decision): Reason {
  return <Reason>(decision >>> 16);
}

function decide(index: i32, reason: Reason): Decision {
  return ((<u32>reason) << 16) | <u32>index;
}

/**
 * The version whose share of the cumulative weights holds `bucket` (0 <= bucket < BUCKETS),
 * in the order of `versions`: bucket / BUCKETS < cumulative[i] / total.
 */
export function weightedIndex(weights: Weights, bucket: u32): i32 {
  const scaled = <u64>bucket * <u64>weights.total;
  const last = weights.cumulative.length - 1;
  for (let i = 0; i < last; i++) {
    if (scaled < <u64>unchecked(weights.cumulative[i]) * <u64>BUCKETS) return i;
  }
  return last;
}

/**
 * @param headerCount  how many times the request carries the version header
 * @param namedIndex   the index in `versions` that every occurrence names, or -1 when an
 *                     occurrence names no listed version or the occurrences disagree
 * @param defaultIndex the index of the configured default version
 * @param cohort       the first cohort the request matches, or null
 * @param canary       the canary weights, or null
 * @param bucket       the request's bucket (sticky key hash or random) for weighted choices
 */
export function selectVersion(
  headerCount: i32,
  namedIndex: i32,
  defaultIndex: i32,
  cohort: Cohort | null,
  canary: Weights | null,
  bucket: u32,
): Decision {
  if (headerCount > 0) {
    return namedIndex >= 0 ? decide(namedIndex, Reason.Explicit) : decide(defaultIndex, Reason.Invalid);
  }
  if (cohort !== null) {
    const weights = cohort.weights;
    return decide(weights !== null ? weightedIndex(weights, bucket) : cohort.version, Reason.Cohort);
  }
  if (canary !== null) return decide(weightedIndex(canary, bucket), Reason.Canary);
  return decide(defaultIndex, Reason.Default);
}
