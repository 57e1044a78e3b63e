// The identities a restricted version or a cohort asks for, and how a value is matched against
// one. Where the values come from (Envoy's verified JWT payload, the client certificate, a
// trusted header) is request-identity.ts; decide() asks only whether a request holds one.
import { sameBytes } from "./bytes";
import { IdentityMatch, IdentityModel, IdentitySource } from "./config-model";
import { propertyPath, utf8 } from "./proxy-wasm";

/** Where Envoy's jwt_authn filter puts the verified payload (Istio's RequestAuthentication: `payload`). */
const JWT_PAYLOAD = ["metadata", "filter_metadata", "envoy.filters.http.jwt_authn", "payload"];

export class Identity {
  readonly source: IdentitySource;
  readonly match: IdentityMatch;
  readonly value: ArrayBuffer;
  /** The property a claim or SAN is read from; empty for a trusted header. */
  readonly path: ArrayBuffer;

  constructor(
    model: IdentityModel,
    /** A trusted header's slot in the request scan; -1 otherwise. */
    readonly headerSlot: i32,
  ) {
    this.source = model.source;
    this.match = model.match;
    this.value = utf8(model.value);
    if (model.source == IdentitySource.Claim) this.path = propertyPath(JWT_PAYLOAD.concat([model.name]));
    else if (model.source == IdentitySource.San) this.path = propertyPath(["connection", model.name + "_san_peer_certificate"]);
    else this.path = new ArrayBuffer(0);
  }
}

/** What decide() knows of a request's identity: whether it holds one. Reading may cost a host call, so it is asked only when a decision depends on it. */
export abstract class IdentityFacts {
  abstract holds(identity: Identity): bool;
}

/** Whether the request holds any of `identities`. */
export function holdsAny(facts: IdentityFacts, identities: Identity[]): bool {
  for (let i = 0; i < identities.length; i++) {
    if (facts.holds(unchecked(identities[i]))) return true;
  }
  return false;
}

/**
 * Whether the value at `data` matches `identity`. `maybeList`: the value may be a list of
 * strings as Envoy serializes one (a claim), which `includes` searches element by element.
 */
export function valueHolds(data: usize, size: u32, identity: Identity, maybeList: bool): bool {
  const want = changetype<usize>(identity.value);
  const length = <u32>identity.value.byteLength;
  if (identity.match == IdentityMatch.Exact) return size == length && sameBytes(data, want, length);
  if (identity.match == IdentityMatch.Prefix) return size >= length && sameBytes(data, want, length);
  if (maybeList && isStringList(data, size)) return listIncludes(data, want, length);
  return hasWord(data, size, want, length);
}

// A list as Envoy serializes it for proxy_get_property: u32 count, then (u32 size, u32 0) per
// element, then each element followed by NUL and an empty value's NUL. Checked whole, so that
// only a value of exactly that shape is read as a list.
function isStringList(data: usize, size: u32): bool {
  if (size < 4) return false;
  const count = load<u32>(data);
  if (count == 0 || <u64>count * 8 + 4 > <u64>size) return false;
  let at = 4 + count * 8;
  for (let i: u32 = 0; i < count; i++) {
    const keySize = load<u32>(data + 4 + i * 8);
    if (load<u32>(data + 8 + i * 8) != 0) return false;
    if (<u64>at + <u64>keySize + 2 > <u64>size) return false;
    if (load<u8>(data + at + keySize) != 0 || load<u8>(data + at + keySize + 1) != 0) return false;
    at += keySize + 2;
  }
  return at == size;
}

function listIncludes(data: usize, want: usize, length: u32): bool {
  const count = load<u32>(data);
  let at = data + 4 + count * 8;
  for (let i: u32 = 0; i < count; i++) {
    const keySize = load<u32>(data + 4 + i * 8);
    if (keySize == length && sameBytes(at, want, length)) return true;
    at += keySize + 2;
  }
  return false;
}

// A space-delimited string (an OAuth scope): one of its words.
function hasWord(data: usize, size: u32, want: usize, length: u32): bool {
  let start: u32 = 0;
  while (start < size) {
    while (start < size && load<u8>(data + start) == 0x20) start++;
    let end = start;
    while (end < size && load<u8>(data + end) != 0x20) end++;
    if (end - start == length && sameBytes(data + start, want, length)) return true;
    start = end;
  }
  return false;
}
