// A gateway's Envoy bootstrap as istio-agent writes it: the pod's files and environment laid
// out in a pod root directory, then Istio's own code (harness/istio/bootstrap, built as
// istio-bootstrap) renders Istio's bootstrap template from them.
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { IstioTools } from "./istio-tools.js";

const exec = promisify(execFile);

export interface GatewayPod {
  namespace: string;
  podName: string;
  labels: Record<string, string>;
  /** Pod annotations, e.g. sidecar.istio.io/extraStatTags. */
  annotations?: Record<string, string>;
  /** The pod's service account (SERVICE_ACCOUNT for istio-agent). */
  serviceAccount?: string;
}

export interface BootstrapPorts {
  admin: number;
  /** Envoy's /stats/prometheus listener (15090 in a pod). */
  prometheus: number;
  /** Envoy's /healthz/ready listener (15021 in a pod). */
  status: number;
}

/** Where istio-agent finds the pod's labels and annotations (the downward API volume) and writes Envoy's files. */
const POD_INFO_DIR = "etc/istio/pod";
const PROXY_CONFIG_DIR = "etc/istio/proxy";
/** The socket the bootstrap's xds-grpc cluster dials: istio-agent's XDS proxy, relative to the pod root. */
export const XDS_PIPE = `${PROXY_CONFIG_DIR}/XDS`;

export interface IstioBootstrapOptions {
  tools: Pick<IstioTools, "bootstrapRenderer" | "bootstrapTemplate" | "release">;
  /** The pod root: Envoy must run with this as its working directory. */
  podRoot: string;
  pod: GatewayPod;
  /** The mesh config (the istio ConfigMap's `mesh` key), as a gateway pod mounts it. */
  meshConfig: string;
  ports: BootstrapPorts;
}

/** The bootstrap istio-agent would write for this pod, parsed. */
export async function renderIstioBootstrap(options: IstioBootstrapOptions): Promise<IstioBootstrap> {
  const { podRoot, pod, ports, tools } = options;
  await mkdir(join(podRoot, POD_INFO_DIR), { recursive: true });
  await mkdir(join(podRoot, PROXY_CONFIG_DIR), { recursive: true });
  await writeFile(join(podRoot, POD_INFO_DIR, "labels"), downwardApi(pod.labels));
  await writeFile(join(podRoot, POD_INFO_DIR, "annotations"), downwardApi(pod.annotations ?? {}));
  await writeFile(join(podRoot, "mesh"), options.meshConfig);
  const workload = pod.labels.app ?? pod.podName;
  // The environment Istio's gateway Deployment gives pilot-agent.
  const env = {
    PATH: process.env.PATH ?? "",
    POD_NAME: pod.podName,
    POD_NAMESPACE: pod.namespace,
    INSTANCE_IP: "127.0.0.1",
    SERVICE_ACCOUNT: pod.serviceAccount ?? "default",
    ISTIO_META_CLUSTER_ID: "Kubernetes",
    ISTIO_META_WORKLOAD_NAME: workload,
    ISTIO_META_OWNER: `kubernetes://apis/apps/v1/namespaces/${pod.namespace}/deployments/${workload}`,
    ISTIO_META_ISTIO_VERSION: tools.release,
    // The admin port is the bootstrap's own (its /stats/prometheus route goes there), so it is fixed here.
    PROXY_CONFIG: JSON.stringify({ proxyAdminPort: ports.admin, proxyMetadata: { METRICS_LOCALHOST_ACCESS_ONLY: "true" } }),
  };
  const { stdout } = await exec(
    tools.bootstrapRenderer,
    [
      "-mesh",
      "mesh",
      "-template",
      tools.bootstrapTemplate,
      "-id",
      `router~127.0.0.1~${pod.podName}.${pod.namespace}~${pod.namespace}.svc.cluster.local`,
      "-ip",
      "127.0.0.1",
      "-service-cluster",
      `${workload}.${pod.namespace}`,
      "-status-port",
      String(ports.status),
      "-prometheus-port",
      String(ports.prometheus),
    ],
    { cwd: podRoot, env, maxBuffer: 16 << 20 },
  );
  return loopbackOnly(JSON.parse(stdout) as IstioBootstrap);
}

export interface IstioBootstrap {
  stats_config: { stats_tags: Array<{ tag_name: string; regex?: string }>; stats_matcher?: unknown };
  static_resources: { listeners: Array<{ name: string; address: { socket_address: { address: string; port_value: number } } }> };
  [key: string]: unknown;
}

// The one change to what Istio rendered: the health listener binds all addresses in a pod,
// and this machine's rule is loopback only (the metrics listener is loopback already,
// through Istio's own METRICS_LOCALHOST_ACCESS_ONLY).
function loopbackOnly(bootstrap: IstioBootstrap): IstioBootstrap {
  for (const listener of bootstrap.static_resources.listeners) {
    if (listener.address.socket_address.address === "0.0.0.0") listener.address.socket_address.address = "127.0.0.1";
  }
  return bootstrap;
}

// The downward API's file format, which Istio parses back: key="value" per line.
function downwardApi(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}\n`)
    .join("");
}
