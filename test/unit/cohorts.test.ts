// Cohorts on the real filter.wasm: header and cookie matches, fixed versions and weights.
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { loadFilter, served } from "./load-filter.js";

const VERSIONS = ["v1", "v2", "v3"];

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
