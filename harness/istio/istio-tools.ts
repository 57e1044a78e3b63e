// Where the pinned Istio and Kubernetes pieces are: the Makefile builds them into .tools/
// (`make istio-tools`) and exports their paths; every version is pinned there.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { KubernetesTools } from "./start-kubernetes.js";

export interface IstioTools {
  /** istiod. */
  pilotDiscovery: string;
  istioctl: string;
  /** The istio-agent, which runs in front of Envoy in every Istio proxy pod. */
  pilotAgent: string;
  /** Istio's bootstrap template, from the Istio module, which the agent renders for Envoy. */
  bootstrapTemplate: string;
  kubeApiserver: string;
  etcd: string;
  helm: string;
  /** Istio's own Helm charts (base: CRDs and the default validator; istiod), from the Istio module. */
  baseChart: string;
  istiodChart: string;
  /** The Istio release the module is, as a proxy reports it in ISTIO_VERSION (e.g. 1.31.0). */
  release: string;
  /** CNCF Distribution's registry, for OCI Wasm images. */
  registry: string;
  /** The Kubernetes Gateway API's CRD files (standard channel), from the sigs.k8s.io/gateway-api module. */
  gatewayApiCrds: string;
}

/** istioctl as `make istio-tools` builds it ("" when ISTIO_TOOLS_DIR is unset): all that offline analysis needs. */
export function istioctlBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.ISTIO_TOOLS_DIR ? join(env.ISTIO_TOOLS_DIR, "istioctl") : "";
}

function kubernetesToolPaths(env: NodeJS.ProcessEnv): KubernetesTools {
  return { kubeApiserver: env.KUBE_APISERVER_BIN ?? "", etcd: env.ETCD_BIN ?? "" };
}

/** etcd and kube-apiserver, as `make istio-tools` builds them, or the variables whose files are missing. */
export function kubernetesTools(env: NodeJS.ProcessEnv = process.env): KubernetesTools | { missing: string[] } {
  const tools = kubernetesToolPaths(env);
  const missing = [
    ...(tools.kubeApiserver && existsSync(tools.kubeApiserver) ? [] : ["KUBE_APISERVER_BIN"]),
    ...(tools.etcd && existsSync(tools.etcd) ? [] : ["ETCD_BIN"]),
  ];
  return missing.length === 0 ? tools : { missing };
}

/** The tools from the environment `make istio-tools` sets, or the names of what is missing. */
export function istioTools(env: NodeJS.ProcessEnv = process.env): IstioTools | { missing: string[] } {
  const dir = env.ISTIO_TOOLS_DIR ?? "";
  const tools: IstioTools = {
    pilotDiscovery: join(dir, "pilot-discovery"),
    istioctl: istioctlBinary(env),
    pilotAgent: join(dir, "pilot-agent"),
    bootstrapTemplate: join(dir, "envoy_bootstrap.json"),
    baseChart: join(dir, "charts/base"),
    istiodChart: join(dir, "charts/istio-discovery"),
    ...kubernetesToolPaths(env),
    helm: env.HELM_BIN || "helm",
    registry: env.REGISTRY_BIN ?? "",
    gatewayApiCrds: env.GATEWAY_API_CRDS ?? "",
    release: env.ISTIO_RELEASE ?? "",
  };
  const missing = [
    ...(dir ? [] : ["ISTIO_TOOLS_DIR"]),
    ...(tools.release ? [] : ["ISTIO_RELEASE"]),
    ...[
      tools.pilotDiscovery,
      tools.istioctl,
      tools.pilotAgent,
      tools.bootstrapTemplate,
      tools.baseChart,
      tools.istiodChart,
      tools.kubeApiserver,
      tools.etcd,
      tools.registry,
      tools.gatewayApiCrds,
    ].filter((path) => !path || !existsSync(path)),
  ];
  return missing.length === 0 ? tools : { missing };
}
