// The host functions this module imports. Envoy provides each of them under `env`;
// nothing else may be imported, or Envoy refuses to load the module.

@external("env", "proxy_log")
export declare function proxy_log(level: u32, messageData: usize, messageSize: usize): u32;

@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(returnLevel: usize): u32;

@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(
  bufferType: u32, start: u32, maxSize: u32, returnData: usize, returnSize: usize,
): u32;

@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(
  mapType: u32, returnData: usize, returnSize: usize,
): u32;

@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(
  mapType: u32, keyData: usize, keySize: usize, valueData: usize, valueSize: usize,
): u32;

@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(
  mapType: u32, keyData: usize, keySize: usize, valueData: usize, valueSize: usize,
): u32;

@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(
  mapType: u32, keyData: usize, keySize: usize,
): u32;

@external("env", "proxy_get_property")
export declare function proxy_get_property(
  pathData: usize, pathSize: usize, returnData: usize, returnSize: usize,
): u32;

@external("env", "proxy_define_metric")
export declare function proxy_define_metric(
  metricType: u32, nameData: usize, nameSize: usize, returnMetricId: usize,
): u32;

@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): u32;

@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, offset: i64): u32;

// Envoy implements this WASI function; it seeds the filter's per-request randomness.
@external("wasi_snapshot_preview1", "random_get")
export declare function random_get(buffer: usize, length: usize): u16;

@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(period: u32): u32;
