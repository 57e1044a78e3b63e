// The directory one Envoy runs from: its bootstrap, a copy of the filter, the ECDS file.
// In a container it is mounted at CONTAINER_RUN_DIR, so paths Envoy reads are its own view.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where the run directory appears inside the container. */
export const CONTAINER_RUN_DIR = "/etc/version-router";

export interface RunDir {
  /** The directory on this machine. */
  path: string;
  /** The same directory as Envoy sees it. */
  envoyPath: string;
  remove(): Promise<void>;
}

export async function makeRunDir(inContainer: boolean): Promise<RunDir> {
  const path = await mkdtemp(join(tmpdir(), "version-router-envoy-"));
  return { path, envoyPath: inContainer ? CONTAINER_RUN_DIR : path, remove: () => rm(path, { recursive: true, force: true }) };
}
