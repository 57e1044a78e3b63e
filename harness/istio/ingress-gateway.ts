// Istio's ingress gateway as a gateway pod runs it: pilot-agent (`pilot-agent proxy router`)
// in the pod's files and environment (gateway-pod.ts), which writes Envoy's bootstrap from
// Istio's template, starts Envoy as its child, proxies its xDS to istiod, answers readiness on
// its status port and pulls Wasm modules named by oci:// into its cache. Envoy is the pinned
// release, not Istio's own proxy build (no istio.stats, metadata exchange or ALPN filters).
// The agent listens on all addresses: it runs only in a private network namespace.
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminGet, readStats } from "../envoy/admin.js";
import { VERSION_ROUTER_TAGS } from "../envoy/bootstrap.js";
import { envoyBinary } from "../envoy/envoy-binary.js";
import { inPrivateNetns } from "../netns/private-netns.js";
import { spawnService, waitUntil } from "../process/service-process.js";
import { GATEWAY_PORTS, type GatewayPod, preparePod } from "./gateway-pod.js";
import type { IstioTools } from "./istio-tools.js";
import type { KubeClient } from "./kube-client.js";

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
export const GATEWAY_POD_ANNOTATIONS: Readonly<Record<string, string>> = {
  "sidecar.istio.io/extraStatTags": VERSION_ROUTER_TAGS.join(","),
  "proxy.istio.io/config": JSON.stringify({ proxyStatsMatcher: { inclusionPrefixes: ["extension_config_discovery", "listener"] } }),
};

/** Where istio-agent keeps the Wasm modules it pulled: an emptyDir of the pod, here the namespace's tmpfs. */
const WASM_CACHE_DIR = "/var/lib/istio/data";

export interface IngressGateway {
  adminUrl: string;
  /** Istio's metrics listener: what Prometheus scrapes in a gateway pod (port 15090). */
  prometheusUrl: string;
  /** Istio's readiness endpoint (port 15021): 200 once Envoy has its listeners and clusters. */
  readyUrl: string;
  /** pilot-agent's process id, and its Envoy's. */
  pid: number | undefined;
  envoyPid: number | undefined;
  identity: GatewayIdentity;
  /** Envoy's /config_dump, parsed. */
  configDump(resource?: string): Promise<ConfigDump>;
  /** The HTTP filter configurations Envoy holds from ECDS. */
  ecdsFilters(): Promise<EcdsFilter[]>;
  /** The HTTP filter chain, by name, of the listener on this port (its first HTTP connection manager). */
  httpFilters(port: number): Promise<string[]>;
  stats(filter?: string): Promise<Map<string, number>>;
  /** Every line the agent and Envoy printed. */
  logs(): string[];
  /** Envoy's lines that report a crash or a Wasm error. */
  errors(): string[];
  /** The agent's own error lines (a module it could not fetch, a certificate it could not get). */
  agentErrors(): string[];
  /** The Wasm modules in the agent's cache, by file name. */
  cachedModules(): Promise<string[]>;
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
  /** The filter's type: Envoy's Wasm filter, or the RBAC filter istio-agent puts in its place when it cannot fetch the module. */
  typeUrl: string;
  /** The Wasm module's local file, when the config is a Wasm filter. */
  wasmFile?: string;
  /** The plugin configuration string (Istio's pluginConfig as JSON). */
  configuration?: string;
  failurePolicy?: string;
}

export interface GatewayOptions {
  identity?: GatewayIdentity;
  kube: KubeClient;
  /** istiod's TLS address (xDS and CA), host:port. */
  istiod: string;
  tools: Pick<IstioTools, "pilotAgent" | "bootstrapTemplate" | "release">;
  /** The mesh config istiod runs with (the istio ConfigMap), as the injector reads it. */
  meshConfig: string;
  /** Level of Envoy's `wasm` logger; debug shows each decision. */
  filterLogLevel?: "info" | "debug";
}

interface RawEcds {
  version_info: string;
  ecds_filter: {
    name: string;
    typed_config: {
      "@type": string;
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
// The agent's own: <time>\t<level>\t[<scope>\t]<message>.
const AGENT_ERROR_LINE = /^\S+\terror\t(?!envoy )/;

export async function startIngressGateway(options: GatewayOptions): Promise<IngressGateway> {
  if (!inPrivateNetns()) {
    throw new Error(
      "pilot-agent listens on all addresses: start the gateway in a private network namespace (harness/netns/run-in-private-netns.ts)",
    );
  }
  const root = await mkdtemp(join(tmpdir(), "version-router-gateway-"));
  const identity = options.identity ?? DEFAULT_GATEWAY;
  const pod = { ...identity, annotations: { ...identity.annotations, ...GATEWAY_POD_ANNOTATIONS } };
  // A new pod: an empty module cache.
  await rm(WASM_CACHE_DIR, { recursive: true, force: true });
  await mkdir(WASM_CACHE_DIR, { recursive: true });
  const env = await preparePod(options.kube, root, {
    pod,
    meshConfig: options.meshConfig,
    istiod: options.istiod,
    envoyBinary: envoyBinary(),
    bootstrapTemplate: options.tools.bootstrapTemplate,
    release: options.tools.release,
  });
  const level = options.filterLogLevel ?? "info";
  const agent = spawnService(
    "pilot-agent",
    options.tools.pilotAgent,
    [
      "proxy",
      "router",
      "--domain",
      `${pod.namespace}.svc.cluster.local`,
      "--proxyLogLevel=warning",
      `--proxyComponentLogLevel=misc:error,wasm:${level}`,
      "--log_output_level=default:info",
    ],
    { cwd: root, env, processGroup: true },
  );
  const adminUrl = `http://127.0.0.1:${GATEWAY_PORTS.admin}`;
  const readyUrl = `http://127.0.0.1:${GATEWAY_PORTS.health}/healthz/ready`;
  const stop = async () => {
    await agent.stop();
    await rm(root, { recursive: true, force: true });
  };
  let envoyPid: number | undefined;
  try {
    await waitUntil(
      "pilot-agent's Envoy answering on its admin port",
      async () => ((await adminGet(adminUrl, "/ready")).status ? true : undefined),
      {
        timeoutMs: 60_000,
        process: agent,
        intervalMs: 100,
      },
    );
    envoyPid = await childPid(agent.pid, "envoy");
  } catch (err) {
    await stop();
    throw err;
  }
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
        typeUrl: ecds_filter.typed_config["@type"],
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
  const logLines = () => agent.logs();
  return {
    adminUrl,
    prometheusUrl: `http://127.0.0.1:${GATEWAY_PORTS.prometheus}/stats/prometheus`,
    readyUrl,
    pid: agent.pid,
    envoyPid,
    identity: pod,
    configDump,
    ecdsFilters,
    httpFilters,
    stats: (filter) => readStats(adminUrl, filter),
    logs: logLines,
    errors: () => logLines().filter((line) => ERROR_LINE.test(line)),
    agentErrors: () => logLines().filter((line) => AGENT_ERROR_LINE.test(line)),
    cachedModules: async () => (await listFiles(WASM_CACHE_DIR)).filter((f) => f.endsWith(".wasm")),
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
    stop,
  };
}

/** The pid of `parent`'s child process named `name` (from /proc: a Go program forks from any of its threads). */
async function childPid(parent: number | undefined, name: string): Promise<number | undefined> {
  if (parent === undefined) return undefined;
  const tasks = await readdir(`/proc/${parent}/task`).catch(() => [] as string[]);
  for (const task of tasks) {
    const children = await readFile(`/proc/${parent}/task/${task}/children`, "utf8").catch(() => "");
    for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      const comm = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
      if (comm === name) return pid;
    }
  }
  return undefined;
}

/** Every file under `dir`, as paths relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}
