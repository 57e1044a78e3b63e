import type { Upstreams } from "../upstreams/start-upstreams.js";
import type { ClusterSpec, RouteSpec } from "./bootstrap.js";

/**
 * One route per version and protocol: `header == version` goes to that version's gRPC
 * server for gRPC requests and to its HTTP server otherwise. Nothing else matches.
 */
export function versionRoutes(upstreams: Upstreams, header: string): { routes: RouteSpec[]; clusters: ClusterSpec[] } {
  const routes: RouteSpec[] = [];
  const clusters: ClusterSpec[] = [];
  for (const { version, httpPort, grpcPort } of upstreams.byVersion.values()) {
    routes.push(
      { name: `${version}-grpc`, header, exact: version, grpcOnly: true, cluster: `${version}-grpc` },
      { name: `${version}-http`, header, exact: version, cluster: `${version}-http` },
    );
    clusters.push({ name: `${version}-grpc`, port: grpcPort, http2: true }, { name: `${version}-http`, port: httpPort, http2: false });
  }
  return { routes, clusters };
}
