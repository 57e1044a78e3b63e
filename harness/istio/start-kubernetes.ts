// A Kubernetes API without nodes: a throw-away PKI, etcd and kube-apiserver on loopback. What
// startIstio builds on, and what suites need that only ask the API server (server-side dry-run:
// its schemas, defaulting and admission, Pod Security's among them).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceProcess } from "../process/service-process.js";
import { type KubeApi, startEtcd, startKubeApiServer } from "./kube-api-server.js";
import { makePki } from "./pki.js";

export interface KubernetesTools {
  etcd: string;
  kubeApiserver: string;
}

export interface Kubernetes extends KubeApi {
  /** The run directory: the PKI, etcd's data, the kubeconfig. */
  dir: string;
  stop(): Promise<void>;
}

export async function startKubernetes(tools: KubernetesTools, options: { emulatedVersion?: string } = {}): Promise<Kubernetes> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-kube-"));
  const processes: ServiceProcess[] = [];
  let client: KubeApi["client"] | undefined;
  const stop = async () => {
    for (const p of processes.splice(0).reverse()) await p.stop();
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const pki = await makePki(dir);
    const etcd = await startEtcd(tools.etcd, dir);
    processes.push(etcd.process);
    const api = await startKubeApiServer(tools.kubeApiserver, etcd.url, pki, dir, options);
    processes.push(api.process);
    client = api.client;
    return { server: api.server, kubeconfig: api.kubeconfig, client: api.client, processes: [...processes], dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
