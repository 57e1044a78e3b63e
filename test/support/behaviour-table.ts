// The behaviour table every routing suite runs (plain Envoy, Envoy in a container, and
// the Istio gateway): versions v1..v3 deployed, default v1.
export interface BehaviourRow {
  name: string;
  sent: string[];
  version: string;
  /** Not sent over gRPC: grpc-js refuses non-ASCII values in text metadata. */
  notGrpc?: true;
}

export const BEHAVIOUR_VERSIONS = ["v1", "v2", "v3"];

export const BEHAVIOUR_ROWS: readonly BehaviourRow[] = [
  { name: "a listed version", sent: ["v2"], version: "v2" },
  { name: "another listed version", sent: ["v3"], version: "v3" },
  { name: "the default itself", sent: ["v1"], version: "v1" },
  { name: "missing", sent: [], version: "v1" },
  { name: "empty", sent: [""], version: "v1" },
  { name: "unknown", sent: ["v9"], version: "v1" },
  { name: "wrong case", sent: ["V2"], version: "v1" },
  { name: "a comma list", sent: ["v2,v3"], version: "v1" },
  { name: "very long (4 KiB)", sent: [`v2${"x".repeat(4094)}`], version: "v1" },
  { name: "non-ASCII bytes", sent: ["v2\u00e9\u00ff"], version: "v1", notGrpc: true },
  { name: "the same version twice", sent: ["v3", "v3"], version: "v3" },
  { name: "two different versions", sent: ["v2", "v3"], version: "v1" },
  { name: "an invalid value, then a valid one", sent: ["zz", "v2"], version: "v1" },
];

/** The rows a protocol can carry. */
export function rowsFor(protocol: string): BehaviourRow[] {
  return BEHAVIOUR_ROWS.filter((row) => protocol !== "grpc" || !row.notGrpc);
}
