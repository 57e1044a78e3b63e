// Restricted versions through real istiod: a RequestAuthentication with an inline JWKS on the
// gateway (istiod adds Envoy's jwt_authn filter), the chart's v3 restricted to the beta group, its
// WasmPlugin in phase AUTHZ after jwt_authn. Tokens are signed here with node:crypto. The cases
// over HTTP/1.1 and HTTP/2 (an HTTP service), then gRPC (the chart's gRPC service). Then the
// filter bypassed (FAIL_OPEN, the module not fetched): the route still requires the claim.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createJwtIssuer } from "../../harness/auth/jwt-issuer.js";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";
import { pluginName } from "../support/release-names.js";
import { type RestrictedCase, restrictedCases } from "../support/restricted-cases.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { FILTER_MODULE_URL, GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();
const NAMESPACE = "restricted";
const PROTOCOLS: Protocol[] = ["http1", "http2"];
const CLAIM_HEADER = "x-jwt-groups";
const UNAUTHENTICATED: Record<Protocol, string> = { http1: "401", http2: "401", grpc: "UNAUTHENTICATED" };
const JWT_AUTHN = "envoy.filters.http.jwt_authn";

describe.runIf(TOOLS)("restricted versions through istiod, with a RequestAuthentication on the gateway", () => {
  const { istio, gateway, restartGateway, registry } = withIstio();
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: ["v1", "v2", "v3"] });
  const issuer = createJwtIssuer("https://issuer.example");
  const stranger = createJwtIssuer("https://issuer.example", "another-key");
  const clients = new Map<Protocol, VersionClient>();
  const values = (failStrategy = "FAIL_RELOAD", service = { port: 8080, protocol: "http" }) =>
    chartValues({
      service,
      versions: [
        { name: "v1", tag: "1" },
        { name: "v2", tag: "2" },
        { name: "v3", tag: "3", restrictedTo: [{ claim: "groups", includes: "beta" }] },
      ],
      cohorts: [{ match: { claim: "groups", includes: "staff" }, version: "v2" }],
      wasm: { failStrategy },
    });
  const bearer = (claims: Record<string, unknown>, signer = issuer) => ({ authorization: `Bearer ${issuer.token(claims, signer)}` });
  const ours = async () => (await gateway().ecdsFilters()).find((f) => f.name.includes(pluginName(NAMESPACE, "grpcsvc")));

  beforeAll(async () => {
    await istio().kube.apply({
      apiVersion: "security.istio.io/v1",
      kind: "RequestAuthentication",
      metadata: { name: "gateway-jwt", namespace: "istio-system" },
      spec: {
        selector: { matchLabels: { istio: "ingressgateway" } },
        jwtRules: [{ issuer: issuer.issuer, jwks: issuer.jwks, outputClaimToHeaders: [{ header: CLAIM_HEADER, claim: "groups" }] }],
      },
    });
    await chart.deploy(values());
    await gateway().waitForListener(80);
    for (const p of PROTOCOLS) clients.set(p, openClient(p, GATEWAY_URL));
    await vi.waitFor(
      async () =>
        expect(await clients.get("http1")!.send(["v3"], { extra: bearer({ groups: ["beta"] }) })).toMatchObject({ version: "v3" }),
      { timeout: 30_000, interval: 250 },
    );
  }, 120_000);
  afterAll(async () => {
    for (const c of clients.values()) await c.close();
  });

  it("istiod adds Envoy's jwt_authn and nothing Istio-only; the filter, in phase AUTHZ, runs after it", async () => {
    const filters = await gateway().httpFilters(80);
    console.log(`gateway HTTP filters (phase AUTHZ): ${filters.join(", ")}`);
    const wasm = filters.findIndex((f) => f.includes(pluginName(NAMESPACE, "grpcsvc")));
    expect(filters.indexOf(JWT_AUTHN)).toBeGreaterThanOrEqual(0);
    expect(wasm).toBeGreaterThan(filters.indexOf(JWT_AUTHN));
    expect(filters.at(-1)).toBe("envoy.filters.http.router");
  });

  it("against other plugins: an AUTHN-phase one runs before jwt_authn and the filter, a STATS-phase one after it", async () => {
    // Two more WasmPlugins on the same gateway, each the module for a host nobody sends (so they leave requests alone).
    const other = (name: string, phase: string) => ({
      apiVersion: "extensions.istio.io/v1alpha1",
      kind: "WasmPlugin",
      metadata: { name, namespace: "istio-system" },
      spec: {
        selector: { matchLabels: { istio: "ingressgateway" } },
        url: FILTER_MODULE_URL,
        phase,
        pluginConfig: { service: name, hosts: [`${name}.example`], header: "x-other", versions: ["a"] },
      },
    });
    const plugins = [other("other-authn", "AUTHN"), other("other-stats", "STATS")];
    for (const p of plugins) await istio().kube.apply(p);
    try {
      await vi.waitFor(
        async () => {
          const filters = await gateway().httpFilters(80);
          const at = (part: string) => filters.findIndex((f) => f.includes(part));
          expect(at("other-authn")).toBeGreaterThanOrEqual(0);
          expect(at("other-stats")).toBeGreaterThanOrEqual(0);
          expect(at("other-authn")).toBeLessThan(at(JWT_AUTHN));
          expect(at(JWT_AUTHN)).toBeLessThan(at(pluginName(NAMESPACE, "grpcsvc")));
          expect(at(pluginName(NAMESPACE, "grpcsvc"))).toBeLessThan(at("other-stats"));
        },
        { timeout: 30_000, interval: 250 },
      );
      console.log(`gateway HTTP filters with an AUTHN and a STATS plugin: ${(await gateway().httpFilters(80)).join(", ")}`);
      expect(await clients.get("http1")!.send(["v3"], { extra: bearer({ groups: ["beta"] }) })).toMatchObject({
        version: "v3",
        received: ["v3"],
      });
    } finally {
      for (const p of plugins) await istio().kube.delete(p.apiVersion, p.kind, p.metadata.namespace, p.metadata.name);
    }
  });

  const CASES: RestrictedCase[] = [
    ...restrictedCases(issuer, stranger, CLAIM_HEADER),
    { name: "staff without a header are the v2 cohort", sent: [], extra: () => bearer({ groups: ["staff"] }), version: "v2" },
  ];
  for (const protocol of PROTOCOLS) {
    describe(protocol, () => {
      for (const c of CASES) {
        it(c.name, async () => {
          const answer = await clients.get(protocol)!.send(c.sent, { extra: c.extra() });
          if (c.version === undefined) expect(answer.status).toBe(UNAUTHENTICATED[protocol]);
          else expect(answer).toMatchObject({ status: "200", version: c.version, received: [c.version] });
        });
      }
    });
  }

  it("phase AUTHN, the chart's before, puts the filter ahead of jwt_authn, where no claim is verified yet: even the beta token goes to the default", async () => {
    const name = pluginName(NAMESPACE, "grpcsvc");
    const patch = (phase: string) =>
      istio().kube.call(
        "PATCH",
        `/apis/extensions.istio.io/v1alpha1/namespaces/istio-system/wasmplugins/${name}`,
        { spec: { phase } },
        "application/merge-patch+json",
      );
    await patch("AUTHN");
    try {
      await vi.waitFor(
        async () => {
          const filters = await gateway().httpFilters(80);
          expect(filters.findIndex((f) => f.includes(name))).toBeLessThan(filters.indexOf(JWT_AUTHN));
        },
        { timeout: 30_000, interval: 250 },
      );
      console.log(`gateway HTTP filters (phase AUTHN): ${(await gateway().httpFilters(80)).join(", ")}`);
      await vi.waitFor(
        async () =>
          expect(await clients.get("http1")!.send(["v3"], { extra: bearer({ groups: ["beta"] }) })).toMatchObject({
            version: "v1",
            received: ["v1"],
          }),
        { timeout: 30_000, interval: 250 },
      );
    } finally {
      await patch("AUTHZ");
    }
  });

  describe("grpc (the chart's gRPC service)", () => {
    let grpc: VersionClient | undefined;
    beforeAll(async () => {
      await chart.deploy(values("FAIL_RELOAD", { port: 50051, protocol: "grpc" }));
      grpc = openClient("grpc", GATEWAY_URL);
      await vi.waitFor(
        async () =>
          expect(await grpc!.send(["v3"], { extra: bearer({ groups: ["beta"] }) })).toMatchObject({ status: "OK", version: "v3" }),
        {
          timeout: 30_000,
          interval: 250,
        },
      );
    }, 120_000);
    afterAll(async () => {
      await grpc?.close();
      await chart.deploy(values());
    });
    for (const c of CASES) {
      it(c.name, async () => {
        const answer = await grpc!.send(c.sent, { extra: c.extra() });
        if (c.version === undefined) expect(answer.status).toBe(UNAUTHENTICATED.grpc);
        else expect(answer).toMatchObject({ status: "OK", version: c.version, received: [c.version] });
      });
    }
  });

  describe("the filter bypassed: FAIL_OPEN, and a new gateway that could not fetch the module", () => {
    beforeAll(async () => {
      await chart.deploy(values("FAIL_OPEN"));
      await registry().down();
      await restartGateway();
      await gateway().waitForListener(80);
      for (const c of clients.values()) await c.close();
      for (const p of PROTOCOLS) clients.set(p, openClient(p, GATEWAY_URL));
      await vi.waitFor(async () => expect((await ours())?.typeUrl).toContain("rbac"), { timeout: 30_000, interval: 250 });
    }, 120_000);
    afterAll(async () => {
      await registry().up();
    });

    it("a request naming v3 without the claim takes the default route, its header unchanged: the route requires the claim", async () => {
      for (const protocol of PROTOCOLS) {
        expect(await clients.get(protocol)!.send(["v3"])).toMatchObject({ status: "200", version: "v1", received: ["v3"] });
        expect(await clients.get(protocol)!.send(["v3"], { extra: { [CLAIM_HEADER]: "beta" } })).toMatchObject({
          version: "v1",
          received: ["v3"],
        });
      }
    });

    it("with the claim it still reaches v3, and open versions route by their header", async () => {
      for (const protocol of PROTOCOLS) {
        expect(await clients.get(protocol)!.send(["v3"], { extra: bearer({ groups: ["beta"] }) })).toMatchObject({
          version: "v3",
          received: ["v3"],
        });
        expect(await clients.get(protocol)!.send(["v2"])).toMatchObject({ version: "v2", received: ["v2"] });
      }
    });
  });
});
