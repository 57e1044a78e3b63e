// The named value sets the chart suites render: chart.test.ts's (Istio's API) and
// gateway-api.test.ts's (the Gateway API), each with what it must render. The API-server suite
// (workloads-api-server.test.ts) sends every object of each to a real kube-apiserver too.

export const v = (name: string, tag = `${name.slice(1)}.0.0`) => ({ name, tag });
export const GATEWAY_API = { routingApi: "gatewayApi" } as const;

export const CHART_VALUE_SETS: Array<{ name: string; values: Record<string, unknown>; versions: string[]; defaultVersion: string }> = [
  { name: "one version", values: { versions: [v("v1")], defaultVersion: "v1" }, versions: ["v1"], defaultVersion: "v1" },
  {
    name: "four versions",
    values: { versions: [v("v1"), v("v2"), v("v3"), v("v4")], defaultVersion: "v2" },
    versions: ["v1", "v2", "v3", "v4"],
    defaultVersion: "v2",
  },
  {
    name: "a removed middle version",
    values: { versions: [v("v1"), v("v3"), v("v4")], defaultVersion: "v1" },
    versions: ["v1", "v3", "v4"],
    defaultVersion: "v1",
  },
  {
    name: "http service, scope grpc",
    values: { service: { port: 8080, protocol: "http" }, wasm: { url: "file:///var/local/wasm/filter.wasm", scope: "grpc" } },
    versions: ["v1", "v2", "v3"],
    defaultVersion: "v1",
  },
  {
    name: "extras on, gateway off",
    values: {
      gateway: { enabled: false },
      trafficPolicy: {
        connectionPool: { http: { http2MaxRequests: 1000 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s" },
      },
      fault: { delay: { percentage: { value: 1 }, fixedDelay: "2s" } },
      mirror: { version: "v2", percent: 10 },
    },
    versions: ["v1", "v2", "v3"],
    defaultVersion: "v1",
  },
];

export interface ValueSet {
  name: string;
  values: Record<string, unknown>;
  versions: string[];
  defaultVersion: string;
  service: { port: number; protocol: "grpc" | "http" };
  /** The Gateway the HTTPRoute attaches to, and whether the chart renders it. */
  gateway: { name: string; namespace: string; created: boolean; sectionName?: string };
  hostnames?: string[];
  responseHeader?: string;
}

const GRPC = { port: 50051, protocol: "grpc" } as const;
const OWN_GATEWAY = { name: "grpcsvc-gateway", namespace: "shop", created: true };

export const GATEWAY_API_VALUE_SETS: ValueSet[] = [
  {
    name: "default versions",
    values: GATEWAY_API,
    versions: ["v1", "v2", "v3"],
    defaultVersion: "v1",
    service: GRPC,
    gateway: OWN_GATEWAY,
  },
  {
    name: "four versions, v3 the default",
    values: { ...GATEWAY_API, versions: [v("v1"), v("v2"), v("v3"), v("v4")], defaultVersion: "v3" },
    versions: ["v1", "v2", "v3", "v4"],
    defaultVersion: "v3",
    service: GRPC,
    gateway: OWN_GATEWAY,
  },
  {
    name: "a removed middle version",
    values: { ...GATEWAY_API, versions: [v("v1"), v("v3"), v("v4")], defaultVersion: "v4" },
    versions: ["v1", "v3", "v4"],
    defaultVersion: "v4",
    service: GRPC,
    gateway: OWN_GATEWAY,
  },
  {
    name: "http service with a response header",
    values: { ...GATEWAY_API, service: { port: 8080, protocol: "http" }, responseHeader: "x-version-served" },
    versions: ["v1", "v2", "v3"],
    defaultVersion: "v1",
    service: { port: 8080, protocol: "http" },
    gateway: OWN_GATEWAY,
    responseHeader: "x-version-served",
  },
  {
    name: "an existing Gateway in another namespace, one listener of it",
    values: { ...GATEWAY_API, gatewayApi: { gateway: { create: false, name: "edge", namespace: "ingress", sectionName: "http-80" } } },
    versions: ["v1", "v2", "v3"],
    defaultVersion: "v1",
    service: GRPC,
    gateway: { name: "edge", namespace: "ingress", created: false, sectionName: "http-80" },
  },
  {
    name: "hostnames, and a created Gateway named, on another port",
    values: {
      ...GATEWAY_API,
      gatewayApi: {
        gateway: { name: "shop-edge", port: 8080, sectionName: "http" },
        hostnames: ["grpcsvc.example.com", "*.grpcsvc.example.com"],
      },
    },
    versions: ["v1", "v2", "v3"],
    defaultVersion: "v1",
    service: GRPC,
    gateway: { name: "shop-edge", namespace: "shop", created: true, sectionName: "http" },
    hostnames: ["grpcsvc.example.com", "*.grpcsvc.example.com"],
  },
];

/**
 * A two-version release with one override of each kind on v2 (a number, maps, lists, null), and
 * the opt-in workload objects on: what workloads.test.ts checks value by value, and
 * workloads-api-server.test.ts sends to the API server.
 */
export const EACH_OVERRIDE_ON_V2 = {
  versions: [
    v("v1"),
    {
      ...v("v2"),
      replicas: 1, // a number: replaced
      image: { repository: "registry.example.com/grpcsvc-canary" }, // a map: merged (pullPolicy kept)
      resources: { requests: { cpu: "50m" } }, // a nested map: merged key by key
      tolerations: [{ key: "canary", operator: "Exists" }], // a list: replaced
      extraEnv: [{ name: "CANARY", value: "1" }], // a list: replaced
      podAnnotations: { "canary.example.com/wave": "1" }, // a map: merged
      livenessProbe: null, // null: removed
      autoscaling: { enabled: false }, // a nested value: merged, so v2 alone is not autoscaled
      podDisruptionBudget: { enabled: false },
    },
  ],
  defaultVersion: "v1",
  replicas: 3,
  autoscaling: { enabled: true, maxReplicas: 10 },
  podDisruptionBudget: { enabled: true },
  tolerations: [{ key: "dedicated", operator: "Equal", value: "shop", effect: "NoSchedule" }],
  extraEnv: [{ name: "LOG_LEVEL", value: "info" }],
  podAnnotations: { "prometheus.io/scrape": "true" },
  podLabels: { team: "shop" },
  nodeSelector: { "kubernetes.io/os": "linux" },
  affinity: {
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 1, preference: { matchExpressions: [{ key: "pool", operator: "In", values: ["apps"] }] } },
      ],
    },
  },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }],
  imagePullSecrets: [{ name: "regcred" }],
  serviceAccount: { annotations: { "iam.example.com/role": "grpcsvc" } },
};
