// Why a request went where it did: the one list of decision reasons. Counters, the decision
// header and log lines name them from REASON_NAMES, in the order of Reason.

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
  /** The request named a restricted version (or a weighted choice had only restricted ones) without holding one of its identities. */
  Restricted = 5,
}

export const REASON_NAMES: string[] = ["explicit", "invalid", "default", "cohort", "canary", "restricted"];

/** How many reasons there are: each version has one counter per reason. */
export const REASON_COUNT: i32 = REASON_NAMES.length;
