import type { KubeObject } from "../../harness/istio/kube-client.js";

/**
 * What the chart rendered before it split its VirtualService: one object bound to both
 * mesh and the Gateway, with the Gateway's host "*". Istio refuses it (IST0106).
 */
export function oldChartVirtualService(namespace: string): KubeObject {
  const host = `grpcsvc.${namespace}.svc.cluster.local`;
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "old-chart", namespace },
    spec: {
      hosts: [host, "*"],
      gateways: ["mesh", "grpcsvc-gateway"],
      http: [{ route: [{ destination: { host, subset: "v1" } }] }],
    },
  };
}
