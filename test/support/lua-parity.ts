// The seed's Lua filter against version-router, case by case: the same requests through
// plain Envoy (test/e2e) and through Istio (test/istio). Versions v1..v3 are deployed; the
// seed's hand-typed list also names v4.
import type { Protocol } from "../../harness/clients/version-client.js";

export interface ParityCase {
  protocol: Protocol;
  sent: string[];
  lua: string;
  ours: string;
  /** Why version-router differs from the seed, when it does. */
  why?: string;
}

/** Cases whose outcome does not depend on the routes: both filters decide. */
export const PARITY_CASES: readonly ParityCase[] = [
  // gRPC, the seed's whole reach: the two agree except where the seed was wrong.
  { protocol: "grpc", sent: ["v2"], lua: "v2", ours: "v2" },
  { protocol: "grpc", sent: [], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["zz"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["V2"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: [""], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["v2,v3"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["v2", "v3"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["zz", "v2"], lua: "v1", ours: "v1" },
  {
    protocol: "grpc",
    sent: ["v3", "v3"],
    lua: "v1",
    ours: "v3",
    why: "Lua reads repeated values joined as 'v3,v3' and degrades; every copy names v3, so ours keeps v3 (as one value)",
  },
  // Plain HTTP: the seed never looked at it.
  { protocol: "http1", sent: ["v2"], lua: "v2", ours: "v2" },
  { protocol: "http2", sent: ["v3"], lua: "v3", ours: "v3" },
  {
    protocol: "http2",
    sent: ["zz", "v2"],
    lua: "v2 (received zz, v2)",
    ours: "v1",
    why: "untouched, Envoy's matcher routes on one of two values while the service sees both; ours never forwards an ambiguous header",
  },
];

/**
 * Where the seed lets a request through untouched, what answers depends on the routes: no
 * route at all (`noRoute`), or a default route whose version receives what was sent.
 */
export function untouchedCases(untouched: (version: string, received: string) => string): ParityCase[] {
  return [
    {
      protocol: "grpc",
      sent: ["v4"],
      lua: untouched("v1", "v4"),
      ours: "v1",
      why: "the seed's hand-typed list still names v4, which is not deployed: the list drifted; ours comes from the deployed versions",
    },
    {
      protocol: "http1",
      sent: [],
      lua: untouched("v1", "nothing"),
      ours: "v1",
      why: "scope 'all' (the default) gives HTTP callers the same safe default as gRPC callers; scope 'grpc' restores the seed's reach",
    },
    {
      protocol: "http2",
      sent: ["zz"],
      lua: untouched("v1", "zz"),
      ours: "v1",
      why: "as above: an unknown version on HTTP is degraded instead of passed on",
    },
  ];
}
