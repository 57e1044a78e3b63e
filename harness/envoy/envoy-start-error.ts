export class EnvoyStartError extends Error {
  constructor(
    message: string,
    readonly log: string[],
  ) {
    super(`${message}\n--- Envoy log (last 30 lines) ---\n${log.slice(-30).join("\n")}`);
  }
}
