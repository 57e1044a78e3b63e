// The routing decision, apart from any host: which version a request goes to, and why.

export enum Reason {
  /** The request named a listed version. */
  Explicit = 0,
  /** The request named something that is not a listed version (or several different things). */
  Invalid = 1,
  /** The request named no version. */
  Default = 2,
}

export const REASON_NAMES: string[] = ["explicit", "invalid", "default"];

/** A version index and a reason in one value, so deciding allocates nothing. */
export type Decision = u32;

export function decisionIndex(decision: Decision): i32 {
  return <i32>(decision & 0xffff);
}

export function decisionReason(decision: Decision): Reason {
  return <Reason>(decision >>> 16);
}

function decide(index: i32, reason: Reason): Decision {
  return (<u32>reason << 16) | <u32>index;
}

/**
 * @param headerCount  how many times the request carries the version header
 * @param namedIndex   the index in `versions` that every occurrence names, or -1 when an
 *                     occurrence names no listed version or the occurrences disagree
 * @param defaultIndex the index of the configured default version
 */
export function selectVersion(headerCount: i32, namedIndex: i32, defaultIndex: i32): Decision {
  if (headerCount == 0) return decide(defaultIndex, Reason.Default);
  if (namedIndex >= 0) return decide(namedIndex, Reason.Explicit);
  return decide(defaultIndex, Reason.Invalid);
}
