// Istio's control plane on the local API server, installed as Istio installs it: Helm
// installs Istio's own `base` chart (CRDs, default validator) and `istiod` chart (mesh
// config, RBAC, the revision's validating webhook), and pilot-discovery runs here as the
// istiod pod would. The webhooks point at istiod by URL (the charts' external-istiod
// option), and istiod's serving certificate carries 127.0.0.1 (ISTIOD_CUSTOM_HOST), so the
// API server reaches it on loopback. istiod itself patches the webhooks' CA bundle and
// switches them to failurePolicy Fail once it answers.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { helm } from "../manifests/helm.js";
import { freePort } from "../process/free-port.js";
import { type ServiceProcess, spawnService, waitUntil } from "../process/service-process.js";
import type { IstioTools } from "./istio-tools.js";
import type { KubeApi } from "./kube-api-server.js";
import type { KubeObject } from "./kube-client.js";

export const ISTIO_NAMESPACE = "istio-system";
const READY_TIMEOUT_MS = 90_000;

export interface Istiod {
  process: ServiceProcess;
  /** xDS and the certificate authority over TLS (port 15012 in a cluster), as host:port. */
  secureAddress: string;
  /** istiod's debug HTTP endpoint (/debug/..., /ready). */
  httpUrl: string;
}

/**
 * Mesh config for these workloads and a plain Envoy: the workloads are echo servers without
 * sidecars (so no auto mTLS towards them), and Istio's metrics filter (istio.stats) exists
 * only in Istio's own proxy build (so no default metrics provider).
 */
const MESH_VALUES = ["--set", "meshConfig.enableAutoMtls=false", "--set", "telemetry.enabled=false"];

/**
 * Features only Istio's own proxy build has; a plain Envoy rejects the listener if istiod
 * sends them.
 */
const PLAIN_ENVOY_ENV = { PILOT_ENABLE_METADATA_EXCHANGE: "false", PILOT_ENABLE_ALPN_FILTER: "false" };

export async function installIstioCharts(tools: IstioTools, kube: KubeApi, validationUrl: string): Promise<void> {
  const common = ["--kubeconfig", kube.kubeconfig, "--namespace", ISTIO_NAMESPACE, "--set", `base.validationURL=${validationUrl}`];
  await helm(["install", "istio-base", tools.baseChart, "--create-namespace", ...common]);
  await helm(["install", "istiod", tools.istiodChart, ...common, ...MESH_VALUES]);
}

export async function startIstiod(tools: IstioTools, kube: KubeApi, dir: string): Promise<Istiod> {
  const [grpc, secureGrpc, http, https, monitoring] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  await installIstioCharts(tools, kube, `https://127.0.0.1:${https}/validate`);
  const cwd = join(dir, "istiod");
  await mkdir(cwd, { recursive: true });
  const process = spawnService(
    "istiod",
    tools.pilotDiscovery,
    [
      "discovery",
      "--kubeconfig",
      kube.kubeconfig,
      // Its plaintext xDS (15010) unused: the gateway's agent comes over TLS.
      "--grpcAddr",
      `127.0.0.1:${grpc}`,
      "--secureGRPCAddr",
      `127.0.0.1:${secureGrpc}`,
      "--httpAddr",
      `127.0.0.1:${http}`,
      "--httpsAddr",
      `127.0.0.1:${https}`,
      "--monitoringAddr",
      `127.0.0.1:${monitoring}`,
      // No files: the mesh config comes from the ConfigMap the istiod chart installed.
      "--meshConfig",
      join(cwd, "no-mesh-file"),
      "--networksConfig",
      join(cwd, "no-networks-file"),
      "--log_output_level",
      "default:info",
    ],
    {
      cwd,
      env: {
        ...globalThis.process.env,
        POD_NAMESPACE: ISTIO_NAMESPACE,
        POD_NAME: "istiod-harness",
        REVISION: "default",
        ISTIOD_CUSTOM_HOST: "127.0.0.1",
        ...PLAIN_ENVOY_ENV,
      },
    },
  );
  const httpUrl = `http://127.0.0.1:${http}`;
  await waitUntil("istiod /ready", async () => ((await fetch(`${httpUrl}/ready`)).ok ? true : undefined), {
    timeoutMs: READY_TIMEOUT_MS,
    process,
    intervalMs: 250,
  });
  await waitForValidation(kube, process);
  return { process, secureAddress: `127.0.0.1:${secureGrpc}`, httpUrl };
}

interface WebhookConfiguration extends KubeObject {
  webhooks: Array<{ name: string; failurePolicy?: string; clientConfig: { caBundle?: string } }>;
}

/** Waits until istiod has taken over its webhooks: CA bundle in, failurePolicy Fail. */
async function waitForValidation(kube: KubeApi, process: ServiceProcess): Promise<void> {
  await waitUntil(
    "istiod's validating webhook (caBundle patched, failurePolicy Fail)",
    async () => {
      const configs = await kube.client.list<WebhookConfiguration>("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration");
      const istio = configs.filter((c) => c.metadata.labels?.app === "istiod");
      const ready = istio.length >= 2 && istio.every((c) => c.webhooks.every((w) => w.failurePolicy === "Fail" && w.clientConfig.caBundle));
      return ready ? true : undefined;
    },
    { timeoutMs: READY_TIMEOUT_MS, process, intervalMs: 500 },
  );
}
