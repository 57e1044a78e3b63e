// Stand-ins for each version's pods. No kubelet runs here, and the API server refuses
// loopback addresses in EndpointSlices, so each version is an Istio WorkloadEntry with the
// labels its Deployment's pods would have; the chart's own Service selects them, and
// istiod turns them into that Service's endpoints. Behind each entry are the harness's
// echo servers for that version, on a loopback address of its own.
import { startUpstreams, type Upstreams } from "../upstreams/start-upstreams.js";
import type { KubeClient, KubeObject } from "./kube-client.js";

export interface VersionWorkloads {
  upstreams: Upstreams;
  /** Removes the WorkloadEntries and stops the echo servers. */
  stop(): Promise<void>;
}

export interface WorkloadOptions {
  namespace: string;
  /** The chart's `app`: the Service selects app=<app>, the subsets version=<version>. */
  app: string;
  versions: readonly string[];
  /** The version header the echo servers report. */
  header?: string;
  /** The service the echo servers say they are versions of (several services on one gateway). */
  service?: string;
  /** First of the consecutive loopback addresses, one per version; default 127.0.0.11. */
  firstAddress?: number;
}

export function workloadEntry(
  namespace: string,
  app: string,
  version: string,
  address: string,
  ports: { grpc: number; http: number },
): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "WorkloadEntry",
    metadata: { name: `${app}-${version}`, namespace, labels: { app, version } },
    // The Service's targetPort names the port (grpc or http); ports maps it to the echo server.
    spec: { address, labels: { app, version }, ports },
  };
}

export async function startVersionWorkloads(kube: KubeClient, options: WorkloadOptions): Promise<VersionWorkloads> {
  const first = options.firstAddress ?? 11;
  const upstreams = await startUpstreams(options.versions, {
    ...(options.header ? { header: options.header } : {}),
    ...(options.service ? { service: options.service } : {}),
    hostOf: (index) => `127.0.0.${first + index}`,
  });
  const entries = [...upstreams.byVersion.values()].map((u) =>
    workloadEntry(options.namespace, options.app, u.version, u.host, { grpc: u.grpcPort, http: u.httpPort }),
  );
  const stop = async () => {
    await Promise.allSettled(entries.map((e) => kube.delete(e.apiVersion, e.kind, options.namespace, e.metadata.name)));
    await upstreams.stop();
  };
  try {
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: options.namespace } });
    for (const entry of entries) await kube.apply(entry);
  } catch (err) {
    await stop();
    throw err;
  }
  return { upstreams, stop };
}
