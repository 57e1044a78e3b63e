// The routing decision for a service's request, apart from any host: which version it goes
// to, and why. One function owns the whole order, explicit -> invalid -> restricted -> cohort ->
// canary -> default, including when a bucket is drawn and from which key; every input is a
// parameter. A restricted version is reached only by a request that holds one of its
// identities: named without it, the request goes to the default; a weighted choice never picks
// it for such a request (the other versions share its weight). (Which service a request belongs
// to is decided before, by ownerOf.)
import { Cohort, Service } from "./compiled-config";
import { Weights } from "./config-model";
import { fnv1a32 } from "./hash";
import { holdsAny, IdentityFacts } from "./identity";
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
 * The version among those not in `excluded` (a bit per version index) whose share of the
 * remaining weights holds `bucket`; -1 when no weight remains.
 */
export function weightedIndexWithout(weights: Weights, bucket: u32, excluded: u32): i32 {
  const count = weights.cumulative.length;
  let total: u64 = 0;
  for (let i = 0; i < count; i++) if ((excluded & (1 << i)) == 0) total += weights.of(i);
  if (total == 0) return -1;
  const scaled = <u64>bucket * total;
  let cumulative: u64 = 0;
  let last = -1;
  for (let i = 0; i < count; i++) {
    const w = weights.of(i);
    if ((excluded & (1 << i)) != 0 || w == 0) continue;
    cumulative += w;
    last = i;
    if (scaled < cumulative * <u64>BUCKETS) return i;
  }
  return last;
}

/**
 * @param service  the compiled configuration of the service that owns the request
 * @param request  what the scan of this request's headers found for that service
 * @param random   a fresh random number, used only when a weighted choice has no sticky key
 * @param identity what the request's verified identity holds, asked only when a decision depends on it
 */
export function decide(service: Service, request: RequestScan, random: u32, identity: IdentityFacts): Decision {
  const defaultIndex = service.model.defaultIndex;
  if (request.versionHeaderCount > 0) {
    const named = request.namedIndex;
    if (named < 0) return decision(defaultIndex, Reason.Invalid);
    return mayReach(service, named, identity) ? decision(named, Reason.Explicit) : decision(defaultIndex, Reason.Restricted);
  }
  const cohort = firstMatchingCohort(service, request, identity);
  if (cohort !== null) {
    const weights = cohort.weights;
    if (weights === null) return decision(cohort.version, Reason.Cohort);
    return weighted(service, weights, cohort.weightedRestricted, bucket(service, request, random), identity, Reason.Cohort);
  }
  const canary = service.model.canary;
  if (canary !== null)
    return weighted(service, canary, service.canaryRestricted, bucket(service, request, random), identity, Reason.Canary);
  return decision(defaultIndex, Reason.Default);
}

function mayReach(service: Service, version: i32, identity: IdentityFacts): bool {
  const identities = unchecked(service.restricted[version]);
  return identities.length == 0 || holdsAny(identity, identities);
}

/** A weighted choice; `restricted`: the restricted versions these weights give a share, which only their identities may get. */
function weighted(service: Service, weights: Weights, restricted: u32, bucket: u32, identity: IdentityFacts, reason: Reason): Decision {
  if (restricted == 0) return decision(weightedIndex(weights, bucket), reason);
  let excluded: u32 = 0;
  for (let v = 0; v < weights.cumulative.length; v++) {
    if ((restricted & (1 << v)) != 0 && !holdsAny(identity, unchecked(service.restricted[v]))) excluded |= 1 << v;
  }
  if (excluded == 0) return decision(weightedIndex(weights, bucket), reason);
  const index = weightedIndexWithout(weights, bucket, excluded);
  return index >= 0 ? decision(index, reason) : decision(service.model.defaultIndex, Reason.Restricted);
}

/** The first cohort the request is in; a cohort of one restricted version counts only for a request that may reach it. */
function firstMatchingCohort(service: Service, request: RequestScan, identity: IdentityFacts): Cohort | null {
  const cohorts = service.cohorts;
  for (let i = 0; i < cohorts.length; i++) {
    const cohort = unchecked(cohorts[i]);
    const id = cohort.identity;
    const key = cohort.key;
    let member = false;
    if (id !== null) {
      member = identity.holds(id);
    } else if (key !== null) {
      const value = request.keyValue(key);
      member = value != NO_VALUE && valueMatches(value, cohort.kind, cohort.value);
    }
    if (member && (cohort.version < 0 || mayReach(service, cohort.version, identity))) return cohort;
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
