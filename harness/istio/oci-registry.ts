// CNCF Distribution's registry on loopback: where the WasmPlugin's OCI image is pushed and
// istio-agent pulls it from, over plain HTTP. Optionally private (htpasswd: every request
// needs the user's password); it can go down and come back on the same address with the same
// images, and its access log tells who fetched what.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { freePort } from "../process/free-port.js";
import { type ServiceProcess, spawnService, waitUntil } from "../process/service-process.js";

export interface OciRegistry {
  /** host:port, as image references name it. */
  host: string;
  /** The requests it answered, from its access log: "GET /v2/<name>/manifests/<tag> 200". */
  requests(): string[];
  /** Stops it, keeping its images and address for up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** host:port to listen on; default a free loopback port. */
  host?: string;
  /** A private registry: this user alone may push and pull. */
  user?: { username: string; password: string };
  /**
   * The private registry's realm, which its 401 answers name. Istio's agent refuses a 401 whose
   * realm is not an http(s) URL of a public host, Basic's too (its SSRF guard,
   * pkg/wasm/imagefetcher.go): the default is such a URL, only ever shown, never fetched.
   */
  realm?: string;
}

const DEFAULT_REALM = "https://registry.version-router.example/";

const ACCESS_LINE = /"(GET|HEAD|PUT|POST|PATCH) (\/v2\/\S*) HTTP\/[\d.]+" (\d{3})/;

export async function startOciRegistry(binary: string, options: RegistryOptions = {}): Promise<OciRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-registry-"));
  const host = options.host ?? `127.0.0.1:${await freePort()}`;
  const auth = options.user ? [`auth: { htpasswd: { realm: "${options.realm ?? DEFAULT_REALM}", path: ${join(dir, "htpasswd")} } }`] : [];
  if (options.user) await writeFile(join(dir, "htpasswd"), `${options.user.username}:${bcrypt.hashSync(options.user.password, 10)}\n`);
  const config = [
    "version: 0.1",
    "log: { level: warn, accesslog: { disabled: false } }",
    `storage: { filesystem: { rootdirectory: ${join(dir, "data")} } }`,
    `http: { addr: "${host}" }`,
    ...auth,
  ].join("\n");
  await writeFile(join(dir, "config.yml"), `${config}\n`);
  // What earlier runs served (before a down()), then the running one's log.
  const served: string[] = [];
  let registry: ServiceProcess | undefined;
  const accessLog = () =>
    (registry?.logs() ?? []).flatMap((line) => {
      const m = ACCESS_LINE.exec(line);
      return m ? [`${m[1]} ${m[2]} ${m[3]}`] : [];
    });
  const up = async () => {
    registry = spawnService("registry", binary, ["serve", join(dir, "config.yml")]);
    // /v2/ answers 401 to a private registry's anonymous caller: up all the same.
    await waitUntil("the registry answering /v2/", async () => ((await fetch(`http://${host}/v2/`)).status < 500 ? true : undefined), {
      timeoutMs: 30_000,
      process: registry,
    });
  };
  const down = async () => {
    await registry?.stop();
    served.push(...accessLog());
    registry = undefined;
  };
  const stop = async () => {
    await down();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await up();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host,
    requests: () => [...served, ...accessLog()],
    down,
    up,
    stop,
  };
}
