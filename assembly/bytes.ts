// One byte comparison for the whole module: memory.compare inlines a loop at every call.

export function sameBytes(a: usize, b: usize, size: usize): bool {
  for (let i: usize = 0; i < size; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}

export function equalsBytes(data: usize, size: u32, expected: ArrayBuffer): bool {
  return <i32>size == expected.byteLength && sameBytes(data, changetype<usize>(expected), size);
}
