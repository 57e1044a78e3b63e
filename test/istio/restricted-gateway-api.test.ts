// Restricted versions with the Kubernetes Gateway API through istiod: a RequestAuthentication
// that targets the Gateway (targetRefs), the chart's HTTPRoute and its WasmPlugin by targetRefs.
// An HTTPRoute matches no JWT claim, so there is no route-level defence: the filter alone keeps
// v3 for the beta group, and the chart refuses FAIL_OPEN, under which it could be bypassed.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createJwtIssuer } from "../../harness/auth/jwt-issuer.js";
import { openClient, type VersionClient } from "../../harness/clients/version-client.js";
import { gatewayApiPod, gatewayWorkloadEntry } from "../../harness/istio/gateway-api.js";
import type { IngressGateway } from "../../harness/istio/ingress-gateway.js";
import { pluginName } from "../support/release-names.js";
import { restrictedCases } from "../support/restricted-cases.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();
const NAMESPACE = "shop";
const GATEWAY = "grpcsvc-gateway";
const CLAIM_HEADER = "x-jwt-groups";

describe.runIf(TOOLS)("restricted versions with the Gateway API through istiod", () => {
  const { istio } = withIstio({ gateway: false, gatewayApi: true });
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: ["v1", "v2", "v3"] });
  const issuer = createJwtIssuer("https://issuer.example");
  const stranger = createJwtIssuer("https://issuer.example", "another-key");
  let gateway: IngressGateway | undefined;
  let client: VersionClient | undefined;
  const values = (failStrategy = "FAIL_RELOAD") =>
    chartValues({
      routingApi: "gatewayApi",
      gatewayApi: { gateway: { annotations: { "networking.istio.io/service-type": "ClusterIP" } } },
      service: { port: 8080, protocol: "http" },
      versions: [
        { name: "v1", tag: "1" },
        { name: "v2", tag: "2" },
        { name: "v3", tag: "3", restrictedTo: [{ claim: "groups", includes: "beta" }] },
      ],
      wasm: { failStrategy },
    });
  const bearer = (claims: Record<string, unknown>) => ({ authorization: `Bearer ${issuer.token(claims)}` });

  beforeAll(async () => {
    await chart.deploy(values());
    const pod = await gatewayApiPod(istio().kube, NAMESPACE, GATEWAY);
    await istio().kube.apply(gatewayWorkloadEntry(pod));
    await istio().kube.apply({
      apiVersion: "security.istio.io/v1",
      kind: "RequestAuthentication",
      metadata: { name: "gateway-jwt", namespace: NAMESPACE },
      spec: {
        targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY }],
        jwtRules: [{ issuer: issuer.issuer, jwks: issuer.jwks, outputClaimToHeaders: [{ header: CLAIM_HEADER, claim: "groups" }] }],
      },
    });
    gateway = await istio().startGateway({ identity: pod });
    await gateway.waitForListener(80);
    client = openClient("http1", GATEWAY_URL);
    await vi.waitFor(
      async () => expect(await client!.send(["v3"], { extra: bearer({ groups: ["beta"] }) })).toMatchObject({ version: "v3" }),
      {
        timeout: 30_000,
        interval: 250,
      },
    );
  }, 180_000);
  afterAll(async () => {
    await client?.close();
  });

  it("the RequestAuthentication reaches the Gateway's pod: jwt_authn ahead of the filter", async () => {
    const filters = await gateway!.httpFilters(80);
    const wasm = filters.findIndex((f) => f.includes(pluginName(NAMESPACE, "grpcsvc")));
    expect(filters.indexOf("envoy.filters.http.jwt_authn")).toBeGreaterThanOrEqual(0);
    expect(wasm).toBeGreaterThan(filters.indexOf("envoy.filters.http.jwt_authn"));
  });

  const CASES = restrictedCases(issuer, stranger, CLAIM_HEADER);
  for (const c of CASES) {
    it(c.name, async () => {
      const answer = await client!.send(c.sent, { extra: c.extra() });
      if (c.version === undefined) expect(answer.status).toBe("401");
      else expect(answer).toMatchObject({ status: "200", version: c.version, received: [c.version] });
    });
  }

  it("helm upgrade to FAIL_OPEN is refused by the chart: no route could stand in for a bypassed filter", async () => {
    await expect(chart.deploy(values("FAIL_OPEN"))).rejects.toThrow(/an HTTPRoute matches no JWT claim/);
  });
});
