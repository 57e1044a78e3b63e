// The Kubernetes Gateway API on the local control plane: its CRDs installed from the
// module's own files before istiod starts (so istiod runs its Gateway API controllers), and
// a Gateway API gateway's pod as istiod describes it in the Deployment it creates for the
// Gateway, which no kubelet runs here.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { waitUntil } from "../process/service-process.js";
import type { GatewayPod } from "./gateway-pod.js";
import type { KubeClient, KubeObject } from "./kube-client.js";

/** Applies every object in the CRD files and waits until each CRD is Established. */
export async function installGatewayApiCrds(kube: KubeClient, dir: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort();
  const objects = (await Promise.all(files.map(async (f) => parseAllDocuments(await readFile(join(dir, f), "utf8")))))
    .flat()
    .map((doc) => doc.toJSON() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
  for (const object of objects) await kube.apply(object);
  const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
  await waitUntil(
    "the Gateway API CRDs established",
    async () => {
      for (const crd of crds) {
        const live = await kube.get<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>(
          "apiextensions.k8s.io/v1",
          "CustomResourceDefinition",
          undefined,
          crd.metadata.name,
        );
        if (!live?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return undefined;
      }
      return true;
    },
    { timeoutMs: 30_000 },
  );
}

interface Deployment extends KubeObject {
  spec: {
    template: {
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: { serviceAccountName?: string };
    };
  };
}

/**
 * The pod of a Gateway API gateway, as istiod's deployment controller describes it in the
 * Deployment it creates for the Gateway (<name>-istio, unless the GatewayClass says otherwise):
 * its namespace, labels (gateway.networking.k8s.io/gateway-name among them) and annotations.
 */
export async function gatewayApiPod(kube: KubeClient, namespace: string, gateway: string, timeoutMs = 30_000): Promise<GatewayPod> {
  const deployment = await waitUntil(
    `istiod's Deployment for Gateway ${namespace}/${gateway}`,
    async () =>
      (await kube.list<Deployment>("apps/v1", "Deployment", namespace)).find(
        (d) => d.metadata.labels?.["gateway.networking.k8s.io/gateway-name"] === gateway,
      ),
    { timeoutMs, intervalMs: 200 },
  );
  const { metadata, spec } = deployment.spec.template;
  return {
    namespace,
    podName: `${deployment.metadata.name}-harness`,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
    ...(spec.serviceAccountName ? { serviceAccount: spec.serviceAccountName } : {}),
  };
}

/**
 * The gateway pod as an endpoint of its Gateway's Service: no kubelet runs the Deployment's
 * pod, so an Istio WorkloadEntry with the pod's labels and address stands in for it (as for
 * the versions' pods). istiod marks the Gateway Programmed only when its Service has one.
 */
export function gatewayWorkloadEntry(pod: GatewayPod): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "WorkloadEntry",
    metadata: { name: pod.podName, namespace: pod.namespace },
    spec: { address: "127.0.0.1", labels: pod.labels, ...(pod.serviceAccount ? { serviceAccount: pod.serviceAccount } : {}) },
  };
}
