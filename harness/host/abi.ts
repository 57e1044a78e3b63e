// Numbers of the proxy-wasm ABI v0.2.1 the host side needs, as Envoy uses them.

export const LogLevel = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, critical: 5 } as const;
export type LogLevelName = keyof typeof LogLevel;
export const LOG_LEVEL_NAMES = Object.keys(LogLevel) as LogLevelName[];

export const WasmResult = { Ok: 0, NotFound: 1, BadArgument: 2, Empty: 7 } as const;

export const BufferType = { VmConfiguration: 6, PluginConfiguration: 7 } as const;

export const HeaderMapType = {
  RequestHeaders: 0,
  RequestTrailers: 1,
  ResponseHeaders: 2,
  ResponseTrailers: 3,
} as const;

/**
 * The `env` functions Envoy's proxy-wasm host provides for ABI 0.2.x, and the
 * `wasi_snapshot_preview1` functions it implements. A module importing anything else
 * does not load in Envoy.
 */
export const ENVOY_ENV_IMPORTS = new Set([
  "proxy_log",
  "proxy_get_log_level",
  "proxy_get_status",
  "proxy_set_tick_period_milliseconds",
  "proxy_get_current_time_nanoseconds",
  "proxy_get_property",
  "proxy_set_property",
  "proxy_continue_stream",
  "proxy_close_stream",
  "proxy_send_local_response",
  "proxy_get_shared_data",
  "proxy_set_shared_data",
  "proxy_register_shared_queue",
  "proxy_resolve_shared_queue",
  "proxy_dequeue_shared_queue",
  "proxy_enqueue_shared_queue",
  "proxy_get_header_map_pairs",
  "proxy_set_header_map_pairs",
  "proxy_get_header_map_size",
  "proxy_get_header_map_value",
  "proxy_add_header_map_value",
  "proxy_replace_header_map_value",
  "proxy_remove_header_map_value",
  "proxy_get_buffer_bytes",
  "proxy_get_buffer_status",
  "proxy_set_buffer_bytes",
  "proxy_http_call",
  "proxy_grpc_call",
  "proxy_grpc_stream",
  "proxy_grpc_send",
  "proxy_grpc_cancel",
  "proxy_grpc_close",
  "proxy_define_metric",
  "proxy_increment_metric",
  "proxy_record_metric",
  "proxy_get_metric",
  "proxy_set_effective_context",
  "proxy_done",
  "proxy_call_foreign_function",
]);

export const ENVOY_WASI_IMPORTS = new Set([
  "fd_write",
  "fd_read",
  "fd_close",
  "fd_seek",
  "fd_fdstat_get",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "environ_get",
  "environ_sizes_get",
  "args_get",
  "args_sizes_get",
  "clock_time_get",
  "random_get",
  "proc_exit",
  "sched_yield",
  "poll_oneoff",
]);
