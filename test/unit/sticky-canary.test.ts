// The sticky weighted canary on the real filter.wasm: every key where the reference model sends it.
import { describe, expect, it } from "vitest";
import { bucketOf, weightedVersion } from "../../harness/reference-model.js";
import { loadFilter, served } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3"];
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

describe("sticky weighted canary over 10,000 distinct keys", () => {
  it.each<Record<string, number>>([
    { v1: 90, v2: 10 },
    { v1: 50, v2: 30, v3: 20 },
    { v2: 1, v3: 3 },
  ])("weights %o: shares within 1.5 points, every key as the model says, three times", async (weights) => {
    const host = await loadFilter({ versions: VERSIONS, stickyBy: { header: "x-user-id" }, canary: { weights } });
    const counts = new Map<string, number>();
    for (const key of KEYS) {
      const first = served(host, [["x-user-id", key]]);
      expect(first).toBe(weightedVersion(VERSIONS, weights, key));
      expect(served(host, [["x-user-id", key]])).toBe(first);
      expect(served(host, [["x-user-id", key]])).toBe(first);
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    for (const version of VERSIONS) {
      const share = (100 * (counts.get(version) ?? 0)) / KEYS.length;
      const expected = (100 * (weights[version] ?? 0)) / total;
      expect(Math.abs(share - expected), `${version}: ${share}% for weight ${expected}%`).toBeLessThanOrEqual(1.5);
    }
  });

  it("keys a cookie as well as a header", async () => {
    const weights = { v1: 50, v2: 50 };
    const host = await loadFilter({ versions: VERSIONS, stickyBy: { cookie: "uid" }, canary: { weights } });
    for (const key of KEYS.slice(0, 500)) {
      expect(served(host, [["cookie", `theme=dark; uid=${key}; lang=en`]])).toBe(weightedVersion(VERSIONS, weights, key));
    }
  });

  it("a version with weight 0, or no weight, is reached only by naming it", async () => {
    const host = await loadFilter({
      versions: ["v1", "v2", "v3"],
      stickyBy: { header: "x-user-id" },
      canary: { weights: { v1: 100, v2: 0 } },
    });
    for (const key of KEYS.slice(0, 2000)) expect(served(host, [["x-user-id", key]])).toBe("v1");
    expect(served(host, [["grpcsvc", "v2"]])).toBe("v2");
    expect(served(host, [["grpcsvc", "v3"]])).toBe("v3");
  });

  it("without a key the choice is per request, near the weights", async () => {
    const host = await loadFilter({ versions: VERSIONS, stickyBy: { header: "x-user-id" }, canary: { weights: { v1: 80, v2: 20 } } });
    let v2 = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) if (served(host, []) === "v2") v2++;
    // 20,000 draws at p = 0.2: one standard deviation is 0.28 points; 3 points is over ten.
    expect(Math.abs((100 * v2) / n - 20)).toBeLessThan(3);
  });

  it("maps buckets over cumulative weights in the order of versions", async () => {
    const host = await loadFilter({ versions: ["a", "b"], stickyBy: { header: "k" }, canary: { weights: { a: 1, b: 1 } } });
    const low = KEYS.find((k) => bucketOf(k) < 5000)!;
    const high = KEYS.find((k) => bucketOf(k) >= 5000)!;
    expect(host.request([["k", low]]).headers.strings("grpcsvc")).toEqual(["a"]);
    expect(host.request([["k", high]]).headers.strings("grpcsvc")).toEqual(["b"]);
  });
});
