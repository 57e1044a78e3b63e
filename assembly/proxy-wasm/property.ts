import { proxy_get_property } from "./imports";
import { freeReturned, returnDataSlot, returnedData, returnedSize, returnSizeSlot } from "./memory";
import { WasmResult } from "./types";
import { utf8 } from "./utf8";

/** A property path as the host takes it: its segments joined by NUL, e.g. connection, uri_san_peer_certificate. */
export function propertyPath(segments: string[]): ArrayBuffer {
  return utf8(segments.join("\0"));
}

/**
 * One property value as the host serializes it (a string raw, a list of strings as header-map
 * pairs with empty values), held in the module's memory from load() until release().
 */
export class PropertyValue {
  data: usize = 0;
  size: u32 = 0;

  /** Fetches the property at `path` (propertyPath); false if the host has none. */
  load(path: ArrayBuffer): bool {
    this.release();
    const result = proxy_get_property(changetype<usize>(path), path.byteLength, returnDataSlot(), returnSizeSlot());
    if (result != WasmResult.Ok) return false;
    this.data = returnedData();
    this.size = <u32>returnedSize();
    return true;
  }

  release(): void {
    freeReturned(this.data);
    this.data = 0;
    this.size = 0;
  }
}
