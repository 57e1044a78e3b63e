import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PROJECT_ROOT } from "../paths.js";

/** The Envoy binary the harness runs: ENVOY_BIN, else the one `make envoy` puts in .venv. */
export function envoyBinary(): string {
  return process.env.ENVOY_BIN || join(PROJECT_ROOT, ".venv/bin/envoy");
}

let installed: string | undefined;

/** The release of that binary (e.g. 1.40.0), from `envoy --version`; the Makefile pins it. */
export function installedEnvoyVersion(): string {
  installed ??= /\/(\d+\.\d+\.\d+)\//.exec(execFileSync(envoyBinary(), ["--version"], { encoding: "utf8" }))?.[1];
  if (!installed) throw new Error(`cannot tell the release of ${envoyBinary()} from --version`);
  return installed;
}
