import { proxy_set_tick_period_milliseconds } from "./imports";

/** Asks the host to call this root's onTick every `milliseconds`, on each worker. */
export function setTickPeriod(milliseconds: u32): void {
  proxy_set_tick_period_milliseconds(milliseconds);
}
