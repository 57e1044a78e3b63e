// startIstio: a real Kubernetes API (etcd + kube-apiserver), Istio's CRDs and webhooks
// installed by Istio's own charts, and istiod against it — all on loopback, in a fresh
// temporary directory. The handle runs Helm and istioctl against it, starts ingress
// gateways and version workloads, and stops everything it started, failed starts included.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { helm } from "../manifests/helm.js";
import type { ServiceProcess } from "../process/service-process.js";
import { installGatewayApiCrds } from "./gateway-api.js";
import { type GatewayIdentity, type IngressGateway, startIngressGateway } from "./ingress-gateway.js";
import type { IstioTools } from "./istio-tools.js";
import { type Istiod, startIstiod } from "./istiod.js";
import type { KubeClient } from "./kube-client.js";
import { type Kubernetes, startKubernetes } from "./start-kubernetes.js";
import { startVersionWorkloads, type VersionWorkloads, type WorkloadOptions } from "./workloads.js";

const exec = promisify(execFile);

export interface Istio {
  tools: IstioTools;
  kube: KubeClient;
  kubeconfig: string;
  istiod: Istiod;
  /** Helm against this API server. */
  helm(args: readonly string[]): Promise<string>;
  /** istioctl against this API server and istiod. */
  istioctl(args: readonly string[]): Promise<string>;
  startGateway(options?: { identity?: GatewayIdentity; filterLogLevel?: "info" | "debug" }): Promise<IngressGateway>;
  startWorkloads(options: WorkloadOptions): Promise<VersionWorkloads>;
  /** Every process the control plane runs, for log inspection. */
  processes(): ServiceProcess[];
  stop(): Promise<void>;
}

// The mesh config istiod's chart installed, which Istio's gateway Deployment mounts.
async function meshConfig(client: KubeClient): Promise<string> {
  const map = await client.call<{ data?: { mesh?: string } }>("GET", "/api/v1/namespaces/istio-system/configmaps/istio");
  return map.data?.mesh ?? "";
}

export interface IstioOptions {
  /** Install the Kubernetes Gateway API CRDs before istiod starts, so it runs its Gateway API controllers. */
  gatewayApi?: boolean;
  /**
   * The Kubernetes version the API server behaves as (--emulated-version: down to three minor
   * versions below its own), e.g. to check that a CEL expression compiles on an older cluster.
   */
  emulatedVersion?: string;
}

export async function startIstio(tools: IstioTools, options: IstioOptions = {}): Promise<Istio> {
  // istiod; the API server and etcd are kube's.
  const processes: ServiceProcess[] = [];
  const owned: Array<{ stop(): Promise<void> }> = [];
  let kube: Kubernetes | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Newest first: gateways and workloads, then istiod, the API server, etcd.
      for (const thing of owned.splice(0).reverse()) await thing.stop().catch(() => undefined);
      for (const p of processes.splice(0).reverse()) await p.stop();
      await kube?.stop();
    })());
  try {
    kube = await startKubernetes(tools, options.emulatedVersion ? { emulatedVersion: options.emulatedVersion } : {});
    if (options.gatewayApi) await installGatewayApiCrds(kube.client, tools.gatewayApiCrds);
    const istiod = await startIstiod(tools, kube, kube.dir);
    processes.push(istiod.process);
    const kubeconfig = kube.kubeconfig;
    const client = kube.client;
    const track = <T extends { stop(): Promise<void> }>(thing: T): T => {
      owned.push(thing);
      return thing;
    };
    return {
      tools,
      kube: client,
      kubeconfig,
      istiod,
      helm: (args) => helm(["--kubeconfig", kubeconfig, ...args]),
      istioctl: async (args) =>
        (await exec(tools.istioctl, [...args, "--kubeconfig", kubeconfig, "--istioNamespace", "istio-system"], { maxBuffer: 64 << 20 }))
          .stdout,
      startGateway: async (options = {}) =>
        track(
          await startIngressGateway({
            ...options,
            kube: client,
            istiod: istiod.secureAddress,
            tools,
            meshConfig: await meshConfig(client),
          }),
        ),
      startWorkloads: async (options) => track(await startVersionWorkloads(client, options)),
      processes: () => [...(kube?.processes ?? []), ...processes],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
