// Generated header values, arbitrary bytes and lengths up to 64 KiB included: the filter
// never traps, always leaves exactly one listed version, and never changes a valid one.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyVersionHeaders } from "../../harness/fuzz/header-values.js";
import { checkRoute } from "../../harness/fuzz/route-check.js";
import { loadFilter } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3", "canary-2024.1"];
const RUNS = 100_000;

describe("property: any version header", () => {
  it(`${RUNS} generated requests: no trap, one listed version out, valid ones untouched`, async () => {
    const host = await loadFilter({ versions: VERSIONS, default: "v2" });
    let explicit = 0;
    fc.assert(
      fc.property(anyVersionHeaders(VERSIONS), fc.boolean(), (values, grpc) => {
        const result = checkRoute(host, VERSIONS, "v2", values, grpc);
        expect(result.violation).toBeUndefined();
        if (result.explicit) explicit++;
      }),
      { numRuns: RUNS },
    );
    // The generator reaches both branches often enough to mean something.
    expect(explicit).toBeGreaterThan(RUNS / 5);
    expect(explicit).toBeLessThan(RUNS * 0.8);
  }, 300_000);
});
