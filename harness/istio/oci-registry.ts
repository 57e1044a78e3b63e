// CNCF Distribution's registry on loopback: where the WasmPlugin's OCI image is pushed and
// pulled from, over plain HTTP (Docker treats 127.0.0.0/8 registries as insecure).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../process/free-port.js";
import { spawnService, waitUntil } from "../process/service-process.js";

export interface OciRegistry {
  /** host:port, as image references name it. */
  host: string;
  stop(): Promise<void>;
}

export async function startOciRegistry(binary: string): Promise<OciRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-registry-"));
  const host = `127.0.0.1:${await freePort()}`;
  const config = [
    "version: 0.1",
    "log: { level: warn }",
    `storage: { filesystem: { rootdirectory: ${join(dir, "data")} } }`,
    `http: { addr: "${host}" }`,
  ].join("\n");
  await writeFile(join(dir, "config.yml"), `${config}\n`);
  const registry = spawnService("registry", binary, ["serve", join(dir, "config.yml")]);
  const stop = async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil("the registry answering /v2/", async () => ((await fetch(`http://${host}/v2/`)).ok ? true : undefined), {
      timeoutMs: 30_000,
      process: registry,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, stop };
}
