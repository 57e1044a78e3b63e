// The order of the decision on the real filter.wasm: explicit, invalid, cohort, canary, default.
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { loadFilter, served } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3"];

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
