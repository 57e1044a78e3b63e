import { existsSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../paths.js";

/** The Envoy binary the harness runs: ENVOY_BIN, else the one `make envoy` puts in .venv. */
export function envoyBinary(): string {
  return process.env.ENVOY_BIN || join(PROJECT_ROOT, ".venv/bin/envoy");
}

export function envoyAvailable(): boolean {
  return existsSync(envoyBinary());
}

/**
 * Whether suites that need Envoy should run. With REQUIRE_ENVOY=1 (CI) a missing binary
 * is an error, never a skip; on a laptop the suites skip and say how to enable them.
 */
export function envoySuitesEnabled(): boolean {
  if (envoyAvailable()) return true;
  const why = `Envoy not found at ${envoyBinary()}: run 'make envoy' (or set ENVOY_BIN)`;
  if (process.env.REQUIRE_ENVOY === "1") throw new Error(`${why}; REQUIRE_ENVOY=1 forbids skipping`);
  console.warn(`skipping Envoy suites: ${why}`);
  return false;
}
