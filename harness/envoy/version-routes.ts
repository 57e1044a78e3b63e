import type { Upstreams } from "../upstreams/start-upstreams.js";
import { SERVED_HEADER } from "../version-header.js";
import type { ClusterSpec, RouteSpec } from "./bootstrap.js";

/**
 * One route per version and protocol: `header == version` goes to that version's gRPC
 * server for gRPC requests and to its HTTP server otherwise, and answers with the version
 * in x-version-served. Nothing else matches.
 */
export function versionRoutes(upstreams: Upstreams, header: string): { routes: RouteSpec[]; clusters: ClusterSpec[] } {
  const routes: RouteSpec[] = [];
  const clusters: ClusterSpec[] = [];
  for (const { version, httpPort, grpcPort } of upstreams.byVersion.values()) {
    const responseHeaders = { [SERVED_HEADER]: version };
    routes.push(
      { name: `${version}-grpc`, header, exact: version, grpcOnly: true, cluster: `${version}-grpc`, responseHeaders },
      { name: `${version}-http`, header, exact: version, cluster: `${version}-http`, responseHeaders },
    );
    clusters.push({ name: `${version}-grpc`, port: grpcPort, http2: true }, { name: `${version}-http`, port: httpPort, http2: false });
  }
  return { routes, clusters };
}
