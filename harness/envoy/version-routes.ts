import type { Upstreams } from "../upstreams/start-upstreams.js";
import { SERVED_HEADER } from "../version-header.js";
import type { ClusterSpec, RouteSpec } from "./bootstrap.js";

/**
 * One route per version and protocol: `header == version` goes to that version's gRPC
 * server for gRPC requests and to its HTTP server otherwise, and answers with the version
 * in x-version-served. Nothing else matches. `service` names the clusters apart when several
 * services' routes share one Envoy.
 */
export function versionRoutes(upstreams: Upstreams, header: string, service = ""): { routes: RouteSpec[]; clusters: ClusterSpec[] } {
  const routes: RouteSpec[] = [];
  const clusters: ClusterSpec[] = [];
  const prefix = service ? `${service}-` : "";
  for (const { version, httpPort, grpcPort } of upstreams.byVersion.values()) {
    const responseHeaders = { [SERVED_HEADER]: version };
    const [grpcCluster, httpCluster] = [`${prefix}${version}-grpc`, `${prefix}${version}-http`];
    routes.push(
      { name: grpcCluster, header, exact: version, grpcOnly: true, cluster: grpcCluster, responseHeaders },
      { name: httpCluster, header, exact: version, cluster: httpCluster, responseHeaders },
    );
    clusters.push({ name: grpcCluster, port: grpcPort, http2: true }, { name: httpCluster, port: httpPort, http2: false });
  }
  return { routes, clusters };
}
