/**
 * The command line every harness Envoy runs with: one worker unless more are asked for, no hot
 * restart, info logs, and these loggers (e.g. "wasm:debug") at their own level.
 */
export function envoyArgs(configPath: string, componentLevels: string, workers = 1): string[] {
  return [
    "--config-path",
    configPath,
    "--concurrency",
    String(workers),
    "--disable-hot-restart",
    "--log-level",
    "info",
    "--component-log-level",
    componentLevels,
  ];
}
