// Builds the harness's Envoy routes and the filter's plugin configuration from the
// chart's rendered VirtualService, DestinationRule and WasmPlugin — the fields the chart
// uses — so the e2e suite runs the routing the chart really renders.
import type { ClusterSpec, RouteSpec } from "../envoy/bootstrap.js";
import type { Upstreams } from "../upstreams/start-upstreams.js";
import type { K8sObject } from "./helm.js";

interface HttpRoute {
  name?: string;
  match?: Array<{ headers?: Record<string, { exact?: string; prefix?: string; regex?: string }> }>;
  route: Array<{ destination: { host: string; subset?: string }; weight?: number }>;
}

export interface ManifestRouting {
  /** Version labels of the DestinationRule's subsets: the upstreams to start. */
  versions: string[];
  /** The WasmPlugin's pluginConfig, as the JSON string the filter receives. */
  pluginConfig: string;
  /** The header the filter reads. */
  header: string;
  /** Envoy routes and clusters, in VirtualService order. */
  routing(upstreams: Upstreams): { routes: RouteSpec[]; clusters: ClusterSpec[] };
}

function single(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in the rendered chart, found ${found.length}`);
  return found[0]!;
}

export function envoyFromManifests(objects: readonly K8sObject[], protocol: "grpc" | "http"): ManifestRouting {
  const virtualService = single(objects, "VirtualService").spec as { http: HttpRoute[] };
  const destinationRule = single(objects, "DestinationRule").spec as {
    subsets: Array<{ name: string; labels: { version: string } }>;
  };
  const plugin = single(objects, "WasmPlugin").spec as { pluginConfig: { header: string } };

  const versionOfSubset = new Map(destinationRule.subsets.map((s) => [s.name, s.labels.version]));
  const routes = (upstreams: Upstreams) => {
    const out: RouteSpec[] = virtualService.http.map((http, i) => {
      if (http.route.length !== 1) throw new Error(`route ${http.name ?? i}: weighted splits are not translated`);
      const subset = http.route[0]!.destination.subset;
      const version = subset && versionOfSubset.get(subset);
      if (!version || !upstreams.byVersion.has(version)) throw new Error(`route ${http.name ?? i}: subset ${subset} has no upstream`);
      const headers = Object.entries(http.match?.[0]?.headers ?? {});
      if (headers.length > 1 || (headers[0] && headers[0][1].exact === undefined)) {
        throw new Error(`route ${http.name ?? i}: only a single exact header match is translated`);
      }
      const [header, match] = headers[0] ?? [];
      return { name: http.name ?? `route-${i}`, header, exact: match?.exact, cluster: `${version}-${protocol}` };
    });
    const clusters: ClusterSpec[] = [...upstreams.byVersion.values()].map((u) =>
      protocol === "grpc"
        ? { name: `${u.version}-grpc`, port: u.grpcPort, http2: true }
        : { name: `${u.version}-http`, port: u.httpPort, http2: false },
    );
    return { routes: out, clusters };
  };

  return {
    versions: [...new Set(versionOfSubset.values())],
    pluginConfig: JSON.stringify(plugin.pluginConfig),
    header: plugin.pluginConfig.header,
    routing: routes,
  };
}
