// startEnvoy: Envoy with the version router (or the Lua reference, or nothing) in front of
// one echo upstream per version, all on loopback; returns what tests and the demo need.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { FILTER_WASM } from "../paths.js";
import { startUpstreams, type Upstreams } from "../upstreams/start-upstreams.js";
import { adminGet, listenerPort, readStats } from "./admin.js";
import { renderBootstrap, type HttpFilterSpec } from "./bootstrap.js";
import { runEnvoyProcess, type RunningEnvoy } from "./envoy-process.js";
import { versionRoutes } from "./version-routes.js";

export type FilterChoice = "wasm" | "lua" | "none";

export interface StartEnvoyOptions {
  /** Versions deployed behind Envoy: one upstream pair and one route pair each. */
  versions: readonly string[];
  /** The version header the routes match; default grpcsvc. */
  header?: string;
  /** Which filter runs before the router; default wasm. */
  filter?: FilterChoice;
  /** The filter module; default build/filter.wasm. */
  wasm?: string;
  /** The plugin configuration (an object is serialized as JSON). */
  pluginConfig?: string | object;
  /** Lua source for filter "lua". */
  lua?: string;
  runtime?: "process";
  /** Level of Envoy's `wasm` and `lua` loggers; debug shows each decision. */
  filterLogLevel?: "info" | "debug";
}

export interface Envoy {
  /** http://127.0.0.1:<listener port> */
  url: string;
  port: number;
  adminUrl: string;
  upstreams: Upstreams;
  /** Counters and gauges, optionally filtered by a regex on the name. */
  stats(filter?: string): Promise<Map<string, number>>;
  /** Envoy's log so far. */
  logs(): string[];
  /** Log lines that report a crash or a Wasm/Lua error. */
  errors(): string[];
  stop(): Promise<void>;
}

export class EnvoyStartError extends Error {
  constructor(message: string, readonly log: string[]) {
    super(`${message}\n--- Envoy log (last 30 lines) ---\n${log.slice(-30).join("\n")}`);
  }
}

const READY_TIMEOUT_MS = 30_000;
const ERROR_LINE = /\]\[(critical|error)\]\[|Wasm VM failed|Function: proxy_on_\w+ failed|Caught Segmentation/;

async function waitForAdmin(dir: string, envoy: RunningEnvoy): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void envoy.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    const address = await readFile(join(dir, "admin-address"), "utf8").catch(() => "");
    if (address.trim()) {
      const url = `http://${address.trim()}`;
      const ready = await adminGet(url, "/ready").catch(() => undefined);
      if (ready?.status === 200) return url;
    }
    await sleep(50);
  }
  throw new EnvoyStartError(exited ? "Envoy exited during start-up" : "Envoy was not ready in time", envoy.logLines);
}

function filtersFor(options: StartEnvoyOptions): HttpFilterSpec[] {
  const choice = options.filter ?? "wasm";
  if (choice === "none") return [];
  if (choice === "lua") {
    if (!options.lua) throw new Error("filter 'lua' needs the lua source");
    return [{ kind: "lua", source: options.lua }];
  }
  const pluginConfig = typeof options.pluginConfig === "string"
    ? options.pluginConfig
    : JSON.stringify(options.pluginConfig ?? { versions: options.versions });
  return [{ kind: "wasm", wasmPath: options.wasm ?? FILTER_WASM, pluginConfig }];
}

export async function startEnvoy(options: StartEnvoyOptions): Promise<Envoy> {
  const header = options.header ?? "grpcsvc";
  const dir = await mkdtemp(join(tmpdir(), "version-router-envoy-"));
  const upstreams = await startUpstreams(options.versions, header);
  let envoy: RunningEnvoy | undefined;
  const cleanUp = async () => {
    await envoy?.kill();
    await upstreams.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const bootstrap = renderBootstrap({ ...versionRoutes(header, upstreams), filters: filtersFor(options) });
    const bootstrapPath = join(dir, "bootstrap.json");
    await writeFile(bootstrapPath, JSON.stringify(bootstrap, null, 2));
    const level = options.filterLogLevel ?? "info";
    envoy = runEnvoyProcess([
      "--config-path", bootstrapPath,
      "--concurrency", "1",
      "--disable-hot-restart",
      "--admin-address-path", join(dir, "admin-address"),
      "--log-level", "info",
      "--component-log-level", `wasm:${level},lua:${level}`,
    ]);
    const adminUrl = await waitForAdmin(dir, envoy);
    const port = await listenerPort(adminUrl, "ingress");
    const running = envoy;
    let stopped: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      adminUrl,
      upstreams,
      stats: (filter) => readStats(adminUrl, filter),
      logs: () => [...running.logLines],
      errors: () => running.logLines.filter((line) => ERROR_LINE.test(line)),
      stop: () => (stopped ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
