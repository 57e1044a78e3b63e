// Restricted versions through real Envoy: its jwt_authn filter verifies the token (RS256, signed
// here with node:crypto) ahead of the filter, which reads the verified payload from Envoy's
// dynamic metadata. Only a request whose verified token holds the claim reaches the restricted
// version; every forgery (a claim header, a payload header, another key, an expired token,
// another issuer) lands where the table says, over HTTP/1.1, HTTP/2 and gRPC.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createJwtIssuer, type JwtIssuer } from "../../harness/auth/jwt-issuer.js";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";
import type { Envoy } from "../../harness/envoy/start-envoy.js";
import type { Upstreams } from "../../harness/upstreams/start-upstreams.js";
import { E2E, itLogsNoErrors, startVersionEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];
const CLAIM_HEADER = "x-jwt-groups";
const PAYLOAD_HEADER = "x-jwt-payload";
const PROTOCOLS: Protocol[] = ["http1", "http2", "grpc"];
const UNAUTHENTICATED: Record<Protocol, string> = { http1: "401", http2: "401", grpc: "UNAUTHENTICATED" };
/** v3 is for the beta group only; staff are a cohort sent to v2. */
const CONFIG = {
  versions: VERSIONS,
  default: "v1",
  restricted: { v3: [{ claim: "groups", includes: "beta" }] },
  cohorts: [{ match: { claim: "groups", includes: "staff" }, version: "v2" }],
};

describe.runIf(E2E)("restricted versions behind Envoy's jwt_authn", () => {
  const issuer: JwtIssuer = createJwtIssuer("https://issuer.example");
  const stranger: JwtIssuer = createJwtIssuer("https://stranger.example");
  let envoy: Envoy | undefined;
  let upstreams: Upstreams | undefined;
  let stop: (() => Promise<void>) | undefined;
  const clients = new Map<Protocol, VersionClient>();

  beforeAll(async () => {
    ({ envoy, upstreams, stop } = await startVersionEnvoy({
      versions: VERSIONS,
      pluginConfig: CONFIG,
      jwtAuthn: {
        issuer: issuer.issuer,
        jwks: issuer.jwks,
        claimToHeaders: [{ header: CLAIM_HEADER, claim: "groups" }],
        payloadHeader: PAYLOAD_HEADER,
      },
    }));
    for (const protocol of PROTOCOLS) clients.set(protocol, openClient(protocol, envoy.url));
  });
  afterAll(async () => {
    for (const c of clients.values()) await c.close();
    await stop?.();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const beta = () => issuer.token({ sub: "ann", groups: ["beta"] });
  const forgedPayload = Buffer.from(JSON.stringify({ iss: issuer.issuer, groups: ["beta"] })).toString("base64url");

  // What each request carries, and where the table sends it (reason in the decision header).
  const CASES: Array<{
    name: string;
    sent: string[];
    extra: () => Record<string, string>;
    version?: string;
    reason?: string;
    refused?: boolean;
  }> = [
    { name: "a valid token with the claim names v3", sent: ["v3"], extra: () => bearer(beta()), version: "v3", reason: "explicit" },
    {
      name: "the claim as one word of a space-delimited string (an OAuth scope) names v3",
      sent: ["v3"],
      extra: () => bearer(issuer.token({ groups: "staff beta" })),
      version: "v3",
      reason: "explicit",
    },
    {
      name: "a valid token without the claim names v3",
      sent: ["v3"],
      extra: () => bearer(issuer.token({ groups: ["alpha"] })),
      version: "v1",
      reason: "restricted",
    },
    { name: "no token names v3", sent: ["v3"], extra: () => ({}), version: "v1", reason: "restricted" },
    {
      name: "a forged claim header names v3",
      sent: ["v3"],
      extra: () => ({ [CLAIM_HEADER]: "beta" }),
      version: "v1",
      reason: "restricted",
    },
    {
      name: "a forged payload header names v3",
      sent: ["v3"],
      extra: () => ({ [PAYLOAD_HEADER]: forgedPayload }),
      version: "v1",
      reason: "restricted",
    },
    {
      name: "a token without the claim plus a forged claim header names v3",
      sent: ["v3"],
      extra: () => ({ ...bearer(issuer.token({ groups: ["alpha"] })), [CLAIM_HEADER]: "beta" }),
      version: "v1",
      reason: "restricted",
    },
    {
      name: "a token signed by another key is refused by Envoy",
      sent: ["v3"],
      extra: () => bearer(issuer.token({ groups: ["beta"] }, stranger)),
      refused: true,
    },
    {
      name: "an expired token is refused by Envoy",
      sent: ["v3"],
      extra: () => bearer(issuer.token({ groups: ["beta"], exp: Math.floor(Date.now() / 1000) - 600 })),
      refused: true,
    },
    {
      name: "a token of another issuer is refused by Envoy",
      sent: ["v3"],
      extra: () => bearer(stranger.token({ groups: ["beta"] })),
      refused: true,
    },
    { name: "v3 twice, with the claim", sent: ["v3", "v3"], extra: () => bearer(beta()), version: "v3", reason: "explicit" },
    { name: "v3 twice, without a token", sent: ["v3", "v3"], extra: () => ({}), version: "v1", reason: "restricted" },
    { name: "a comma-joined v3,v3 is no version", sent: ["v3,v3"], extra: () => bearer(beta()), version: "v1", reason: "invalid" },
    { name: "an open version needs no token", sent: ["v2"], extra: () => ({}), version: "v2", reason: "explicit" },
    {
      name: "staff without a header are the v2 cohort",
      sent: [],
      extra: () => bearer(issuer.token({ groups: ["staff"] })),
      version: "v2",
      reason: "cohort",
    },
    {
      name: "a forged staff claim header is no cohort",
      sent: [],
      extra: () => ({ [CLAIM_HEADER]: "staff" }),
      version: "v1",
      reason: "default",
    },
  ];

  for (const protocol of PROTOCOLS) {
    describe(protocol, () => {
      for (const c of CASES) {
        it(c.name, async () => {
          const before = upstreams!.requests.length;
          const answer = await clients.get(protocol)!.send(c.sent, { extra: c.extra() });
          if (c.refused) {
            expect(answer.status).toBe(UNAUTHENTICATED[protocol]);
            expect(upstreams!.requests.length).toBe(before);
            return;
          }
          expect(answer).toMatchObject({ version: c.version, received: [c.version] });
          const got = upstreams!.requests.at(-1)!;
          expect(got.version).toBe(c.version);
          expect(upstreams!.requests.length).toBe(before + 1);
        });
      }
    });
  }

  it("counted every case above under the version and reason the table gives it, restricted attempts included", async () => {
    const expected: Record<string, number> = {};
    for (const c of CASES) {
      if (c.refused) continue;
      const name = `wasmcustom.version=.=${c.version};.;reason=.=${c.reason};.;version_router_requests_total`;
      expected[name] = (expected[name] ?? 0) + PROTOCOLS.length;
    }
    // The filter hands its counts to Envoy once a second.
    await vi.waitFor(
      async () => {
        const stats = await envoy!.stats("^wasmcustom\\..*version_router_requests_total$");
        expect(Object.fromEntries([...stats].filter(([, n]) => n > 0))).toEqual(expected);
      },
      { timeout: 5_000, interval: 100 },
    );
  });

  itLogsNoErrors(() => envoy!);
});
