import { random_get } from "./imports";

const SEED: usize = memory.data(4, 4);

/** 32 random bits from the host. */
export function hostRandom(): u32 {
  random_get(SEED, 4);
  return load<u32>(SEED);
}
