// What the filter reports: the response header, one counter per version and reason, the memory gauge.
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { loadFilter } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3"];

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
