import {
  proxy_add_header_map_value,
  proxy_get_header_map_pairs,
  proxy_remove_header_map_value,
  proxy_replace_header_map_value,
} from "./imports";
import { freeReturned, returnDataSlot, returnedData, returnedSize, returnSizeSlot } from "./memory";
import { HeaderMapType, WasmResult } from "./types";

/**
 * A read-only cursor over one serialized header map, as the host returns it:
 * u32 count, then (u32 key size, u32 value size) per pair, then each key and value
 * followed by a NUL byte. The filter reads all request headers with one host call and
 * scans them in place, so a request costs no copies and no garbage.
 */
export class HeaderCursor {
  private base: usize = 0;
  private size: usize = 0;
  private count: u32 = 0;
  private index: u32 = 0;
  private sizes: usize = 0;
  private bytes: usize = 0;

  keyData: usize = 0;
  keySize: u32 = 0;
  valueData: usize = 0;
  valueSize: u32 = 0;

  /** Fetches the map from the host; false if the host has none. Call release() after. */
  load(type: HeaderMapType): bool {
    this.release();
    if (proxy_get_header_map_pairs(type, returnDataSlot(), returnSizeSlot()) != WasmResult.Ok) {
      return false;
    }
    this.base = returnedData();
    this.size = returnedSize();
    if (this.base == 0 || this.size < 4) {
      this.count = 0;
      return true;
    }
    const count = load<u32>(this.base);
    // A map whose announced sizes do not fit the buffer is treated as empty, never read past.
    const tableEnd = <u64>4 + <u64>count * 8;
    if (tableEnd > <u64>this.size) {
      this.count = 0;
      return true;
    }
    this.count = count;
    this.sizes = this.base + 4;
    this.bytes = this.base + <usize>tableEnd;
    this.index = 0;
    return true;
  }

  /** Goes back to before the first pair, so next() reads the map again. */
  rewind(): void {
    this.index = 0;
    this.bytes = this.sizes + ((<usize>this.count) << 3);
  }

  /** Advances to the next pair; false when there is none. */
  next(): bool {
    if (this.index >= this.count) return false;
    const keySize = load<u32>(this.sizes + ((<usize>this.index) << 3));
    const valueSize = load<u32>(this.sizes + ((<usize>this.index) << 3) + 4);
    const end = this.base + this.size;
    const needed = <u64>keySize + <u64>valueSize + 2;
    if (<u64>this.bytes + needed > <u64>end) {
      this.index = this.count;
      return false;
    }
    this.keyData = this.bytes;
    this.keySize = keySize;
    this.valueData = this.bytes + keySize + 1;
    this.valueSize = valueSize;
    this.bytes += <usize>needed;
    this.index++;
    return true;
  }

  release(): void {
    freeReturned(this.base);
    this.base = 0;
    this.size = 0;
    this.count = 0;
    this.index = 0;
  }
}

export function replaceHeader(type: HeaderMapType, key: ArrayBuffer, value: ArrayBuffer): void {
  proxy_replace_header_map_value(type, changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength);
}

/** replaceHeader with the value at `data` (`size` bytes) in module memory. */
export function replaceHeaderValue(type: HeaderMapType, key: ArrayBuffer, data: usize, size: u32): void {
  proxy_replace_header_map_value(type, changetype<usize>(key), key.byteLength, data, size);
}

export function addHeader(type: HeaderMapType, key: ArrayBuffer, value: ArrayBuffer): void {
  proxy_add_header_map_value(type, changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength);
}

export function removeHeader(type: HeaderMapType, key: ArrayBuffer): void {
  proxy_remove_header_map_value(type, changetype<usize>(key), key.byteLength);
}
