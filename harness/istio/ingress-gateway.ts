// A plain Envoy as Istio's ingress gateway, started the way istio-agent starts one: with the
// bootstrap Istio's own code renders for the gateway pod (node identity, labels, stats tags
// and matcher, the /stats/prometheus listener) and its xDS socket forwarded to istiod.
// Listeners, routes, clusters, endpoints and the Wasm filter (over ECDS) all come from istiod.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminGet, readStats } from "../envoy/admin.js";
import { VERSION_ROUTER_TAGS } from "../envoy/bootstrap.js";
import { envoyArgs } from "../envoy/envoy-args.js";
import { launchEnvoyProcess } from "../envoy/envoy-process.js";
import type { LaunchedEnvoy } from "../envoy/launched-envoy.js";
import { freePort } from "../process/free-port.js";
import { waitUntil } from "../process/service-process.js";
import { type GatewayPod, type IstioBootstrapOptions, renderIstioBootstrap, XDS_PIPE } from "./istio-bootstrap.js";
import { startXdsPipe, type XdsPipe } from "./xds-pipe.js";

/** The pod the gateway claims to be: its labels are what the Gateway's and the WasmPlugin's selectors match. */
export type GatewayIdentity = GatewayPod;

export const DEFAULT_GATEWAY: GatewayIdentity = {
  namespace: "istio-system",
  podName: "istio-ingressgateway-harness",
  labels: { app: "istio-ingressgateway", istio: "ingressgateway" },
};

// Two annotations on every gateway pod the harness starts: extraStatTags is the README's one
// setting for the filter's metric labels; the stats matcher keeps what the suites read and
// Istio drops by default (ECDS update counts, listener connection counts).
const HARNESS_ANNOTATIONS = {
  "sidecar.istio.io/extraStatTags": VERSION_ROUTER_TAGS.join(","),
  "proxy.istio.io/config": JSON.stringify({ proxyStatsMatcher: { inclusionPrefixes: ["extension_config_discovery", "listener"] } }),
};

export interface IngressGateway {
  adminUrl: string;
  /** Istio's metrics listener: what Prometheus scrapes in a gateway pod (port 15090 there). */
  prometheusUrl: string;
  /** The Envoy process id. */
  pid: number | undefined;
  identity: GatewayIdentity;
  /** Envoy's /config_dump, parsed. */
  configDump(resource?: string): Promise<ConfigDump>;
  /** The HTTP filter configurations Envoy holds from ECDS. */
  ecdsFilters(): Promise<EcdsFilter[]>;
  /** The HTTP filter chain, by name, of the listener on this port (its first HTTP connection manager). */
  httpFilters(port: number): Promise<string[]>;
  stats(filter?: string): Promise<Map<string, number>>;
  logs(): string[];
  /** Log lines that report a crash or a Wasm error. */
  errors(): string[];
  /** Waits until Envoy listens on this port (from LDS). */
  waitForListener(port: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ConfigDump {
  configs: Array<{ "@type": string; [key: string]: unknown }>;
}

/** One HTTP filter configuration the gateway received over ECDS. */
export interface EcdsFilter {
  /** The ECDS resource name, e.g. extensions.istio.io/trafficextension/<ns>.<WasmPlugin>~istio-translated-wasmplugin. */
  name: string;
  versionInfo: string;
  /** The Wasm module's local file, when the config is a Wasm filter. */
  wasmFile?: string;
  /** The plugin configuration string (Istio's pluginConfig as JSON). */
  configuration?: string;
  failurePolicy?: string;
}

export interface GatewayOptions {
  identity?: GatewayIdentity;
  xds: { host: string; port: number };
  tools: IstioBootstrapOptions["tools"];
  /** The mesh config istiod runs with (the istio ConfigMap), as a gateway pod mounts it. */
  meshConfig: string;
  /** Level of Envoy's `wasm` logger; debug shows each decision. */
  filterLogLevel?: "info" | "debug";
}

interface RawEcds {
  version_info: string;
  ecds_filter: {
    name: string;
    typed_config: {
      config?: { vm_config?: { code?: { local?: { filename?: string } } }; configuration?: { value?: string }; failure_policy?: string };
    };
  };
}

interface RawListener {
  active_state?: {
    listener: {
      address?: { socket_address?: { port_value?: number } };
      filter_chains: Array<{ filters: Array<{ name: string; typed_config: { http_filters?: Array<{ name: string }> } }> }>;
    };
  };
}

// Istio's bootstrap sets Envoy's log format: <time>\t<level>\tenvoy <logger> <file:line>\t<message>.
const ERROR_LINE = /\t(critical|error)\tenvoy |Wasm VM failed|Function: proxy_on_\w+ failed|Caught Segmentation/;

export async function startIngressGateway(options: GatewayOptions): Promise<IngressGateway> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-gateway-"));
  const identity = options.identity ?? DEFAULT_GATEWAY;
  const pod = { ...identity, annotations: { ...identity.annotations, ...HARNESS_ANNOTATIONS } };
  const ports = { admin: await freePort(), prometheus: await freePort(), status: await freePort() };
  let launched: LaunchedEnvoy | undefined;
  let pipe: XdsPipe | undefined;
  try {
    const bootstrap = await renderIstioBootstrap({ tools: options.tools, podRoot: dir, pod, meshConfig: options.meshConfig, ports });
    await writeFile(join(dir, "bootstrap.json"), JSON.stringify(bootstrap, null, 2));
    pipe = await startXdsPipe(join(dir, XDS_PIPE), options.xds);
    const level = options.filterLogLevel ?? "info";
    launched = await launchEnvoyProcess(dir, envoyArgs(join(dir, "bootstrap.json"), `wasm:${level}`), dir);
  } catch (err) {
    await pipe?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const envoy = launched;
  const xdsPipe = pipe;
  const { adminUrl, logLines } = envoy;
  const configDump = async (resource?: string) =>
    JSON.parse((await adminGet(adminUrl, `/config_dump${resource ? `?resource=${resource}` : ""}`)).body) as ConfigDump;
  const ecdsFilters = async (): Promise<EcdsFilter[]> => {
    const dump = await configDump();
    const ecds = dump.configs.find((c) => c["@type"].endsWith("EcdsConfigDump")) as { ecds_filters?: RawEcds[] } | undefined;
    return (ecds?.ecds_filters ?? []).map(({ version_info, ecds_filter }) => {
      const wasm = ecds_filter.typed_config.config;
      return {
        name: ecds_filter.name,
        versionInfo: version_info,
        ...(wasm?.vm_config?.code?.local?.filename ? { wasmFile: wasm.vm_config.code.local.filename } : {}),
        ...(wasm?.configuration?.value !== undefined ? { configuration: wasm.configuration.value } : {}),
        ...(wasm?.failure_policy ? { failurePolicy: wasm.failure_policy } : {}),
      };
    });
  };
  const httpFilters = async (port: number): Promise<string[]> => {
    const dump = await configDump("dynamic_listeners");
    const listeners = dump.configs as unknown as RawListener[];
    const listener = listeners.find((l) => l.active_state?.listener.address?.socket_address?.port_value === port)?.active_state?.listener;
    const hcm = listener?.filter_chains.flatMap((c) => c.filters).find((f) => f.name === "envoy.filters.network.http_connection_manager");
    return (hcm?.typed_config.http_filters ?? []).map((f) => f.name);
  };
  return {
    adminUrl,
    prometheusUrl: `http://127.0.0.1:${ports.prometheus}/stats/prometheus`,
    pid: envoy.pid,
    identity: pod,
    configDump,
    ecdsFilters,
    httpFilters,
    stats: (filter) => readStats(adminUrl, filter),
    logs: () => [...logLines],
    errors: () => logLines.filter((line) => ERROR_LINE.test(line)),
    waitForListener: async (port, timeoutMs = 30_000) => {
      await waitUntil(
        `the gateway listening on port ${port}`,
        async () => {
          const { body } = await adminGet(adminUrl, "/listeners?format=json");
          const statuses =
            (JSON.parse(body) as { listener_statuses?: Array<{ local_address?: { socket_address?: { port_value?: number } } }> })
              .listener_statuses ?? [];
          return statuses.some((l) => l.local_address?.socket_address?.port_value === port) ? true : undefined;
        },
        { timeoutMs },
      );
    },
    stop: async () => {
      await envoy.stop();
      await xdsPipe.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
