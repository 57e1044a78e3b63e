import type { KubeObject } from "../istio/kube-client.js";
import { seedLuaSource } from "./seed-fallback.js";

/**
 * The seed's Istio EnvoyFilter, as the seed deployment wrote it: its inline Lua patched into
 * the ingress gateway (workload selector app: istio-ingressgateway, context GATEWAY) before
 * Envoy's router.
 */
export function seedEnvoyFilter(namespace = "istio-system"): KubeObject {
  return {
    apiVersion: "networking.istio.io/v1alpha3",
    kind: "EnvoyFilter",
    metadata: { name: "grpcsvc-version-fallback", namespace },
    spec: {
      workloadSelector: { labels: { app: "istio-ingressgateway" } },
      configPatches: [
        {
          applyTo: "HTTP_FILTER",
          match: {
            context: "GATEWAY",
            listener: {
              filterChain: {
                filter: { name: "envoy.filters.network.http_connection_manager", subFilter: { name: "envoy.filters.http.router" } },
              },
            },
          },
          patch: {
            operation: "INSERT_BEFORE",
            value: {
              name: "envoy.filters.http.lua",
              typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua", inlineCode: seedLuaSource() },
            },
          },
        },
      ],
    },
  };
}
