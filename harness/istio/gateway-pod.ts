// A gateway pod's istio-proxy container as Istio's gateway injection template makes it
// (manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml in the
// pinned module): its files, laid out under a pod root directory that pilot-agent runs in (the
// agent's paths are relative, ./etc/istio/...), and its environment. No kubelet runs here, so
// the harness writes what the kubelet would mount: the downward-API labels and annotations, a
// service-account token the API server issues, istiod's root certificate.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { waitUntil } from "../process/service-process.js";
import type { KubeClient, KubeObject } from "./kube-client.js";

/** The pod a gateway claims to be: its labels are what the Gateway's and the WasmPlugin's selectors match. */
export interface GatewayPod {
  namespace: string;
  podName: string;
  labels: Record<string, string>;
  /** Pod annotations, e.g. sidecar.istio.io/extraStatTags. */
  annotations?: Record<string, string>;
  /** The pod's service account; default istio-ingressgateway, as Istio's gateway chart names it. */
  serviceAccount?: string;
}

/** A gateway pod's well-known ports (a private network namespace has them to itself). */
export const GATEWAY_PORTS = { admin: 15000, agentStatus: 15020, health: 15021, prometheus: 15090 } as const;

export interface PodSpec {
  pod: GatewayPod;
  /** The mesh config (the istio ConfigMap's `mesh`): its defaultConfig is the ProxyConfig the injector hands the agent. */
  meshConfig: string;
  /** istiod's TLS address, its 15012: xDS and the CA, both authenticated by the pod's certificate. */
  istiod: string;
  envoyBinary: string;
  /** Istio's bootstrap template, as Istio's proxy image holds it. */
  bootstrapTemplate: string;
  release: string;
}

/** Writes the pod's files under `root` and returns the container's environment. */
export async function preparePod(kube: KubeClient, root: string, spec: PodSpec): Promise<NodeJS.ProcessEnv> {
  const { pod } = spec;
  const serviceAccount = pod.serviceAccount ?? "istio-ingressgateway";
  const dirs = ["etc/istio/pod", "etc/istio/proxy", "var/lib/istio/envoy", "var/run/secrets/tokens", "var/run/secrets/istio"];
  for (const dir of dirs) await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, "etc/istio/pod/labels"), downwardApi(pod.labels));
  await writeFile(join(root, "etc/istio/pod/annotations"), downwardApi(pod.annotations ?? {}));
  await writeFile(join(root, "var/lib/istio/envoy/envoy_bootstrap_tmpl.json"), await readFile(spec.bootstrapTemplate));
  await writeFile(join(root, "var/run/secrets/tokens/istio-token"), await serviceAccountToken(kube, pod.namespace, serviceAccount));
  await writeFile(join(root, "var/run/secrets/istio/root-cert.pem"), await istiodRootCert(kube, pod.namespace));
  const workload = pod.labels.app ?? pod.podName;
  const proxyConfig = {
    ...((parse(spec.meshConfig) as { defaultConfig?: object } | null)?.defaultConfig ?? {}),
    // As a cluster's gateway: xDS over mTLS with the certificate istiod's CA issued the pod,
    // which is what lets istiod hand it a WasmPlugin's pull secret (a verified identity).
    discoveryAddress: spec.istiod,
    controlPlaneAuthPolicy: "MUTUAL_TLS",
    binaryPath: spec.envoyBinary,
    configPath: "./etc/istio/proxy",
    statusPort: GATEWAY_PORTS.agentStatus,
    proxyAdminPort: GATEWAY_PORTS.admin,
    // One worker, as the plain-Envoy suites run: one VM per plugin, so a failing VM fails every request.
    concurrency: 1,
    // A stopped gateway ends now rather than after Istio's 5 s drain.
    terminationDrainDuration: "0s",
  };
  return {
    PATH: process.env.PATH ?? "",
    PILOT_CERT_PROVIDER: "istiod",
    CA_ADDR: spec.istiod,
    POD_NAME: pod.podName,
    POD_NAMESPACE: pod.namespace,
    INSTANCE_IP: "127.0.0.1",
    SERVICE_ACCOUNT: serviceAccount,
    HOST_IP: "127.0.0.1",
    PROXY_CONFIG: JSON.stringify(proxyConfig),
    ISTIO_META_CLUSTER_ID: "Kubernetes",
    ISTIO_META_WORKLOAD_NAME: workload,
    ISTIO_META_OWNER: `kubernetes://apis/apps/v1/namespaces/${pod.namespace}/deployments/${workload}`,
    ISTIO_META_ISTIO_VERSION: spec.release,
    TRUST_DOMAIN: "cluster.local",
  };
}

/** A token for the pod's service account with the audience istiod's CA checks, as the projected volume holds it. */
async function serviceAccountToken(kube: KubeClient, namespace: string, name: string): Promise<string> {
  await kube.apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } });
  const request = {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { audiences: ["istio-ca"], expirationSeconds: 43200 },
  };
  const answer = await kube.call<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    request,
  );
  return answer.status.token;
}

/** istiod's root certificate, which it publishes in every namespace's istio-ca-root-cert ConfigMap. */
async function istiodRootCert(kube: KubeClient, namespace: string): Promise<string> {
  return waitUntil(
    `istiod's root certificate in ${namespace}/istio-ca-root-cert`,
    async () =>
      (await kube.get<KubeObject & { data?: Record<string, string> }>("v1", "ConfigMap", namespace, "istio-ca-root-cert"))?.data?.[
        "root-cert.pem"
      ],
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

// The downward API's file format, which Istio parses back: key="value" per line.
function downwardApi(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}\n`)
    .join("");
}
