// Renders an Envoy bootstrap shaped like the one Istio generates at the ingress gateway
// for the seed deployment: HTTP filters before the router, and routes that match the
// version header exactly, with no catch-all.

export interface RouteSpec {
  name: string;
  /** Path prefix the route matches; default "/". */
  prefix?: string;
  /** Exact match on this request header against `exact`; without both, the route matches any request. */
  header?: string | undefined;
  exact?: string | undefined;
  /** Only gRPC requests (content-type application/grpc) match. */
  grpcOnly?: boolean;
  /** Where the request goes: an upstream cluster, or Envoy answers itself (benchmarks). */
  cluster?: string;
  directResponse?: { status: number; body: string };
  /** Response headers the route sets, e.g. the version that served the request. */
  responseHeaders?: Record<string, string>;
}

/** A virtual host: the requests to these domains (Envoy's matching: exact, `*.` wildcards, `*`) take these routes. */
export interface VirtualHostSpec {
  name: string;
  domains: string[];
  routes: RouteSpec[];
}

export interface ClusterSpec {
  name: string;
  port: number;
  http2: boolean;
}

/** The Wasm runtimes Envoy's release binary carries; V8 is the default and Istio's. */
export type WasmRuntime = "v8" | "wasmtime" | "wamr";

/** What Envoy does with requests when the plugin's VM has failed (PluginConfig failure_policy). */
export type WasmFailurePolicy = "FAIL_CLOSED" | "FAIL_OPEN" | "FAIL_RELOAD";

export interface WasmFilterSpec {
  kind: "wasm";
  /** The filter's name in the chain (and its plugin's); default WASM_FILTER_NAME. */
  name?: string;
  wasmPath: string;
  runtime?: WasmRuntime;
  pluginConfig: string;
  rootId?: string;
  vmId?: string;
  /** Envoy's default: FAIL_CLOSED. */
  failurePolicy?: WasmFailurePolicy;
  /**
   * Where Envoy watches for this filter's configuration when it is delivered through
   * ECDS from a file, as Istio delivers a WasmPlugin's; absent: static configuration.
   */
  ecdsPath?: string;
}

/**
 * Envoy's jwt_authn filter with one provider, as istiod renders a RequestAuthentication: the
 * verified payload in dynamic metadata under `payload`, a request without a token let through,
 * one with a token that does not verify refused (401).
 */
export interface JwtAuthnSpec {
  kind: "jwt_authn";
  issuer: string;
  /** The provider's keys, {"keys":[...]}. */
  jwks: string;
  /** Claims copied into request headers (Istio's outputClaimToHeaders). */
  claimToHeaders?: ReadonlyArray<{ header: string; claim: string }>;
  /** The verified payload, base64url, into this request header (Istio's outputPayloadToHeader). */
  payloadHeader?: string;
}

export type HttpFilterSpec = WasmFilterSpec | JwtAuthnSpec | { kind: "lua"; source: string };

/** The name the filter (and its ECDS resource) carries; Envoy's ECDS stats use it. */
export const WASM_FILTER_NAME = "version-router";
const WASM_TYPE_URL = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";

/** TLS on the listener, as Envoy sees the files: a client certificate is asked for and, when sent, verified against trustedCa. */
export interface DownstreamTlsSpec {
  certChain: string;
  privateKey: string;
  trustedCa: string;
}

export interface BootstrapSpec {
  /** The routes of the one virtual host for every domain, unless virtualHosts are given. */
  routes?: readonly RouteSpec[];
  virtualHosts?: readonly VirtualHostSpec[];
  clusters: readonly ClusterSpec[];
  filters: readonly HttpFilterSpec[];
  /** 0 lets the kernel choose (the harness then reads it from --admin-address-path). */
  adminPort?: number;
  downstreamTls?: DownstreamTlsSpec;
  /** A statsd sink on 127.0.0.1 at this UDP port: Envoy pushes counter deltas there, at shutdown too. */
  statsdPort?: number;
}

function downstreamTls(tls: DownstreamTlsSpec): object {
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: tls.certChain }, private_key: { filename: tls.privateKey } }],
        validation_context: { trusted_ca: { filename: tls.trustedCa } },
        alpn_protocols: ["h2", "http/1.1"],
      },
    },
  };
}

const LOOPBACK = "127.0.0.1";

function socket(port: number) {
  return { socket_address: { address: LOOPBACK, port_value: port } };
}

function renderJwtAuthn(filter: JwtAuthnSpec): object {
  const provider = {
    issuer: filter.issuer,
    local_jwks: { inline_string: filter.jwks },
    payload_in_metadata: "payload",
    forward: true,
    ...(filter.claimToHeaders
      ? { claim_to_headers: filter.claimToHeaders.map((c) => ({ header_name: c.header, claim_name: c.claim })) }
      : {}),
    ...(filter.payloadHeader ? { forward_payload_header: filter.payloadHeader } : {}),
  };
  return {
    name: "envoy.filters.http.jwt_authn",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
      providers: { issuer: provider },
      rules: [
        { match: { prefix: "/" }, requires: { requires_any: { requirements: [{ provider_name: "issuer" }, { allow_missing: {} }] } } },
      ],
    },
  };
}

function renderFilter(filter: HttpFilterSpec): object {
  if (filter.kind === "jwt_authn") return renderJwtAuthn(filter);
  if (filter.kind === "lua") {
    return {
      name: "envoy.filters.http.lua",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua",
        default_source_code: { inline_string: filter.source },
      },
    };
  }
  if (filter.ecdsPath) {
    const dir = filter.ecdsPath.slice(0, filter.ecdsPath.lastIndexOf("/"));
    return {
      name: WASM_FILTER_NAME,
      config_discovery: {
        config_source: {
          path_config_source: { path: filter.ecdsPath, watched_directory: { path: dir } },
          resource_api_version: "V3",
        },
        type_urls: [WASM_TYPE_URL],
      },
    };
  }
  return { name: filter.name ?? WASM_FILTER_NAME, typed_config: { "@type": WASM_TYPE_URL, config: wasmPluginConfig(filter) } };
}

/** An ECDS discovery response carrying the filter's configuration, as the watched file holds it. */
export function renderEcdsResponse(filter: WasmFilterSpec, versionInfo: string): object {
  return {
    version_info: versionInfo,
    resources: [
      {
        "@type": "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
        name: WASM_FILTER_NAME,
        typed_config: { "@type": WASM_TYPE_URL, config: wasmPluginConfig(filter) },
      },
    ],
  };
}

/** The `config` of an envoy.filters.http.wasm filter: what a user pastes into their Envoy. */
export function wasmPluginConfig(filter: WasmFilterSpec): object {
  return {
    name: filter.name ?? WASM_FILTER_NAME,
    root_id: filter.rootId ?? WASM_FILTER_NAME,
    vm_config: {
      vm_id: filter.vmId ?? WASM_FILTER_NAME,
      runtime: `envoy.wasm.runtime.${filter.runtime ?? "v8"}`,
      code: { local: { filename: filter.wasmPath } },
    },
    configuration: {
      "@type": "type.googleapis.com/google.protobuf.StringValue",
      value: filter.pluginConfig,
    },
    ...(filter.failurePolicy ? { failure_policy: filter.failurePolicy } : {}),
  };
}

function renderRoute(route: RouteSpec): object {
  return {
    name: route.name,
    match: {
      prefix: route.prefix ?? "/",
      ...(route.grpcOnly ? { grpc: {} } : {}),
      ...(route.header !== undefined && route.exact !== undefined
        ? { headers: [{ name: route.header, string_match: { exact: route.exact } }] }
        : {}),
    },
    ...(route.directResponse
      ? { direct_response: { status: route.directResponse.status, body: { inline_string: route.directResponse.body } } }
      : { route: { cluster: route.cluster, timeout: "10s" } }),
    ...(route.responseHeaders
      ? {
          response_headers_to_add: Object.entries(route.responseHeaders).map(([key, value]) => ({
            header: { key, value },
            append_action: "OVERWRITE_IF_EXISTS_OR_ADD",
          })),
        }
      : {}),
  };
}

function renderCluster(cluster: ClusterSpec): object {
  return {
    name: cluster.name,
    type: "STATIC",
    connect_timeout: "1s",
    load_assignment: {
      cluster_name: cluster.name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(cluster.port) } }] }],
    },
    ...(cluster.http2
      ? {
          typed_extension_protocol_options: {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
              "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
        }
      : {}),
  };
}

/** The tags the filter writes into its counters' names: extraStatTags on Istio, stats_tags in a plain Envoy. */
export const VERSION_ROUTER_TAGS = ["service", "version", "reason"] as const;

/**
 * Turns the filter's counters, wasmcustom.service=.=<s>;.;version=.=<v>;.;reason=.=<r>;.;version_router_requests_total,
 * into version_router_requests_total{service, version, reason} for Prometheus: the extractors
 * Istio's bootstrap template writes for each extraStatTags name, `(<tag>=\.=(.*?);\.;)`.
 */
export const VERSION_ROUTER_STATS_TAGS = VERSION_ROUTER_TAGS.map((tag) => ({ tag_name: tag, regex: `(${tag}=\\.=(.*?);\\.;)` }));

/** The bootstrap as a JSON-serializable object; ports 0 are chosen by the kernel. */
export function renderBootstrap(spec: BootstrapSpec): object {
  return {
    node: { id: "version-router-harness", cluster: "version-router" },
    stats_config: { stats_tags: VERSION_ROUTER_STATS_TAGS },
    ...(spec.statsdPort !== undefined
      ? {
          stats_sinks: [
            {
              name: "envoy.stat_sinks.statsd",
              typed_config: {
                "@type": "type.googleapis.com/envoy.config.metrics.v3.StatsdSink",
                address: { socket_address: { address: LOOPBACK, port_value: spec.statsdPort, protocol: "UDP" } },
              },
            },
          ],
        }
      : {}),
    admin: { address: socket(spec.adminPort ?? 0) },
    static_resources: {
      listeners: [
        {
          name: "ingress",
          address: socket(0),
          filter_chains: [
            {
              ...(spec.downstreamTls ? { transport_socket: downstreamTls(spec.downstreamTls) } : {}),
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    stat_prefix: "ingress",
                    codec_type: "AUTO",
                    route_config: {
                      name: "versions",
                      virtual_hosts: (spec.virtualHosts ?? [{ name: "service", domains: ["*"], routes: spec.routes ?? [] }]).map(
                        (host) => ({
                          name: host.name,
                          domains: host.domains,
                          routes: host.routes.map(renderRoute),
                        }),
                      ),
                    },
                    http_filters: [
                      ...spec.filters.map(renderFilter),
                      {
                        name: "envoy.filters.http.router",
                        typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: spec.clusters.map(renderCluster),
    },
  };
}
