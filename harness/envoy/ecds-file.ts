// Filter configuration delivered through ECDS from a file Envoy watches, as a control plane
// delivers a WasmPlugin's: each update is written whole and renamed into place; Envoy's
// ECDS stats tell whether it applied or rejected it.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readStats } from "./admin.js";
import { renderEcdsResponse, WASM_FILTER_NAME, type WasmFilterSpec } from "./bootstrap.js";

const UPDATE_TIMEOUT_MS = 15_000;
const ECDS_STATS = `extension_config_discovery.http_filter.${WASM_FILTER_NAME}`;

/** The watched file, relative to the run directory. */
export const ECDS_FILE = "ecds/filter.json";

export interface EcdsFile {
  /** Writes the next version; resolves true once Envoy applied it, false if it rejected it. */
  update(filter: WasmFilterSpec, adminUrl: string): Promise<boolean>;
}

export async function createEcdsFile(runDir: string, initial: WasmFilterSpec): Promise<EcdsFile> {
  await mkdir(join(runDir, "ecds"));
  let version = 1;
  const write = async (filter: WasmFilterSpec) => {
    const next = join(runDir, `filter-${version}.json`);
    await writeFile(next, JSON.stringify(renderEcdsResponse(filter, String(version))));
    await rename(next, join(runDir, ECDS_FILE));
  };
  await write(initial);
  return {
    async update(filter, adminUrl) {
      const before = await ecdsOutcomes(adminUrl);
      version++;
      await write(filter);
      return waitForOutcome(adminUrl, before, version);
    },
  };
}

async function ecdsOutcomes(adminUrl: string): Promise<{ success: number; rejected: number }> {
  const stats = await readStats(adminUrl, `^${ECDS_STATS}\\.update_(success|rejected)$`);
  return { success: stats.get(`${ECDS_STATS}.update_success`) ?? 0, rejected: stats.get(`${ECDS_STATS}.update_rejected`) ?? 0 };
}

async function waitForOutcome(adminUrl: string, before: { success: number; rejected: number }, version: number): Promise<boolean> {
  const deadline = Date.now() + UPDATE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const now = await ecdsOutcomes(adminUrl);
    if (now.success > before.success) return true;
    if (now.rejected > before.rejected) return false;
    await sleep(20);
  }
  throw new Error(`Envoy neither applied nor rejected ECDS version ${version} within ${UPDATE_TIMEOUT_MS} ms`);
}
