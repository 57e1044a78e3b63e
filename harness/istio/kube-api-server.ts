// etcd and kube-apiserver on loopback: a real Kubernetes API without nodes. Authorization
// is AlwaysAllow; clients authenticate with the throw-away PKI's admin certificate.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../process/free-port.js";
import { type ServiceProcess, spawnService, waitUntil } from "../process/service-process.js";
import { KubeClient } from "./kube-client.js";
import type { Pki } from "./pki.js";

export interface KubeApi {
  server: string;
  /** A kubeconfig for Helm, istiod and istioctl. */
  kubeconfig: string;
  client: KubeClient;
  processes: ServiceProcess[];
}

const START_TIMEOUT_MS = 60_000;

export async function startEtcd(etcd: string, dir: string): Promise<{ url: string; process: ServiceProcess }> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const process = spawnService("etcd", etcd, [
    "--name",
    "harness",
    "--data-dir",
    join(dir, "etcd"),
    "--listen-client-urls",
    url,
    "--advertise-client-urls",
    url,
    "--listen-peer-urls",
    peerUrl,
    "--initial-advertise-peer-urls",
    peerUrl,
    "--initial-cluster",
    `harness=${peerUrl}`,
    "--log-level",
    "warn",
  ]);
  await waitUntil(
    "etcd health",
    async () => {
      const res = await fetch(`${url}/health`);
      return res.ok ? true : undefined;
    },
    { timeoutMs: START_TIMEOUT_MS, process },
  );
  return { url, process };
}

export async function startKubeApiServer(
  binary: string,
  etcdUrl: string,
  pki: Pki,
  dir: string,
  options: { emulatedVersion?: string } = {},
): Promise<Omit<KubeApi, "processes"> & { process: ServiceProcess }> {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const process = spawnService(
    "kube-apiserver",
    binary,
    [
      "--etcd-servers",
      etcdUrl,
      "--bind-address",
      "127.0.0.1",
      "--secure-port",
      String(port),
      "--advertise-address",
      "127.0.0.1",
      "--tls-cert-file",
      pki.serverCert,
      "--tls-private-key-file",
      pki.serverKey,
      "--client-ca-file",
      pki.caCert,
      "--service-account-key-file",
      pki.serviceAccountPub,
      "--service-account-signing-key-file",
      pki.serviceAccountKey,
      "--service-account-issuer",
      "https://kubernetes.default.svc.cluster.local",
      "--authorization-mode",
      "AlwaysAllow",
      // Addresses for ClusterIPs only: nothing routes to this range, and nothing needs to.
      "--service-cluster-ip-range",
      "10.96.0.0/16",
      // No node runs here, so nothing would answer at an advertised endpoint.
      "--endpoint-reconciler-type",
      "none",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      "--cert-dir",
      join(dir, "apiserver-certs"),
      ...(options.emulatedVersion ? ["--emulated-version", options.emulatedVersion] : []),
      "-v",
      "1",
    ],
    { keepLines: 5_000 },
  );
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    JSON.stringify(
      {
        apiVersion: "v1",
        kind: "Config",
        "current-context": "harness",
        clusters: [{ name: "harness", cluster: { server, "certificate-authority": pki.caCert } }],
        users: [{ name: "admin", user: { "client-certificate": pki.adminCert, "client-key": pki.adminKey } }],
        contexts: [{ name: "harness", context: { cluster: "harness", user: "admin" } }],
      },
      null,
      2,
    ),
  );
  const client = new KubeClient({ server, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey });
  await waitUntil(
    "kube-apiserver /readyz",
    async () => {
      const body = await client.call<unknown>("GET", "/readyz").catch(() => undefined);
      return body === undefined ? undefined : true;
    },
    { timeoutMs: START_TIMEOUT_MS, process, intervalMs: 250 },
  );
  return { server, kubeconfig, client, process };
}
