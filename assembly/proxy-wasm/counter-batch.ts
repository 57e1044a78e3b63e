import { proxy_increment_metric } from "./imports";
import { NO_METRIC } from "./metrics";

/**
 * Counters counted in the module and handed to the host in one batch (flush, from a tick):
 * a host call per request would cost a crossing into Envoy every time, a batch costs one
 * per counter that moved since the last flush. What Envoy shows lags by up to one tick.
 */
export class CounterBatch {
  private readonly pending: StaticArray<u32>;

  /** `ids`: the host's metric ids, as defineCounter returned them (NO_METRIC: none). */
  constructor(private readonly ids: StaticArray<u32>) {
    this.pending = new StaticArray<u32>(ids.length);
  }

  add(index: i32): void {
    unchecked(this.pending[index]++);
  }

  flush(): void {
    for (let i = 0; i < this.ids.length; i++) {
      const count = unchecked(this.pending[i]);
      if (count == 0) continue;
      unchecked((this.pending[i] = 0));
      const id = unchecked(this.ids[i]);
      if (id != NO_METRIC) proxy_increment_metric(id, count);
    }
  }
}
