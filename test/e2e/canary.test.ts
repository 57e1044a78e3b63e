// Progressive delivery through real Envoy: sticky canary shares, cohorts, the served-version
// header the routes add, and per-version counters in /stats and /stats/prometheus.
import { describe, expect, it, vi } from "vitest";
import { PROTOCOLS } from "../../harness/clients/version-client.js";
import { adminGet } from "../../harness/envoy/admin.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { E2E, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];
const WEIGHTS = { v1: 70, v2: 20, v3: 10 };
const CONFIG = {
  versions: VERSIONS,
  default: "v1",
  stickyBy: { header: "x-user-id" },
  cohorts: [
    { match: { cookie: "email", suffix: "@some-company.com" }, weights: { v1: 50, v2: 50 } },
    { match: { header: "x-user", exact: "jason" }, version: "v2" },
  ],
  canary: { weights: WEIGHTS },
};

describe.runIf(E2E)("progressive delivery through Envoy", () => {
  const { envoy, client } = withEnvoy({ versions: VERSIONS, pluginConfig: CONFIG });

  it.each(PROTOCOLS)("%s: 600 sticky keys, twice each, land where the model says", async (protocol) => {
    const c = client(protocol);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 600; i++) {
      const key = `${protocol}-user-${i}`;
      const expected = weightedVersion(VERSIONS, WEIGHTS, key);
      for (let round = 0; round < 2; round++) {
        const answer = await c.send([], { extra: { "x-user-id": key } });
        expect(answer).toMatchObject({ version: expected, received: [expected], served: expected });
        counts[answer.version!] = (counts[answer.version!] ?? 0) + 1;
      }
    }
    // Every version answered some of them: what the upstreams said, not what the model expects.
    expect(Object.keys(counts).sort()).toEqual(VERSIONS);
  });

  it.each(PROTOCOLS)("%s: cohorts match exactly the requests they should", async (protocol) => {
    const c = client(protocol);
    expect(await c.send([], { extra: { "x-user": "jason" } })).toMatchObject({ version: "v2", served: "v2" });
    expect(await c.send([], { extra: { "x-user": "jason", "x-user-id": "k" } })).toMatchObject({ version: "v2" });
    // The cohort's 50/50 split is sticky by the same key as the canary (x-user-id).
    for (const user of ["ann", "bob", "cy", "dee"]) {
      const split = weightedVersion(VERSIONS, { v1: 50, v2: 50 }, user);
      const extra = { cookie: `theme=dark; email=${user}@some-company.com`, "x-user-id": user };
      expect(await c.send([], { extra })).toMatchObject({ version: split, served: split });
      // Outside the cohort the same user gets the canary's choice.
      const canary = weightedVersion(VERSIONS, WEIGHTS, user);
      expect(await c.send([], { extra: { ...extra, cookie: `email=${user}@example.org` } })).toMatchObject({ version: canary });
      // A member who names a version gets it: explicit beats cohorts.
      expect(await c.send(["v3"], { extra })).toMatchObject({ version: "v3", served: "v3" });
    }
  });

  itLogsNoErrors(envoy);
});

describe.runIf(E2E)("per-version counters", () => {
  const { envoy, client } = withEnvoy({ versions: VERSIONS, pluginConfig: { ...CONFIG, canary: { weights: { v3: 1 } } } });

  it("count a known set of requests by version and reason, in /stats and /stats/prometheus", async () => {
    const c = client("http2");
    const g = client("grpc");
    for (let i = 0; i < 3; i++) await c.send(["v2"]);
    for (let i = 0; i < 2; i++) await g.send(["bogus"]);
    for (let i = 0; i < 4; i++) await c.send([], { extra: { "x-user": "jason" } });
    for (let i = 0; i < 5; i++) await g.send([], { extra: { "x-user-id": `u${i}` } });

    // The filter hands its counts to Envoy once a second (a tick), not per request.
    const stats = await vi.waitFor(
      async () => {
        const stats = await envoy().stats("^wasmcustom\\..*version_router_requests_total$");
        const nonZero = Object.fromEntries([...stats].filter(([, n]) => n > 0));
        expect(nonZero).toEqual({
          "wasmcustom.version=.=v2;.;reason=.=explicit;.;version_router_requests_total": 3,
          "wasmcustom.version=.=v1;.;reason=.=invalid;.;version_router_requests_total": 2,
          "wasmcustom.version=.=v2;.;reason=.=cohort;.;version_router_requests_total": 4,
          "wasmcustom.version=.=v3;.;reason=.=canary;.;version_router_requests_total": 5,
        });
        return stats;
      },
      { timeout: 5_000, interval: 100 },
    );
    // Defined up front, at 0: exactly what this configuration can reach (every version by name
    // and by cohort, the default when the name is wrong or missing, v3 by canary).
    expect([...stats.keys()].sort()).toEqual(
      [
        ...VERSIONS.flatMap((v) => [`${v};.;reason=.=explicit`, `${v};.;reason=.=cohort`]),
        "v1;.;reason=.=invalid",
        "v1;.;reason=.=default",
        "v3;.;reason=.=canary",
      ]
        .map((tags) => `wasmcustom.version=.=${tags};.;version_router_requests_total`)
        .sort(),
    );
    const memory = await envoy().stats("^wasmcustom\\.version_router\\.wasm_memory_bytes$");
    expect(memory.get("wasmcustom.version_router.wasm_memory_bytes")! % 65536).toBe(0);
    expect(memory.get("wasmcustom.version_router.wasm_memory_bytes")).toBeGreaterThan(0);

    const prometheus = (await adminGet(envoy().adminUrl, "/stats/prometheus")).body;
    expect(prometheus).toContain("# TYPE version_router_requests_total counter");
    expect(prometheus).toContain('version_router_requests_total{version="v2",reason="explicit"} 3');
    expect(prometheus).toContain('version_router_requests_total{version="v1",reason="invalid"} 2');
    expect(prometheus).toContain('version_router_requests_total{version="v2",reason="cohort"} 4');
    expect(prometheus).toContain('version_router_requests_total{version="v3",reason="canary"} 5');
    expect(prometheus).toContain('version_router_requests_total{version="v1",reason="default"} 0');
  });

  itLogsNoErrors(envoy);
});
