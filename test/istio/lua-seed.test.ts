// The seed's way, through Istio too: its Lua EnvoyFilter, applied through istiod to the same
// gateway in place of the WasmPlugin (the chart with wasm.enabled=false), against
// version-router installed by the chart. Same VirtualServices, same requests. The chart's
// VirtualService has a default route, so where the seed let a request through untouched the
// answer shows it: the default version, receiving whatever the client sent.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type Answer, openClient, type Protocol } from "../../harness/clients/version-client.js";
import { seedEnvoyFilter } from "../../harness/lua/seed-envoy-filter.js";
import { PARITY_CASES, type ParityCase, untouchedCases } from "../support/lua-parity.js";
import { filterNameOf, pluginName } from "../support/release-names.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

const NAMESPACE = "shop";
const VERSIONS = ["v1", "v2", "v3"];

// The chart's VirtualService has a default route: what the seed lets through untouched is
// answered by v1, with the header as sent.
const CASES: ParityCase[] = [...PARITY_CASES, ...untouchedCases((version, received) => `${version} (received ${received})`)];

function outcome(answer: Answer): string {
  if (!answer.version) return answer.status;
  const received = answer.received ?? [];
  if (received.length === 1 && received[0] === answer.version) return answer.version;
  return `${answer.version} (received ${received.length === 0 ? "nothing" : received.join(", ")})`;
}

describe.runIf(TOOLS)("the seed's Lua EnvoyFilter and version-router, through istiod to the same gateway", () => {
  const { istio, gateway } = withIstio();
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: VERSIONS });
  const observed = { lua: new Map<ParityCase, string>(), ours: new Map<ParityCase, string>() };
  const chains: { lua: string[]; ours: string[] } = { lua: [], ours: [] };

  /** Sets the filter and the service protocol, then waits until the gateway answers accordingly. */
  async function configure(filter: "lua" | "ours", protocol: "grpc" | "http"): Promise<void> {
    const seed = seedEnvoyFilter();
    const values = chartValues({
      wasm: { enabled: filter === "ours" },
      service: protocol === "http" ? { port: 8080, protocol: "http" } : { port: 50051, protocol: "grpc" },
    });
    await chart.deploy(values);
    if (filter === "lua") await istio().kube.apply(seed);
    else await istio().kube.delete(seed.apiVersion, seed.kind, seed.metadata.namespace, seed.metadata.name);
    await gateway().waitForListener(80);
    // Settled when the filter in place answers the telling case its own way: an unknown
    // version over gRPC (Lua: degraded to v1) or a missing one over HTTP (Lua: untouched).
    const probe = openClient(protocol === "grpc" ? "grpc" : "http1", GATEWAY_URL);
    const telling = protocol === "grpc" ? ["v4"] : [];
    const expected = filter === "lua" ? (protocol === "grpc" ? "v1 (received v4)" : "v1 (received nothing)") : "v1";
    try {
      await vi.waitFor(async () => expect(outcome(await probe.send(telling))).toBe(expected), { timeout: 30_000, interval: 200 });
    } finally {
      await probe.close();
    }
  }

  async function askAll(filter: "lua" | "ours", protocols: readonly Protocol[]): Promise<void> {
    for (const c of CASES.filter((c) => protocols.includes(c.protocol))) {
      const client = openClient(c.protocol, GATEWAY_URL);
      try {
        observed[filter].set(c, outcome(await client.send(c.sent)));
      } finally {
        await client.close();
      }
    }
  }

  beforeAll(async () => {
    await configure("lua", "grpc");
    chains.lua = await gateway().httpFilters(80);
    await askAll("lua", ["grpc"]);
    await configure("lua", "http");
    await askAll("lua", ["http1", "http2"]);
    await configure("ours", "http");
    await askAll("ours", ["http1", "http2"]);
    await configure("ours", "grpc");
    chains.ours = await gateway().httpFilters(80);
    await askAll("ours", ["grpc"]);
  }, 200_000);

  it("istiod put the seed's Lua right before the router, and version-router in its place", () => {
    expect(chains.lua.slice(-2)).toEqual(["envoy.filters.http.lua", "envoy.filters.http.router"]);
    expect(chains.lua.some((name) => name.includes("version-router"))).toBe(false);
    expect(chains.ours.some((name) => name.includes(filterNameOf("istio-system", pluginName("shop", "grpcsvc"))))).toBe(true);
    expect(chains.ours).not.toContain("envoy.filters.http.lua");
  });

  it.each(CASES.filter((c) => !c.why))("agree: $protocol $sent -> $ours", (c) => {
    expect(c.lua).toBe(c.ours);
    expect({ seed: observed.lua.get(c), mine: observed.ours.get(c) }).toEqual({ seed: c.ours, mine: c.ours });
  });

  it.each(CASES.filter((c) => c.why))("differ on purpose: $protocol $sent (lua: $lua, ours: $ours)", (c) => {
    const [seed, mine] = [observed.lua.get(c), observed.ours.get(c)];
    expect({ seed, mine }).toEqual({ seed: c.lua, mine: c.ours });
    expect(seed).not.toBe(mine);
  });

  it("the gateway logged no Lua or Wasm error", () => {
    expect(gateway().errors()).toEqual([]);
  });
});
