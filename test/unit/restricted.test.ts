// Restricted versions in the in-process host: the identity the filter reads through
// proxy_get_property (claims serialized as Envoy 1.40 serializes them: strings raw, lists as
// pairs), the client certificate's SAN, a trusted header; generated configurations and claim
// sets against the reference model; and what a request that needs no identity costs: no read.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimPath, envoyProperty, type ProxyWasmHost, sanPath } from "../../harness/host/index.js";
import { type IdentitySpec, type RequestIdentity, type RestrictedConfig, restrictedDecision } from "../../harness/reference-model.js";
import { DEFAULT_VERSION_HEADER } from "../../harness/version-header.js";
import { loadFilter } from "./load-filter.js";

const DECISION = "x-version-decision";
const STICKY = "x-user-id";

/** Sets the properties Envoy's filters ahead would have left for this request. */
function present(host: ProxyWasmHost, identity: RequestIdentity): void {
  host.properties.clear();
  for (const [claim, value] of Object.entries(identity.claims ?? {})) host.properties.set(claimPath(claim), envoyProperty(value));
  for (const [kind, value] of Object.entries(identity.sans ?? {}))
    host.properties.set(sanPath(kind as "uri" | "dns"), envoyProperty(value));
}

/** The decision header the filter set: `<version>;<reason>`. */
function decided(host: ProxyWasmHost, sent: readonly string[], identity: RequestIdentity = {}, key?: string): string {
  present(host, identity);
  const headers: Array<[string, string]> = [
    ...sent.map((v): [string, string] => [DEFAULT_VERSION_HEADER, v]),
    ...Object.entries(identity.headers ?? {}),
    ...(key ? [[STICKY, key] as [string, string]] : []),
  ];
  return host.request(headers).headers.strings(DECISION).join(",");
}

describe("restricted versions", () => {
  it("a claim: includes finds a list's element or a string's word, exact the whole string", async () => {
    const host = await loadFilter({
      versions: ["v1", "v2", "v3"],
      decisionHeader: DECISION,
      restricted: { v2: [{ claim: "groups", includes: "beta" }], v3: [{ claim: "sub", exact: "ann" }] },
    });
    expect(decided(host, ["v2"], { claims: { groups: ["alpha", "beta"] } })).toBe("v2;explicit");
    expect(decided(host, ["v2"], { claims: { groups: "alpha beta" } })).toBe("v2;explicit");
    expect(decided(host, ["v2"], { claims: { groups: ["alphabeta"] } })).toBe("v1;restricted");
    expect(decided(host, ["v2"], { claims: { groups: "betamax" } })).toBe("v1;restricted");
    expect(decided(host, ["v2"], { claims: { other: ["beta"] } })).toBe("v1;restricted");
    expect(decided(host, ["v3"], { claims: { sub: "ann" } })).toBe("v3;explicit");
    expect(decided(host, ["v3"], { claims: { sub: "anne" } })).toBe("v1;restricted");
    // A list is not the string it holds.
    expect(decided(host, ["v3"], { claims: { sub: ["ann"] } })).toBe("v1;restricted");
    expect(decided(host, ["v3"])).toBe("v1;restricted");
  });

  it("a SAN by exact or prefix, and a trusted header", async () => {
    const host = await loadFilter({
      versions: ["v1", "v2", "v3"],
      decisionHeader: DECISION,
      restricted: {
        v2: [{ san: "uri", prefix: "spiffe://partner.example/" }],
        v3: [
          { trustedHeader: "X-Verified-User", exact: "ann" },
          { san: "dns", exact: "qa.example.com" },
        ],
      },
    });
    expect(decided(host, ["v2"], { sans: { uri: "spiffe://partner.example/ns/a/sa/b" } })).toBe("v2;explicit");
    expect(decided(host, ["v2"], { sans: { uri: "spiffe://other.example/ns/a" } })).toBe("v1;restricted");
    expect(decided(host, ["v2"], { sans: { dns: "spiffe://partner.example/" } })).toBe("v1;restricted");
    expect(decided(host, ["v3"], { headers: { "x-verified-user": "ann" } })).toBe("v3;explicit");
    expect(decided(host, ["v3"], { sans: { dns: "qa.example.com" } })).toBe("v3;explicit");
    expect(decided(host, ["v3"], { headers: { "x-verified-user": "bob" } })).toBe("v1;restricted");
  });

  it("a cohort of a claim, and a cohort's restricted version only for its identity", async () => {
    const host = await loadFilter({
      versions: ["v1", "v2", "v3"],
      decisionHeader: DECISION,
      restricted: { v3: [{ claim: "groups", includes: "beta" }] },
      cohorts: [
        { match: { header: "x-user", exact: "jason" }, version: "v3" },
        { match: { claim: "groups", includes: "staff" }, version: "v2" },
      ],
    });
    expect(decided(host, [], { claims: { groups: ["staff"] } })).toBe("v2;cohort");
    // jason's cohort is v3: a header anyone can send, so it counts only with the beta claim.
    expect(decided(host, [], { headers: { "x-user": "jason" } })).toBe("v1;default");
    expect(decided(host, [], { headers: { "x-user": "jason" }, claims: { groups: ["beta"] } })).toBe("v3;cohort");
    expect(decided(host, [], { headers: { "x-user": "jason" }, claims: { groups: ["staff"] } })).toBe("v2;cohort");
  });

  it("a request whose decision needs no identity reads no property; one that does, only what it needs", async () => {
    const host = await loadFilter({
      versions: ["v1", "v2", "v3"],
      decisionHeader: DECISION,
      restricted: {
        v3: [
          { claim: "groups", includes: "beta" },
          { claim: "roles", includes: "qa" },
        ],
      },
      canary: { weights: { v1: 90, v2: 10 } },
    });
    host.propertyReads = 0;
    for (const sent of [[], ["v1"], ["v2"], ["nope"], ["v2", "v3"]]) decided(host, sent, {}, "u1");
    expect(host.propertyReads).toBe(0);
    decided(host, ["v3"], { claims: { groups: ["beta"] } });
    expect(host.propertyReads).toBe(1);
    decided(host, ["v3"], {});
    expect(host.propertyReads).toBe(3);
  });

  it("a canary with a restricted version: only requests with its identity get it, the others share its weight", async () => {
    const config = {
      versions: ["v1", "v2", "v3"],
      decisionHeader: DECISION,
      stickyBy: { header: STICKY },
      restricted: { v3: [{ claim: "groups", includes: "beta" }] },
      canary: { weights: { v1: 50, v2: 25, v3: 25 } },
    };
    const host = await loadFilter(config);
    const counts = (identity: RequestIdentity) => {
      const got: Record<string, number> = {};
      for (let i = 0; i < 4000; i++) {
        const d = decided(host, [], identity, `user-${i}`);
        got[d] = (got[d] ?? 0) + 1;
      }
      return got;
    };
    const anonymous = counts({});
    expect(anonymous["v3;canary"]).toBeUndefined();
    // 50:25 of what is left: two thirds and one third.
    expect(anonymous["v1;canary"]! / 4000).toBeCloseTo(2 / 3, 1);
    const beta = counts({ claims: { groups: ["beta"] } });
    expect(beta["v3;canary"]! / 4000).toBeCloseTo(0.25, 1);
  });

  it("a canary of restricted versions only sends a request without the identity to the default", async () => {
    const host = await loadFilter({
      versions: ["v1", "v2"],
      decisionHeader: DECISION,
      restricted: { v2: [{ claim: "groups", includes: "beta" }] },
      canary: { weights: { v2: 1 } },
    });
    expect(decided(host, [])).toBe("v1;restricted");
    expect(decided(host, [], { claims: { groups: ["beta"] } })).toBe("v2;canary");
  });
});

describe("property: restricted versions against the reference model", () => {
  const VERSIONS = ["v1", "v2", "v3", "v4"];
  const CLAIMS = ["groups", "scope", "sub"];
  const WORDS = ["beta", "staff", "qa", "ann"];
  const spec: fc.Arbitrary<IdentitySpec> = fc.oneof(
    fc.record({ claim: fc.constantFrom(...CLAIMS), includes: fc.constantFrom(...WORDS) }),
    fc.record({ claim: fc.constantFrom(...CLAIMS), exact: fc.constantFrom(...WORDS) }),
    fc.record({ san: fc.constant("uri" as const), prefix: fc.constantFrom("spiffe://a/", "spiffe://b/") }),
  );
  const config: fc.Arbitrary<RestrictedConfig> = fc
    .record({
      defaultIndex: fc.integer({ min: 0, max: 3 }),
      restricted: fc.dictionary(fc.constantFrom(...VERSIONS), fc.array(spec, { minLength: 1, maxLength: 3 }), { maxKeys: 3 }),
      canary: fc.option(fc.dictionary(fc.constantFrom(...VERSIONS), fc.integer({ min: 0, max: 100 }), { minKeys: 1 }), { nil: undefined }),
    })
    .filter((c) => !c.canary || Object.values(c.canary).some((w) => w > 0))
    .map((c) => {
      const defaultVersion = VERSIONS[c.defaultIndex]!;
      const { [defaultVersion]: _, ...restricted } = c.restricted;
      return { versions: VERSIONS, default: defaultVersion, restricted, ...(c.canary ? { canary: c.canary } : {}) };
    });
  const identity: fc.Arbitrary<RequestIdentity> = fc.record({
    claims: fc.dictionary(
      fc.constantFrom(...CLAIMS),
      fc.oneof(fc.constantFrom(...WORDS), fc.array(fc.constantFrom(...WORDS), { maxLength: 3 }), fc.constant("beta staff")),
    ),
    sans: fc.record({ uri: fc.constantFrom("spiffe://a/x", "spiffe://b/y", "spiffe://c/z") }, { requiredKeys: [] }),
  });
  const sent = fc.oneof(fc.constant([]), fc.array(fc.constantFrom(...VERSIONS, "v9"), { minLength: 1, maxLength: 2 }));

  it("1,000 configurations, 20 requests each: the filter decides what the model says", async () => {
    let restrictedSeen = 0;
    await fc.assert(
      fc.asyncProperty(
        config,
        fc.array(fc.tuple(sent, identity, fc.integer({ min: 0, max: 99_999 })), { minLength: 20, maxLength: 20 }),
        async (c, requests) => {
          const host = await loadFilter({
            versions: c.versions,
            default: c.default,
            decisionHeader: DECISION,
            stickyBy: { header: STICKY },
            ...(Object.keys(c.restricted).length > 0 ? { restricted: c.restricted } : {}),
            ...(c.canary ? { canary: { weights: c.canary } } : {}),
          });
          for (const [values, id, user] of requests) {
            const want = restrictedDecision(c, values, id, `u${user}`);
            if (want.reason === "restricted") restrictedSeen++;
            expect(decided(host, values, id, `u${user}`)).toBe(`${want.version};${want.reason}`);
          }
        },
      ),
      { numRuns: 1000 },
    );
    expect(restrictedSeen).toBeGreaterThan(500);
  }, 300_000);
});
