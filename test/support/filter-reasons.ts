// The decision reasons as the filter itself names them (assembly/reasons.ts): read from the
// counters it defines for a configuration that can reach every one, so the suites compare the
// harness's and the chart's lists with the filter's, not with a copy.
import { ProxyWasmHost } from "../../harness/host/index.js";
import { FILTER_WASM } from "../../harness/paths.js";

export async function filterReasons(): Promise<string[]> {
  const host = await ProxyWasmHost.load(FILTER_WASM);
  const everyReason = {
    versions: ["v1", "v2"],
    cohorts: [{ match: { header: "x-user", exact: "jason" }, version: "v2" }],
    canary: { weights: { v1: 1, v2: 1 } },
    restricted: { v2: [{ claim: "groups", includes: "beta" }] },
  };
  if (!host.configure(JSON.stringify(everyReason))) throw new Error(`the filter refused ${JSON.stringify(everyReason)}`);
  const reasons = [...host.counters.keys()].map((name) => /reason=\.=(\w+);\.;/.exec(name)?.[1]).filter((r) => r !== undefined);
  return [...new Set(reasons)];
}
