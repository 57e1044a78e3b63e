// Sticky weighted canary, cohorts, counters and the response header, on the real filter.wasm.
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { bucketOf, fnv1a32, weightedVersion } from "../../harness/reference-model.js";
import { loadFilter } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3"];
const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

function served(host: Awaited<ReturnType<typeof loadFilter>>, headers: HeaderInput[]): string {
  const out = host.request(headers).headers.strings("grpcsvc");
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe("the reference model", () => {
  it("is FNV-1a 32 (published test vectors)", () => {
    expect(fnv1a32(new TextEncoder().encode(""))).toBe(0x811c9dc5);
    expect(fnv1a32(new TextEncoder().encode("a"))).toBe(0xe40c292c);
    expect(fnv1a32(new TextEncoder().encode("foobar"))).toBe(0xbf9cf968);
  });
});

describe("decision order", () => {
  const config = {
    versions: VERSIONS,
    default: "v1",
    stickyBy: { header: "x-user-id" },
    cohorts: [{ match: { header: "x-user", exact: "jason" }, version: "v3" }],
    canary: { weights: { v1: 0, v2: 100 } },
  };
  it.each([
    {
      name: "a valid header wins over a cohort",
      headers: [
        ["grpcsvc", "v1"],
        ["x-user", "jason"],
      ],
      version: "v1",
      reason: "explicit",
    },
    {
      name: "an invalid header gets the default, not the cohort or canary",
      headers: [
        ["grpcsvc", "v9"],
        ["x-user", "jason"],
      ],
      version: "v1",
      reason: "invalid",
    },
    { name: "no header: the cohort", headers: [["x-user", "jason"]], version: "v3", reason: "cohort" },
    { name: "no header, no cohort: the canary", headers: [["x-user", "mary"]], version: "v2", reason: "canary" },
  ] as Array<{ name: string; headers: HeaderInput[]; version: string; reason: string }>)("$name", async ({ headers, version, reason }) => {
    const host = await loadFilter(config, "debug");
    const outcome = host.request(headers);
    expect(outcome.headers.strings("grpcsvc")).toEqual([version]);
    expect(outcome.logs.map((l) => l.message).at(-1)).toMatch(new RegExp(`-> ${version} \\(${reason}\\)$`));
  });

  it("no header, no cohort, no canary: the default", async () => {
    const host = await loadFilter({
      versions: VERSIONS,
      default: "v2",
      cohorts: [{ match: { header: "x-user", exact: "jason" }, version: "v3" }],
    });
    expect(served(host, [["x-user", "mary"]])).toBe("v2");
  });
});

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

describe("cohorts", () => {
  const config = {
    versions: VERSIONS,
    default: "v1",
    stickyBy: { cookie: "email" },
    cohorts: [
      { match: { cookie: "email", suffix: "@some-company.com" }, weights: { v1: 50, v2: 50 } },
      { match: { header: "x-user", exact: "jason" }, version: "v2" },
      { match: { header: "x-beta", prefix: "yes" }, version: "v3" },
      { match: { header: "user-agent", contains: "canary-bot" }, version: "v3" },
    ],
  };

  it("the email cookie cohort splits its members 50/50, sticky by the cookie; others get the default", async () => {
    const host = await loadFilter(config);
    const counts = { v1: 0, v2: 0 } as Record<string, number>;
    for (let i = 0; i < 4000; i++) {
      const email = `user${i}@some-company.com`;
      const version = served(host, [["cookie", `session=abc; email=${email}`]]);
      expect(version).toBe(weightedVersion(VERSIONS, { v1: 50, v2: 50 }, email));
      counts[version]!++;
      expect(served(host, [["cookie", `email=user${i}@other.com`]])).toBe("v1");
    }
    expect(Math.abs(counts.v2! / 40 - 50)).toBeLessThanOrEqual(1.5);
  });

  it.each([
    { name: "exact header", headers: [["x-user", "jason"]], version: "v2" },
    { name: "exact is exact", headers: [["x-user", "jason2"]], version: "v1" },
    { name: "prefix", headers: [["x-beta", "yes-please"]], version: "v3" },
    { name: "contains", headers: [["user-agent", "Mozilla canary-bot/1.0"]], version: "v3" },
    {
      name: "first matching cohort wins",
      headers: [
        ["x-user", "jason"],
        ["x-beta", "yes"],
      ],
      version: "v2",
    },
    {
      name: "cookie in its own field (HTTP/2 style)",
      headers: [
        ["cookie", "a=1"],
        ["cookie", "email=x@some-company.com"],
      ],
      version: weightedVersion(VERSIONS, { v1: 50, v2: 50 }, "x@some-company.com"),
    },
    {
      name: "quoted cookie value",
      headers: [["cookie", 'email="q@some-company.com"']],
      version: weightedVersion(VERSIONS, { v1: 50, v2: 50 }, "q@some-company.com"),
    },
    { name: "a cookie name inside another's value does not match", headers: [["cookie", "note=email=x@some-company.com"]], version: "v1" },
    { name: "a longer cookie name does not match", headers: [["cookie", "myemail=x@some-company.com"]], version: "v1" },
    { name: "suffix shorter than the value's end", headers: [["cookie", "email=@some-company.co"]], version: "v1" },
    { name: "no cohort", headers: [], version: "v1" },
  ] as Array<{ name: string; headers: HeaderInput[]; version: string }>)("$name", async ({ headers, version }) => {
    const host = await loadFilter(config);
    expect(served(host, headers)).toBe(version);
  });
});

describe("what the filter reports", () => {
  it("adds the response header with the version served, only when configured and in scope", async () => {
    const host = await loadFilter({ versions: VERSIONS, responseHeader: "X-Version-Served", scope: "grpc" });
    const grpc = host.request([
      ["content-type", "application/grpc"],
      ["grpcsvc", "v9"],
    ]);
    expect(grpc.responseHeaders.strings("x-version-served")).toEqual(["v1"]);
    const http = host.request([
      ["content-type", "text/plain"],
      ["grpcsvc", "v9"],
    ]);
    expect(http.responseHeaders.strings("x-version-served")).toEqual([]);
    const plain = await loadFilter({ versions: VERSIONS });
    expect(plain.request([]).responseHeaders.entries).toHaveLength(1);
  });

  it("counts each request once, by version and reason", async () => {
    const host = await loadFilter({
      versions: ["v1", "v2.1"],
      stickyBy: { header: "x-user-id" },
      cohorts: [{ match: { header: "x-user", exact: "jason" }, version: "v2.1" }],
      canary: { weights: { v1: 1 } },
    });
    const send = (headers: HeaderInput[], times: number) => {
      for (let i = 0; i < times; i++) host.request(headers);
    };
    send([["grpcsvc", "v2.1"]], 3);
    send([["grpcsvc", "nope"]], 2);
    send([["x-user", "jason"]], 4);
    send([], 5);
    const nonZero = [...host.counters].filter(([, n]) => n > 0);
    expect(Object.fromEntries(nonZero)).toEqual({
      "version_router.version.v2_1.reason.explicit.requests_total": 3,
      "version_router.version.v1.reason.invalid.requests_total": 2,
      "version_router.version.v2_1.reason.cohort.requests_total": 4,
      "version_router.version.v1.reason.canary.requests_total": 5,
    });
    expect(host.counters.size).toBe(10);
  });

  it("reports its linear memory as a gauge", async () => {
    const host = await loadFilter({ versions: VERSIONS });
    expect(host.gauges.get("version_router.wasm_memory_bytes")).toBe(host.memoryBytes());
  });
});
