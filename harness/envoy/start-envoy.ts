// startEnvoy: Envoy with the version router (or the Lua reference, or nothing) in front of
// one echo upstream per version, all on loopback; returns what tests and the demo need.
import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FILTER_WASM } from "../paths.js";
import { startUpstreams, type Upstreams } from "../upstreams/start-upstreams.js";
import { listenerPort, readStats } from "./admin.js";
import {
  renderBootstrap, renderEcdsResponse, WASM_FILTER_NAME, type ClusterSpec, type HttpFilterSpec, type RouteSpec,
  type WasmFilterSpec,
} from "./bootstrap.js";
import { CONTAINER_RUN_DIR, freePort, launchEnvoyContainer } from "./envoy-container.js";
import { launchEnvoyProcess } from "./envoy-process.js";
import type { LaunchedEnvoy } from "./launched-envoy.js";
import { versionRoutes } from "./version-routes.js";

export { EnvoyStartError } from "./envoy-start-error.js";

export type FilterChoice = "wasm" | "lua" | "none";
export type EnvoyRuntime = "process" | "docker";

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
  /** The Wasm filter's root_id and vm_id; default "version-router" for both. */
  rootId?: string;
  vmId?: string;
  /** A local process (default, or ENVOY_RUNTIME), or a container with host networking. */
  runtime?: EnvoyRuntime;
  /** Level of Envoy's `wasm` and `lua` loggers; debug shows each decision. */
  filterLogLevel?: "info" | "debug";
  /**
   * "ecds": the filter's configuration comes through extension config discovery from a
   * file Envoy watches, as Istio delivers a WasmPlugin's, and can be changed live with
   * updatePluginConfig(). Default "static": part of the bootstrap.
   */
  pluginDelivery?: "static" | "ecds";
  /** Routes and clusters over the started upstreams; default: one exact-header route per version and protocol. */
  routing?: (upstreams: Upstreams, header: string) => { routes: RouteSpec[]; clusters: ClusterSpec[] };
}

export interface Envoy {
  /** http://127.0.0.1:<listener port> */
  url: string;
  port: number;
  adminUrl: string;
  runtime: EnvoyRuntime;
  /** The process id (runtime "process" only). */
  pid?: number;
  upstreams: Upstreams;
  /** Counters and gauges, optionally filtered by a regex on the name. */
  stats(filter?: string): Promise<Map<string, number>>;
  /** Envoy's log so far. */
  logs(): string[];
  /** Log lines that report a crash or a Wasm/Lua error. */
  errors(): string[];
  /**
   * Delivers a new plugin configuration through ECDS (pluginDelivery "ecds") and waits
   * until Envoy applied it (true) or rejected it, keeping the previous one (false).
   */
  updatePluginConfig(pluginConfig: string | object): Promise<boolean>;
  stop(): Promise<void>;
}

const ECDS_STATS = `extension_config_discovery.http_filter.${WASM_FILTER_NAME}`;
const UPDATE_TIMEOUT_MS = 15_000;

const ERROR_LINE = /\]\[(critical|error)\]\[|Wasm VM failed|Function: proxy_on_\w+ failed|Caught Segmentation/;

export function defaultRuntime(): EnvoyRuntime {
  return process.env.ENVOY_RUNTIME === "docker" ? "docker" : "process";
}

function configText(pluginConfig: string | object): string {
  return typeof pluginConfig === "string" ? pluginConfig : JSON.stringify(pluginConfig);
}

function filtersFor(options: StartEnvoyOptions, envoyDir: string): HttpFilterSpec[] {
  const choice = options.filter ?? "wasm";
  if (choice === "none") return [];
  if (choice === "lua") {
    if (!options.lua) throw new Error("filter 'lua' needs the lua source");
    return [{ kind: "lua", source: options.lua }];
  }
  return [{
    kind: "wasm",
    wasmPath: `${envoyDir}/filter.wasm`,
    pluginConfig: configText(options.pluginConfig ?? { versions: options.versions }),
    ...(options.rootId !== undefined ? { rootId: options.rootId } : {}),
    ...(options.vmId !== undefined ? { vmId: options.vmId } : {}),
    ...(options.pluginDelivery === "ecds" ? { ecdsPath: `${envoyDir}/ecds/filter.json` } : {}),
  }];
}

/** Writes the ECDS file the way a control plane would: whole, by rename into the watched directory. */
async function writeEcds(dir: string, filter: WasmFilterSpec, versionInfo: string): Promise<void> {
  const next = join(dir, `filter-${versionInfo}.json`);
  await writeFile(next, JSON.stringify(renderEcdsResponse(filter, versionInfo)));
  await rename(next, join(dir, "ecds", "filter.json"));
}

export async function startEnvoy(options: StartEnvoyOptions): Promise<Envoy> {
  const header = options.header ?? "grpcsvc";
  const runtime = options.runtime ?? defaultRuntime();
  // The run directory holds the bootstrap and a copy of filter.wasm; in a container it is
  // mounted at CONTAINER_RUN_DIR, so paths inside the bootstrap are Envoy's view of it.
  const dir = await mkdtemp(join(tmpdir(), "version-router-envoy-"));
  const envoyDir = runtime === "docker" ? CONTAINER_RUN_DIR : dir;
  const upstreams = await startUpstreams(options.versions, { header });
  let launched: LaunchedEnvoy | undefined;
  const cleanUp = async () => {
    await launched?.stop();
    await upstreams.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await copyFile(options.wasm ?? FILTER_WASM, join(dir, "filter.wasm"));
    const adminPort = runtime === "docker" ? await freePort() : 0;
    const filters = filtersFor(options, envoyDir);
    const wasmFilter = filters.find((f): f is WasmFilterSpec => f.kind === "wasm");
    let ecdsVersion = 1;
    if (wasmFilter?.ecdsPath) {
      await mkdir(join(dir, "ecds"));
      await writeEcds(dir, wasmFilter, String(ecdsVersion));
    }
    const bootstrap = renderBootstrap({ ...(options.routing ?? versionRoutes)(upstreams, header), filters, adminPort });
    await writeFile(join(dir, "bootstrap.json"), JSON.stringify(bootstrap, null, 2));
    const level = options.filterLogLevel ?? "info";
    const args = [
      "--config-path", `${envoyDir}/bootstrap.json`,
      "--concurrency", "1",
      "--disable-hot-restart",
      "--log-level", "info",
      "--component-log-level", `wasm:${level},lua:${level}`,
    ];
    launched = runtime === "docker" ? await launchEnvoyContainer(dir, adminPort, args) : await launchEnvoyProcess(dir, args);
    const { adminUrl, logLines } = launched;
    const port = await listenerPort(adminUrl, "ingress");
    let stopped: Promise<void> | undefined;
    const updatePluginConfig = async (pluginConfig: string | object): Promise<boolean> => {
      if (!wasmFilter?.ecdsPath) throw new Error("updatePluginConfig needs pluginDelivery 'ecds'");
      const pattern = `^${ECDS_STATS}\\.update_(success|rejected)$`;
      const before = await readStats(adminUrl, pattern);
      const count = (stats: Map<string, number>, name: string) => stats.get(`${ECDS_STATS}.${name}`) ?? 0;
      ecdsVersion++;
      await writeEcds(dir, { ...wasmFilter, pluginConfig: configText(pluginConfig) }, String(ecdsVersion));
      const deadline = Date.now() + UPDATE_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const now = await readStats(adminUrl, pattern);
        if (count(now, "update_success") > count(before, "update_success")) return true;
        if (count(now, "update_rejected") > count(before, "update_rejected")) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`Envoy neither applied nor rejected ECDS version ${ecdsVersion} within ${UPDATE_TIMEOUT_MS} ms`);
    };
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      adminUrl,
      runtime,
      ...(launched.pid !== undefined ? { pid: launched.pid } : {}),
      upstreams,
      stats: (filter) => readStats(adminUrl, filter),
      logs: () => [...logLines],
      errors: () => logLines.filter((line) => ERROR_LINE.test(line)),
      updatePluginConfig,
      stop: () => (stopped ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
