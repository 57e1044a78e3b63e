// What one scan of the request headers finds, for the decision: the version header's
// occurrences, whether it is gRPC, and where the headers and cookies that stickyBy and
// cohorts read are. Positions point into the host's header buffer, valid until release.

import { equalsBytes, sameBytes } from "./bytes";
import { KeyRef, KeySource, MatchKind, RouterConfig } from "./config";
import { HeaderCursor } from "./proxy-wasm";

const CONTENT_TYPE = String.UTF8.encode("content-type");
const COOKIE = String.UTF8.encode("cookie");
const GRPC_CONTENT_TYPE = String.UTF8.encode("application/grpc");
// HTTP/2 clients may split cookies into many fields; more than this many are not read.
const MAX_COOKIE_FIELDS = 64;

export class RequestView {
  versionCount: i32 = 0;
  /** The version index all occurrences name, or -1. */
  named: i32 = -1;
  firstValueData: usize = 0;
  firstValueSize: u32 = 0;
  grpc: bool = false;

  keyData: StaticArray<usize> = new StaticArray<usize>(0);
  keySize: StaticArray<u32> = new StaticArray<u32>(0);
  keyFound: StaticArray<bool> = new StaticArray<bool>(0);
  cookieData: StaticArray<usize> = new StaticArray<usize>(MAX_COOKIE_FIELDS);
  cookieSize: StaticArray<u32> = new StaticArray<u32>(MAX_COOKIE_FIELDS);
  cookieFields: i32 = 0;

  /** The value keyValue() found. */
  valueData: usize = 0;
  valueSize: u32 = 0;

  scan(config: RouterConfig, cursor: HeaderCursor): void {
    const slots = config.keyHeaders.length;
    if (this.keyData.length < slots) {
      this.keyData = new StaticArray<usize>(slots);
      this.keySize = new StaticArray<u32>(slots);
      this.keyFound = new StaticArray<bool>(slots);
    }
    for (let i = 0; i < slots; i++) unchecked((this.keyFound[i] = false));
    this.versionCount = 0;
    this.named = -1;
    this.grpc = false;
    this.cookieFields = 0;
    const cookies = config.readsCookies;

    while (cursor.next()) {
      const key = cursor.keyData;
      const keySize = cursor.keySize;
      if (equalsBytes(key, keySize, config.headerBytes)) {
        const index = versionIndex(config, cursor.valueData, cursor.valueSize);
        if (this.versionCount == 0) {
          this.named = index;
          this.firstValueData = cursor.valueData;
          this.firstValueSize = cursor.valueSize;
        } else if (index != this.named) {
          this.named = -1;
        }
        this.versionCount++;
      } else if (equalsBytes(key, keySize, CONTENT_TYPE)) {
        this.grpc = isGrpcContentType(cursor.valueData, cursor.valueSize);
      } else if (cookies && equalsBytes(key, keySize, COOKIE)) {
        if (this.cookieFields < MAX_COOKIE_FIELDS) {
          unchecked((this.cookieData[this.cookieFields] = cursor.valueData));
          unchecked((this.cookieSize[this.cookieFields] = cursor.valueSize));
          this.cookieFields++;
        }
      }
      for (let i = 0; i < slots; i++) {
        if (!unchecked(this.keyFound[i]) && equalsBytes(key, keySize, unchecked(config.keyHeaders[i]))) {
          unchecked((this.keyFound[i] = true));
          unchecked((this.keyData[i] = cursor.valueData));
          unchecked((this.keySize[i] = cursor.valueSize));
          break;
        }
      }
    }
  }

  /** Finds a header's first value or a cookie's value; sets valueData/valueSize. */
  keyValue(ref: KeyRef): bool {
    if (ref.source == KeySource.Header) {
      if (!unchecked(this.keyFound[ref.slot])) return false;
      this.valueData = unchecked(this.keyData[ref.slot]);
      this.valueSize = unchecked(this.keySize[ref.slot]);
      return true;
    }
    for (let i = 0; i < this.cookieFields; i++) {
      if (this.findCookie(unchecked(this.cookieData[i]), unchecked(this.cookieSize[i]), ref.nameBytes)) return true;
    }
    return false;
  }

  // A Cookie field is `name=value` pairs separated by ';' and optional spaces (RFC 6265).
  private findCookie(data: usize, size: u32, name: ArrayBuffer): bool {
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
        this.valueData = start;
        this.valueSize = <u32>(stop - start);
        return true;
      }
      at = pairEnd;
    }
    return false;
  }

  matches(kind: MatchKind, expected: ArrayBuffer): bool {
    const data = this.valueData;
    const size = <i32>this.valueSize;
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
}

function versionIndex(config: RouterConfig, data: usize, size: u32): i32 {
  const versions = config.versionBytes;
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
