// The registry the Istio suites and demo pull the filter from, as a cluster would: the image
// `make image` builds (harness/oci/wasm-image.ts) pushed to CNCF Distribution's registry on
// the private namespace's loopback, at a fixed address so chart values can name it.
import { readFile } from "node:fs/promises";
import { pushImage } from "../oci/push-image.js";
import { buildWasmImage } from "../oci/wasm-image.js";
import { type OciRegistry, type RegistryOptions, startOciRegistry } from "./oci-registry.js";

/** Where the module registry listens: 5000, the registry's own default port. */
export const MODULE_REGISTRY = "127.0.0.1:5000";

/** oci:// URL of a module pushed by pushModule. */
export const moduleUrl = (name: string, tag: string, registry = MODULE_REGISTRY) => `oci://${registry}/${name}:${tag}`;

/** Pushes the module at `wasmPath` as <registry>/<name>:<tag>; resolves with its manifest digest (hex, as wasm.sha256 takes it). */
export async function pushModule(
  registry: Pick<OciRegistry, "host">,
  name: string,
  tag: string,
  wasmPath: string,
  credentials?: RegistryOptions["user"],
): Promise<string> {
  const digest = await pushImage(`${registry.host}/${name}:${tag}`, await buildWasmImage(await readFile(wasmPath)), credentials);
  return digest.slice("sha256:".length);
}

export async function startModuleRegistry(binary: string, options: Omit<RegistryOptions, "host"> = {}): Promise<OciRegistry> {
  return startOciRegistry(binary, { ...options, host: MODULE_REGISTRY });
}
