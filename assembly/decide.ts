// The routing decision for a service's request, apart from any host: which version it goes
// to, and why. One function owns the whole order, explicit -> invalid -> cohort -> canary ->
// default, including when a bucket is drawn and from which key; every input is a parameter.
// (Which service a request belongs to is decided before, by ownerOf.)
import { Cohort, Service } from "./compiled-config";
import { Weights } from "./config-model";
import { fnv1a32 } from "./hash";
import { Reason } from "./reasons";
import { NO_VALUE, RequestScan, valueData, valueMatches, valueSize } from "./request-scan";

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

function decision(index: i32, reason: Reason): Decision {
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
 * @param service the compiled configuration of the service that owns the request
 * @param request what the scan of this request's headers found for that service
 * @param random  a fresh random number, used only when a weighted choice has no sticky key
 */
export function decide(service: Service, request: RequestScan, random: u32): Decision {
  const defaultIndex = service.model.defaultIndex;
  if (request.versionHeaderCount > 0) {
    const named = request.namedIndex;
    return named >= 0 ? decision(named, Reason.Explicit) : decision(defaultIndex, Reason.Invalid);
  }
  const cohort = firstMatchingCohort(service.cohorts, request);
  if (cohort !== null) {
    const weights = cohort.weights;
    if (weights === null) return decision(cohort.version, Reason.Cohort);
    return decision(weightedIndex(weights, bucket(service, request, random)), Reason.Cohort);
  }
  const canary = service.model.canary;
  if (canary !== null) return decision(weightedIndex(canary, bucket(service, request, random)), Reason.Canary);
  return decision(defaultIndex, Reason.Default);
}

function firstMatchingCohort(cohorts: Cohort[], request: RequestScan): Cohort | null {
  for (let i = 0; i < cohorts.length; i++) {
    const cohort = unchecked(cohorts[i]);
    const value = request.keyValue(cohort.key);
    if (value != NO_VALUE && valueMatches(value, cohort.kind, cohort.value)) return cohort;
  }
  return null;
}

/** The sticky key's bucket, so one user stays on one version; the random one without a key. */
function bucket(service: Service, request: RequestScan, random: u32): u32 {
  const sticky = service.stickyBy;
  if (sticky !== null) {
    const key = request.keyValue(sticky);
    if (key != NO_VALUE) return fnv1a32(valueData(key), valueSize(key)) % BUCKETS;
  }
  return random % BUCKETS;
}
