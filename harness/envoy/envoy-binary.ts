import { existsSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../paths.js";
import { suitesEnabled } from "../suite-gate.js";

/** The Envoy binary the harness runs: ENVOY_BIN, else the one `make envoy` puts in .venv. */
export function envoyBinary(): string {
  return process.env.ENVOY_BIN || join(PROJECT_ROOT, ".venv/bin/envoy");
}

export function envoyAvailable(): boolean {
  return existsSync(envoyBinary());
}

/** Whether suites that need Envoy run here (see suitesEnabled). */
export function envoySuitesEnabled(): boolean {
  return suitesEnabled("Envoy", envoyAvailable(), `Envoy not found at ${envoyBinary()}: run 'make envoy' (or set ENVOY_BIN)`);
}
