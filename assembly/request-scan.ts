// The scans of the request headers: the request line (:authority and :path, which say whose the
// request is), then for its service the version header's occurrences, whether the request is
// gRPC, and where the headers and cookies that stickyBy and cohorts read are. Values are
// positions in the host's header buffer, valid until the cursor releases it, packed into a
// u64 (see valueAt) so that nothing is allocated per request.
import { equalsBytes, sameBytes } from "./bytes";
import { Key, Service } from "./compiled-config";
import { KeySource, MatchKind } from "./config-model";
import { HeaderCursor, utf8 } from "./proxy-wasm";

const AUTHORITY = utf8(":authority");
const PATH = utf8(":path");
const CONTENT_TYPE = utf8("content-type");
const COOKIE = utf8("cookie");
const GRPC_CONTENT_TYPE = utf8("application/grpc");
// HTTP/2 clients may split cookies into many fields; more than this many are not read.
const MAX_COOKIE_FIELDS = 64;

/** A header or cookie value: its address and size in one number. */
export type Value = u64;
/** A key the request does not carry. */
export const NO_VALUE: Value = 0;

export function valueAt(data: usize, size: u32): Value {
  return ((<u64>data) << 32) | <u64>size;
}
export function valueData(value: Value): usize {
  return <usize>(value >>> 32);
}
export function valueSize(value: Value): u32 {
  return <u32>value;
}

export class RequestScan {
  /** The request's :authority and :path (see readLine). */
  authority: Value = NO_VALUE;
  path: Value = NO_VALUE;
  /** How many times the request carries the version header. */
  versionHeaderCount: i32 = 0;
  /** The version index every occurrence names, or -1. */
  namedIndex: i32 = -1;
  /** The first occurrence's value. */
  firstVersionValue: Value = NO_VALUE;
  grpc: bool = false;

  private keyValues: StaticArray<Value> = new StaticArray<Value>(0);
  private cookieValues: StaticArray<Value> = new StaticArray<Value>(MAX_COOKIE_FIELDS);
  private cookieFields: i32 = 0;

  /**
   * Reads the pseudo-headers, which say whose the request is. Envoy keeps them ahead of every
   * other header in a map, so this stops at the first header that is not one.
   */
  readLine(cursor: HeaderCursor): void {
    this.authority = NO_VALUE;
    this.path = NO_VALUE;
    cursor.rewind();
    while (cursor.next()) {
      const key = cursor.keyData;
      if (cursor.keySize == 0 || load<u8>(key) != 0x3a) break;
      const value = valueAt(cursor.valueData, cursor.valueSize);
      if (equalsBytes(key, cursor.keySize, AUTHORITY)) this.authority = value;
      else if (equalsBytes(key, cursor.keySize, PATH)) this.path = value;
    }
  }

  /** Reads every request header once, through `cursor`, for what `service` decides by. */
  scan(service: Service, cursor: HeaderCursor): void {
    const keyHeaders = service.keyHeaders;
    const slots = keyHeaders.length;
    if (this.keyValues.length < slots) this.keyValues = new StaticArray<Value>(slots);
    for (let i = 0; i < slots; i++) unchecked((this.keyValues[i] = NO_VALUE));
    this.versionHeaderCount = 0;
    this.namedIndex = -1;
    this.grpc = false;
    this.cookieFields = 0;
    const cookies = service.readsCookies;

    cursor.rewind();
    while (cursor.next()) {
      const key = cursor.keyData;
      const keySize = cursor.keySize;
      const value = valueAt(cursor.valueData, cursor.valueSize);
      if (equalsBytes(key, keySize, service.headerBytes)) {
        const index = versionIndex(service, cursor.valueData, cursor.valueSize);
        if (this.versionHeaderCount == 0) {
          this.namedIndex = index;
          this.firstVersionValue = value;
        } else if (index != this.namedIndex) {
          this.namedIndex = -1;
        }
        this.versionHeaderCount++;
      } else if (equalsBytes(key, keySize, CONTENT_TYPE)) {
        this.grpc = isGrpcContentType(cursor.valueData, cursor.valueSize);
      } else if (cookies && equalsBytes(key, keySize, COOKIE)) {
        if (this.cookieFields < MAX_COOKIE_FIELDS) {
          unchecked((this.cookieValues[this.cookieFields] = value));
          this.cookieFields++;
        }
      }
      for (let i = 0; i < slots; i++) {
        if (unchecked(this.keyValues[i]) == NO_VALUE && equalsBytes(key, keySize, unchecked(keyHeaders[i]))) {
          unchecked((this.keyValues[i] = value));
          break;
        }
      }
    }
  }

  /** The first value of the header at `slot` (a Key's), or NO_VALUE. */
  headerValue(slot: i32): Value {
    return unchecked(this.keyValues[slot]);
  }

  /** A header's first value or a cookie's value, or NO_VALUE. */
  keyValue(ref: Key): Value {
    if (ref.source == KeySource.Header) return unchecked(this.keyValues[ref.slot]);
    for (let i = 0; i < this.cookieFields; i++) {
      const field = unchecked(this.cookieValues[i]);
      const found = findCookie(valueData(field), valueSize(field), ref.nameBytes);
      if (found != NO_VALUE) return found;
    }
    return NO_VALUE;
  }
}

/** Whether `value` matches `expected` the way `kind` says, byte for byte. */
export function valueMatches(value: Value, kind: MatchKind, expected: ArrayBuffer): bool {
  const data = valueData(value);
  const size = <i32>valueSize(value);
  const want = changetype<usize>(expected);
  const length = expected.byteLength;
  if (size < length) return false;
  if (kind == MatchKind.Exact) return size == length && sameBytes(data, want, length);
  if (kind == MatchKind.Prefix) return sameBytes(data, want, length);
  if (kind == MatchKind.Suffix) return sameBytes(data + size - length, want, length);
  for (let at = 0; at <= size - length; at++) {
    if (sameBytes(data + at, want, length)) return true;
  }
  return false;
}

// A Cookie field is `name=value` pairs separated by ';' and optional spaces (RFC 6265).
function findCookie(data: usize, size: u32, name: ArrayBuffer): Value {
  const end = data + size;
  let at = data;
  while (at < end) {
    while (at < end && (load<u8>(at) == 0x20 || load<u8>(at) == 0x3b)) at++;
    let pairEnd = at;
    while (pairEnd < end && load<u8>(pairEnd) != 0x3b) pairEnd++;
    let eq = at;
    while (eq < pairEnd && load<u8>(eq) != 0x3d) eq++;
    if (eq < pairEnd && equalsBytes(at, <u32>(eq - at), name)) {
      let start = eq + 1;
      let stop = pairEnd;
      while (stop > start && load<u8>(stop - 1) == 0x20) stop--;
      if (stop - start >= 2 && load<u8>(start) == 0x22 && load<u8>(stop - 1) == 0x22) {
        start++;
        stop--;
      }
      return valueAt(start, <u32>(stop - start));
    }
    at = pairEnd;
  }
  return NO_VALUE;
}

function versionIndex(service: Service, data: usize, size: u32): i32 {
  const versions = service.versionBytes;
  for (let i = 0; i < versions.length; i++) {
    if (equalsBytes(data, size, unchecked(versions[i]))) return i;
  }
  return -1;
}

// The same test as Envoy's gRPC route matcher: "application/grpc", alone or followed by
// "+" or ";".
function isGrpcContentType(data: usize, size: u32): bool {
  const prefix = GRPC_CONTENT_TYPE.byteLength;
  if (<i32>size < prefix) return false;
  if (!sameBytes(data, changetype<usize>(GRPC_CONTENT_TYPE), prefix)) return false;
  if (<i32>size == prefix) return true;
  const next = load<u8>(data + prefix);
  return next == 0x2b || next == 0x3b;
}
