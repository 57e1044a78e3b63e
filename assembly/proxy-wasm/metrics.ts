import { proxy_define_metric, proxy_record_metric } from "./imports";
import { MetricType, WasmResult } from "./types";
import { utf8 } from "./utf8";

const METRIC_ID: usize = memory.data(4, 4);

/** Envoy numbers counters from 0, so "no counter" needs a value of its own. */
export const NO_METRIC: u32 = 0xffffffff;

function define(type: MetricType, name: string): u32 {
  const bytes = utf8(name);
  if (proxy_define_metric(type, changetype<usize>(bytes), bytes.byteLength, METRIC_ID) != WasmResult.Ok) {
    return NO_METRIC;
  }
  return load<u32>(METRIC_ID);
}

/** Defines (or finds) a counter by name; Envoy shows it as `wasmcustom.<name>`. */
export function defineCounter(name: string): u32 {
  return define(MetricType.Counter, name);
}

export function defineGauge(name: string): u32 {
  return define(MetricType.Gauge, name);
}

export function setGauge(id: u32, value: u64): void {
  if (id != NO_METRIC) proxy_record_metric(id, value);
}
