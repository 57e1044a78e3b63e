// startEnvoy: Envoy with the version router (or the Lua reference, or nothing) before the
// router, in front of whatever routes the caller gives it, all on loopback. The caller
// starts (and stops) the upstreams those routes lead to.
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FILTER_WASM } from "../paths.js";
import { freePort } from "../process/free-port.js";
import { listenerPort, readStats } from "./admin.js";
import {
  type ClusterSpec,
  type DownstreamTlsSpec,
  type HttpFilterSpec,
  type JwtAuthnSpec,
  type RouteSpec,
  renderBootstrap,
  type VirtualHostSpec,
  WASM_FILTER_NAME,
  type WasmFailurePolicy,
  type WasmFilterSpec,
  type WasmRuntime,
} from "./bootstrap.js";
import { createEcdsFile, ECDS_FILE, type EcdsFile } from "./ecds-file.js";
import { envoyArgs } from "./envoy-args.js";
import { launchEnvoyContainer } from "./envoy-container.js";
import { launchEnvoyProcess } from "./envoy-process.js";
import type { LaunchedEnvoy } from "./launched-envoy.js";
import { makeRunDir, type RunDir } from "./run-dir.js";

export { EnvoyStartError } from "./envoy-start-error.js";

export type FilterChoice = "wasm" | "lua" | "none";
export type EnvoyRuntime = "process" | "docker";

export interface StartEnvoyOptions {
  /** Routes (of one virtual host for every domain, or virtualHosts) and clusters, e.g. versionRoutes(upstreams, header). */
  routing: { routes?: RouteSpec[]; virtualHosts?: VirtualHostSpec[]; clusters: ClusterSpec[] };
  /** Which filter runs before the router; default wasm. */
  filter?: FilterChoice;
  /** The filter module; default build/filter.wasm. */
  wasm?: string;
  /** The Wasm runtime that runs it; default v8. */
  wasmRuntime?: WasmRuntime;
  /** What Envoy does with requests once the filter's VM has failed; default Envoy's, FAIL_CLOSED. */
  failurePolicy?: WasmFailurePolicy;
  /** The plugin configuration for filter "wasm" (an object is serialized as JSON). */
  pluginConfig?: string | object;
  /**
   * More plugins after it, as more filters in the chain: several releases' WasmPlugins on one
   * gateway. Each filter is named version-router-<n> and, unless vmId says otherwise, runs on a
   * VM of its own (vm_id version-router-<n>), as Istio gives every WasmPlugin its own VM.
   */
  morePluginConfigs?: ReadonlyArray<string | object>;
  /** Envoy's jwt_authn filter ahead of the others, as a gateway with a RequestAuthentication has it. */
  jwtAuthn?: Omit<JwtAuthnSpec, "kind">;
  /** TLS on the listener (files on this machine; copied where Envoy reads them): a client certificate is verified when sent. */
  downstreamTls?: DownstreamTlsSpec;
  /** Envoy's worker threads; default 1. */
  workers?: number;
  /** Lua source for filter "lua". */
  lua?: string;
  /** The Wasm filter's root_id and vm_id; default "version-router" for both. */
  rootId?: string;
  vmId?: string;
  /** A local process, or a container with host networking; default process. */
  runtime?: EnvoyRuntime;
  /** Level of Envoy's `wasm` and `lua` loggers; debug shows each decision. */
  filterLogLevel?: "info" | "debug";
  /**
   * "ecds": the filter's configuration comes through extension config discovery from a
   * file Envoy watches, as Istio delivers a WasmPlugin's, and can be changed live with
   * updatePluginConfig(). Default "static": part of the bootstrap.
   */
  pluginDelivery?: "static" | "ecds";
  /** Push stats to a statsd listener on 127.0.0.1 at this UDP port (startStatsdListener). */
  statsdPort?: number;
}

export interface Envoy {
  /** http://127.0.0.1:<listener port> */
  url: string;
  port: number;
  adminUrl: string;
  runtime: EnvoyRuntime;
  /** The filter before the router. */
  filter: FilterChoice;
  /** The process id (runtime "process" only). */
  pid?: number;
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

const ERROR_LINE = /\]\[(critical|error)\]\[|Wasm VM failed|Function: proxy_on_\w+ failed|Caught Segmentation/;

function configText(pluginConfig: string | object): string {
  return typeof pluginConfig === "string" ? pluginConfig : JSON.stringify(pluginConfig);
}

/** The HTTP filters before the router, as the bootstrap names them; paths are Envoy's view. */
function chosenFilters(options: StartEnvoyOptions, runDir: RunDir): HttpFilterSpec[] {
  const jwt: HttpFilterSpec[] = options.jwtAuthn ? [{ kind: "jwt_authn", ...options.jwtAuthn }] : [];
  return [...jwt, ...mainFilters(options, runDir)];
}

function mainFilters(options: StartEnvoyOptions, runDir: RunDir): HttpFilterSpec[] {
  const choice = options.filter ?? "wasm";
  if (choice === "none") return [];
  if (choice === "lua") {
    if (!options.lua) throw new Error("filter 'lua' needs the lua source");
    return [{ kind: "lua", source: options.lua }];
  }
  if (options.pluginConfig === undefined) throw new Error("filter 'wasm' needs a pluginConfig");
  const more = options.morePluginConfigs ?? [];
  if (more.length > 0 && options.pluginDelivery === "ecds") throw new Error("morePluginConfigs are delivered statically only");
  const wasm = (pluginConfig: string | object, n: number): WasmFilterSpec => ({
    kind: "wasm",
    wasmPath: `${runDir.envoyPath}/filter.wasm`,
    pluginConfig: configText(pluginConfig),
    ...(more.length > 0 ? { name: `${WASM_FILTER_NAME}-${n}`, vmId: options.vmId ?? `${WASM_FILTER_NAME}-${n}` } : {}),
    ...(options.wasmRuntime !== undefined ? { runtime: options.wasmRuntime } : {}),
    ...(options.failurePolicy !== undefined ? { failurePolicy: options.failurePolicy } : {}),
    ...(options.rootId !== undefined ? { rootId: options.rootId } : {}),
    ...(options.vmId !== undefined ? { vmId: options.vmId } : {}),
    ...(options.pluginDelivery === "ecds" ? { ecdsPath: `${runDir.envoyPath}/${ECDS_FILE}` } : {}),
  });
  return [options.pluginConfig, ...more].map((config, i) => wasm(config, i + 1));
}

/** The listener's TLS files, copied into the run directory (which a container mounts), as Envoy sees them. */
async function copyTls(tls: DownstreamTlsSpec, runDir: RunDir): Promise<DownstreamTlsSpec> {
  const files = { certChain: "listener.crt", privateKey: "listener.key", trustedCa: "client-ca.crt" } as const;
  for (const [field, name] of Object.entries(files)) await copyFile(tls[field as keyof DownstreamTlsSpec], join(runDir.path, name));
  return {
    certChain: `${runDir.envoyPath}/${files.certChain}`,
    privateKey: `${runDir.envoyPath}/${files.privateKey}`,
    trustedCa: `${runDir.envoyPath}/${files.trustedCa}`,
  };
}

export async function startEnvoy(options: StartEnvoyOptions): Promise<Envoy> {
  const runtime = options.runtime ?? "process";
  const runDir = await makeRunDir(runtime === "docker");
  let launched: LaunchedEnvoy | undefined;
  const cleanUp = async () => {
    await launched?.stop();
    await runDir.remove();
  };
  try {
    await copyFile(options.wasm ?? FILTER_WASM, join(runDir.path, "filter.wasm"));
    const filters = chosenFilters(options, runDir);
    const wasm = filters.find((f): f is WasmFilterSpec => f.kind === "wasm");
    const ecds: EcdsFile | undefined = wasm?.ecdsPath ? await createEcdsFile(runDir.path, wasm) : undefined;
    // A container shares the host's network, so its admin port is chosen before it starts.
    const adminPort = runtime === "docker" ? await freePort() : 0;
    const tls = options.downstreamTls ? await copyTls(options.downstreamTls, runDir) : undefined;
    const bootstrap = renderBootstrap({
      ...options.routing,
      filters,
      adminPort,
      ...(tls ? { downstreamTls: tls } : {}),
      ...(options.statsdPort !== undefined ? { statsdPort: options.statsdPort } : {}),
    });
    await writeFile(join(runDir.path, "bootstrap.json"), JSON.stringify(bootstrap, null, 2));
    const level = options.filterLogLevel ?? "info";
    const args = envoyArgs(`${runDir.envoyPath}/bootstrap.json`, `wasm:${level},lua:${level},jwt:${level}`, options.workers);
    launched =
      runtime === "docker" ? await launchEnvoyContainer(runDir.path, adminPort, args) : await launchEnvoyProcess(runDir.path, args);
    const { adminUrl, logLines } = launched;
    const port = await listenerPort(adminUrl, "ingress");
    let stopped: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      adminUrl,
      runtime,
      filter: options.filter ?? "wasm",
      ...(launched.pid !== undefined ? { pid: launched.pid } : {}),
      stats: (statFilter) => readStats(adminUrl, statFilter),
      logs: () => [...logLines],
      errors: () => logLines.filter((line) => ERROR_LINE.test(line)),
      updatePluginConfig: (pluginConfig) => {
        if (!wasm || !ecds) throw new Error("updatePluginConfig needs pluginDelivery 'ecds'");
        return ecds.update({ ...wasm, pluginConfig: configText(pluginConfig) } satisfies WasmFilterSpec, adminUrl);
      },
      stop: () => (stopped ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
