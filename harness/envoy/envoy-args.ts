/**
 * The command line every harness Envoy runs with: one worker, no hot restart, info logs,
 * and these loggers (e.g. "wasm:debug") at their own level.
 */
export function envoyArgs(configPath: string, componentLevels: string): string[] {
  return [
    "--config-path",
    configPath,
    "--concurrency",
    "1",
    "--disable-hot-restart",
    "--log-level",
    "info",
    "--component-log-level",
    componentLevels,
  ];
}
