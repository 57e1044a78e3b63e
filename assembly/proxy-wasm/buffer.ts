import { proxy_get_buffer_bytes } from "./imports";
import { freeReturned, returnDataSlot, returnedData, returnedSize, returnSizeSlot } from "./memory";
import { BufferType, WasmResult } from "./types";

/** Copies `size` bytes of a host buffer (e.g. the plugin configuration) into the module. */
export function getBufferBytes(type: BufferType, start: u32, size: u32): ArrayBuffer {
  if (size == 0) return new ArrayBuffer(0);
  const result = proxy_get_buffer_bytes(type, start, size, returnDataSlot(), returnSizeSlot());
  if (result != WasmResult.Ok) return new ArrayBuffer(0);
  const ptr = returnedData();
  const length = <i32>returnedSize();
  const bytes = new ArrayBuffer(length);
  memory.copy(changetype<usize>(bytes), ptr, length);
  freeReturned(ptr);
  return bytes;
}
