// A plain Envoy as Istio's ingress gateway: the node identity and labels an Istio gateway
// pod has, one static cluster to reach istiod, and nothing else. Listeners, routes,
// clusters, endpoints and the Wasm filter (over ECDS) all come from istiod over ADS.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminGet, readStats } from "../envoy/admin.js";
import { envoyArgs } from "../envoy/envoy-args.js";
import { launchEnvoyProcess } from "../envoy/envoy-process.js";
import type { LaunchedEnvoy } from "../envoy/launched-envoy.js";
import { waitUntil } from "../process/service-process.js";

export interface GatewayIdentity {
  namespace: string;
  /** The pod name the gateway claims. */
  podName: string;
  /** Pod labels: the Gateway's and the WasmPlugin's selectors match these. */
  labels: Record<string, string>;
}

export const DEFAULT_GATEWAY: GatewayIdentity = {
  namespace: "istio-system",
  podName: "istio-ingressgateway-harness",
  labels: { app: "istio-ingressgateway", istio: "ingressgateway" },
};

export interface IngressGateway {
  adminUrl: string;
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
  istioRelease: string;
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

const ERROR_LINE = /\]\[(critical|error)\]\[|Wasm VM failed|Function: proxy_on_\w+ failed|Caught Segmentation/;

export function renderGatewayBootstrap(options: GatewayOptions): object {
  const { namespace, podName, labels } = options.identity ?? DEFAULT_GATEWAY;
  const workload = labels.app ?? podName;
  return {
    node: {
      // <type>~<ip>~<pod>.<namespace>~<namespace>.svc.cluster.local, as istio-agent names it.
      id: `router~127.0.0.1~${podName}.${namespace}~${namespace}.svc.cluster.local`,
      cluster: `${workload}.${namespace}`,
      metadata: {
        NAMESPACE: namespace,
        NAME: podName,
        WORKLOAD_NAME: workload,
        LABELS: labels,
        CLUSTER_ID: "Kubernetes",
        ISTIO_VERSION: options.istioRelease,
        INSTANCE_IPS: "127.0.0.1",
      },
    },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    dynamic_resources: {
      ads_config: {
        api_type: "GRPC",
        transport_api_version: "V3",
        grpc_services: [{ envoy_grpc: { cluster_name: "xds-grpc" } }],
        set_node_on_first_message_only: true,
      },
      lds_config: { ads: {}, resource_api_version: "V3" },
      cds_config: { ads: {}, resource_api_version: "V3" },
    },
    static_resources: {
      clusters: [
        {
          name: "xds-grpc",
          type: "STATIC",
          connect_timeout: "1s",
          typed_extension_protocol_options: {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
              "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
          load_assignment: {
            cluster_name: "xds-grpc",
            endpoints: [
              {
                lb_endpoints: [{ endpoint: { address: { socket_address: { address: options.xds.host, port_value: options.xds.port } } } }],
              },
            ],
          },
        },
      ],
    },
  };
}

export async function startIngressGateway(options: GatewayOptions): Promise<IngressGateway> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-gateway-"));
  let launched: LaunchedEnvoy | undefined;
  try {
    await writeFile(join(dir, "bootstrap.json"), JSON.stringify(renderGatewayBootstrap(options), null, 2));
    const level = options.filterLogLevel ?? "info";
    launched = await launchEnvoyProcess(dir, envoyArgs(join(dir, "bootstrap.json"), `wasm:${level}`));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const envoy = launched;
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
    pid: envoy.pid,
    identity: options.identity ?? DEFAULT_GATEWAY,
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}
