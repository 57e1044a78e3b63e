// What the filter reports: one counter per version and reason, handed to the host on each tick,
// and the memory gauge.
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { REASONS } from "../../harness/reference-model.js";
import { filterReasons } from "../support/filter-reasons.js";
import { loadFilter } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3"];

describe("what the filter reports", () => {
  it("leaves the response alone: the served version's header is the route's", async () => {
    const host = await loadFilter({ versions: VERSIONS, scope: "grpc" });
    const grpc = host.request([
      ["content-type", "application/grpc"],
      ["grpcsvc", "v9"],
    ]);
    expect(grpc.responseHeaders.entries).toHaveLength(1);
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
    expect([...host.counters.values()].every((n) => n === 0)).toBe(true);
    expect(host.tickPeriodMs).toBe(1000);
    host.tick();
    const nonZero = [...host.counters].filter(([, n]) => n > 0);
    expect(Object.fromEntries(nonZero)).toEqual({
      "version=.=v2.1;.;reason=.=explicit;.;version_router_requests_total": 3,
      "version=.=v1;.;reason=.=invalid;.;version_router_requests_total": 2,
      "version=.=v2.1;.;reason=.=cohort;.;version_router_requests_total": 4,
      "version=.=v1;.;reason=.=canary;.;version_router_requests_total": 5,
    });
    // Defined up front: what this configuration can reach (every version by name and by cohort,
    // the default when the name is wrong or missing, the weighted v1 by canary), nothing else.
    expect([...host.counters.keys()].filter((name) => name.endsWith("version_router_requests_total")).sort()).toEqual(
      [
        "version=.=v1;.;reason=.=explicit",
        "version=.=v2.1;.;reason=.=explicit",
        "version=.=v1;.;reason=.=invalid",
        "version=.=v1;.;reason=.=default",
        "version=.=v1;.;reason=.=cohort",
        "version=.=v2.1;.;reason=.=cohort",
        "version=.=v1;.;reason=.=canary",
      ]
        .map((name) => `${name};.;version_router_requests_total`)
        .sort(),
    );
    // A tick hands over only what was counted since the last one.
    send([["grpcsvc", "v1"]], 1);
    host.tick();
    host.tick();
    expect(host.counters.get("version=.=v1;.;reason=.=explicit;.;version_router_requests_total")).toBe(1);
    expect(host.counters.get("version=.=v2.1;.;reason=.=explicit;.;version_router_requests_total")).toBe(3);
  });

  it("sets the decision header to <version>;<reason>, replacing any the client sent", async () => {
    const host = await loadFilter({ versions: VERSIONS, decisionHeader: "X-Version-Decision", canary: { weights: { v3: 1 } } });
    const decision = (headers: HeaderInput[]) => host.request(headers).headers.strings("x-version-decision");
    expect(decision([["grpcsvc", "v2"]])).toEqual(["v2;explicit"]);
    expect(decision([["grpcsvc", "v9"]])).toEqual(["v1;invalid"]);
    expect(decision([])).toEqual(["v3;canary"]);
    expect(decision([["x-version-decision", "v2;explicit"]])).toEqual(["v3;canary"]);
    const plain = await loadFilter({ versions: VERSIONS });
    expect(plain.request([]).headers.strings("x-version-decision")).toEqual([]);
  });

  it("names its decisions with the reasons the harness's reference model lists, no more, no fewer", async () => {
    expect((await filterReasons()).sort()).toEqual([...REASONS].sort());
  });

  it("counts a stream whose root it cannot find, from 0, and leaves it alone", async () => {
    const host = await loadFilter({ versions: VERSIONS });
    expect(host.counters.get("streams_without_root")).toBe(0);
    host.request([["grpcsvc", "v9"]]);
    expect(host.counters.get("streams_without_root")).toBe(0);
    expect(host.requestHeadersOfUnknownStream([["grpcsvc", "v9"]])).toBe(0);
    expect(host.counters.get("streams_without_root")).toBe(1);
  });

  it("reports its linear memory as a gauge", async () => {
    const host = await loadFilter({ versions: VERSIONS });
    expect(host.gauges.get("version_router.wasm_memory_bytes")).toBe(host.memoryBytes());
  });
});
