// FNV-1a, 32 bits: stable across builds and hosts, so one user key always lands in the
// same bucket, and cheap enough for every request.
export function fnv1a32(data: usize, size: u32): u32 {
  let hash: u32 = 0x811c9dc5;
  for (let i: u32 = 0; i < size; i++) {
    hash ^= load<u8>(data + i);
    hash *= 0x01000193;
  }
  return hash;
}

/** xorshift32: per-request randomness for requests without a sticky key. */
export class Xorshift32 {
  private state: u32;
  constructor(seed: u32) {
    this.state = seed != 0 ? seed : 0x9e3779b9;
  }
  next(): u32 {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return x;
  }
}
