// Many services on one gateway, through Istio's real control plane: three releases of the chart
// in three namespaces on the one istio-system gateway (a WasmPlugin each), the same with the
// Kubernetes Gateway API on one shared Gateway, and the shared layout (one release holding the
// three services, one WasmPlugin). Each service's requests follow its own configuration, a host
// no release owns passes untouched, each service counts apart, and changing or removing one
// release leaves the others' requests exactly as they were.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";
import { type ChartRelease, installChart } from "../../harness/istio/chart-release.js";
import { gatewayApiPod, gatewayWorkloadEntry } from "../../harness/istio/gateway-api.js";
import type { IngressGateway } from "../../harness/istio/ingress-gateway.js";
import type { VersionWorkloads } from "../../harness/istio/workloads.js";
import { type Sample, startTraffic, type Traffic } from "../../harness/load/steady-traffic.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { rowsFor } from "../support/behaviour-table.js";
import { filterNameOf, pluginName, sharedPluginName } from "../support/release-names.js";
import {
  CROSS_CASES,
  expectedVersion,
  PAY,
  SHARED_RELEASES,
  SHOP,
  type SharedRelease,
  sharedLayoutValues,
  UNOWNED_CASES,
  UNOWNED_HOST,
} from "../support/shared-gateway-releases.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { waitForRoute } from "./gateway-checks.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

const OK: Record<Protocol, string> = { grpc: "OK", http1: "200", http2: "200" };
const HTTP_SERVICE = { service: { port: 8080, protocol: "http" } };
/** Behind the host no release of the filter owns: a release of the chart without the filter (wasm.enabled false). */
const OTHER = { app: "othersvc", namespace: "other", versions: ["v1"] };
const otherValues = (extra: Record<string, unknown> = {}) =>
  chartValues({ app: OTHER.app, versions: [{ name: "v1", tag: "1.0.0" }], defaultVersion: "v1", wasm: { enabled: false }, ...extra });
/** Each release's versions on loopback addresses of their own: 127.0.0.11.., .21.., .31.., the other's .51. */
const ADDRESSES = [11, 21, 31];
const OTHER_ADDRESS = 51;
const serviceName = (r: SharedRelease) => `${r.namespace}/${r.app}`;
/** The shared layout's release, which holds the three services. */
const SHARED_RELEASE = "gateway-services";

/** Clients through the gateway, by protocol and authority; they close after the enclosing describe. */
function withClients(): (protocol: Protocol, authority: string) => VersionClient {
  const clients = new Map<string, VersionClient>();
  afterAll(async () => {
    await Promise.allSettled([...clients.values()].map((c) => c.close()));
    clients.clear();
  });
  return (protocol, authority) => {
    const key = `${protocol} ${authority}`;
    const open = clients.get(key) ?? openClient(protocol, GATEWAY_URL, undefined, { authority });
    clients.set(key, open);
    return open;
  };
}

/**
 * The behaviour table per service, the cross cases and the host no release owns, over these protocols.
 */
function itRoutesEachServiceApart(
  releases: readonly SharedRelease[],
  protocols: readonly Protocol[],
  client: (protocol: Protocol, authority: string) => VersionClient,
): void {
  for (const protocol of protocols) {
    for (const r of releases) {
      for (const row of rowsFor(protocol)) {
        const version = expectedVersion(r, row.sent);
        it(`${protocol} to ${serviceName(r)}: ${row.name}: ${JSON.stringify(row.sent).slice(0, 30)} -> ${version}`, async () => {
          const answer = await client(protocol, r.authority).send(row.sent);
          expect(answer).toEqual({ status: OK[protocol], service: r.app, version, received: [version] });
        });
      }
    }
    for (const c of CROSS_CASES.filter((c) => releases.includes(c.to))) {
      it(`${protocol}: ${c.why}`, async () => {
        const answer = await client(protocol, c.to.authority).send(c.sent, { extra: c.extra });
        expect(answer).toMatchObject({ status: OK[protocol], service: c.to.app, version: c.version, received: [c.version] });
      });
    }
    for (const c of UNOWNED_CASES) {
      it(`${protocol}: a host no release owns passes untouched: ${c.why}`, async () => {
        const answer = await client(protocol, UNOWNED_HOST).send(c.sent);
        expect(answer).toMatchObject({ status: OK[protocol], service: OTHER.app });
        // As sent: gRPC's metadata hands a repeated header to the server as one comma-joined value.
        expect(answer.received?.join(", ")).toBe(c.sent.join(", "));
      });
    }
  }
}

/** version_router_requests_total summed by service label, from the gateway's Prometheus listener. */
async function countedByService(gateway: IngressGateway): Promise<Map<string, number>> {
  const text = await (await fetch(gateway.prometheusUrl)).text();
  const counted = new Map<string, number>();
  for (const [, labels, n] of text.matchAll(/^version_router_requests_total\{([^}]*)\} (\d+)$/gm)) {
    const service = /service="([^"]*)"/.exec(labels!)?.[1] ?? "(none)";
    counted.set(service, (counted.get(service) ?? 0) + Number(n));
  }
  return counted;
}

/**
 * A known number of requests to each service, and some to the host no release owns: each
 * service's series grow by exactly its own, and nothing else moves.
 */
function itCountsEachServiceApart(
  releases: readonly SharedRelease[],
  gateway: () => IngressGateway,
  client: (protocol: Protocol, authority: string) => VersionClient,
  protocol: Protocol,
): void {
  it("counts each service's requests in its own series, exactly those sent to it, and none for the other host", async () => {
    const sent = new Map(releases.map((r, i) => [serviceName(r), 3 + 2 * i]));
    // The filter hands its counts to Envoy on a 1 s tick: let earlier requests' counts arrive.
    await sleep(1_500);
    const before = await countedByService(gateway());
    for (const r of releases) {
      for (let i = 0; i < sent.get(serviceName(r))!; i++) {
        expect(await client(protocol, r.authority).send(i % 2 === 0 ? ["zz"] : [])).toMatchObject({ status: OK[protocol], service: r.app });
      }
    }
    for (let i = 0; i < 4; i++) expect(await client(protocol, UNOWNED_HOST).send(["zz"])).toMatchObject({ service: OTHER.app });
    await vi.waitFor(
      async () => {
        const after = await countedByService(gateway());
        const grown = Object.fromEntries(
          [...after].map(([service, n]) => [service, n - (before.get(service) ?? 0)]).filter(([, n]) => n !== 0),
        );
        expect(grown).toEqual(Object.fromEntries(sent));
      },
      { timeout: 10_000, interval: 500 },
    );
  });
}

/** Each release's traffic (gRPC, keyed by x-user-id) through the gateway while `during` runs. */
async function trafficDuring(releases: readonly SharedRelease[], during: () => Promise<void>): Promise<Map<SharedRelease, Sample[]>> {
  const keys = Array.from({ length: 500 }, (_, i) => `user-${i}`);
  const traffic = new Map<SharedRelease, Traffic>(
    releases.map((r) => [
      r,
      startTraffic(GATEWAY_URL, { protocols: ["grpc"], workersPerProtocol: 2, keys, keyHeader: "x-user-id", authority: r.authority }),
    ]),
  );
  try {
    await during();
  } finally {
    await Promise.all([...traffic.values()].map((t) => t.stop()));
  }
  return new Map([...traffic].map(([r, t]) => [r, t.samples]));
}

/**
 * Changes pay's canary (v1 0 / v2 100, then sticky 50/50, then back) with `apply` under
 * continuous traffic to every release: no request fails, pay's follow each phase's weights,
 * and every other release's requests go exactly where they went before, one by one.
 */
async function expectOneReleaseChangedUnderTraffic(
  releases: readonly SharedRelease[],
  apply: (pay: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const sticky = { stickyBy: { header: "x-user-id" }, canary: { weights: { v1: 50, v2: 50 } } };
  const phases = [
    { values: {}, version: (_key: string) => "v2", from: 0, to: 0 },
    { values: sticky, version: (key: string) => weightedVersion(PAY.versions, sticky.canary.weights, key), from: 0, to: 0 },
    { values: {}, version: (_key: string) => "v2", from: 0, to: 0 },
  ];
  const samples = await trafficDuring(releases, async () => {
    for (const [i, phase] of phases.entries()) {
      if (i > 0) await apply(phase.values);
      // istiod's push and Envoy's workers take the new configuration a moment after helm returns.
      await sleep(1_500);
      phase.from = performance.now();
      await sleep(2_500);
      phase.to = performance.now();
    }
  });
  for (const [r, list] of samples) {
    const failed = list.filter((s) => s.status !== "OK");
    console.log(
      `${serviceName(r)} under ${r === PAY ? "its own" : "pay's"} helm upgrades: ${list.length} requests, ${failed.length} failed`,
    );
    expect(failed).toEqual([]);
    if (r === PAY) {
      for (const phase of phases) {
        const inPhase = list.filter((s) => s.start >= phase.from && s.end <= phase.to);
        expect(inPhase.length).toBeGreaterThan(50);
        expect(inPhase.filter((s) => s.version !== phase.version(s.key) || s.service !== r.app)).toEqual([]);
      }
    } else {
      // Request by request: every one of the others' requests went where it went before pay changed.
      expect(list.length).toBeGreaterThan(200);
      expect(list.filter((s) => s.version !== r.withoutHeader || s.service !== r.app)).toEqual([]);
    }
  }
}

/** Routes are in place for every release's host (its filter rewrote "zz") and the other host (where "zz" stays). */
async function waitForEveryRoute(releases: readonly SharedRelease[], protocol: Protocol): Promise<void> {
  for (const r of releases) await waitForRoute(protocol, ["zz"], expectedVersion(r, ["zz"]), r.authority);
  const probe = openClient(protocol, GATEWAY_URL, undefined, { authority: UNOWNED_HOST });
  try {
    await vi.waitFor(async () => expect(await probe.send(["zz"])).toMatchObject({ service: OTHER.app, received: ["zz"] }), {
      timeout: 30_000,
      interval: 250,
    });
  } finally {
    await probe.close();
  }
}

describe.runIf(TOOLS)("three releases on the one istio-system gateway, a WasmPlugin each", () => {
  const { istio, gateway } = withIstio();
  const charts = SHARED_RELEASES.map((r, i) => ({
    r,
    chart: withChartRelease(istio, { namespace: r.namespace, app: r.app, versions: r.versions, firstAddress: ADDRESSES[i]! }),
  }));
  const other = withChartRelease(istio, { ...OTHER, firstAddress: OTHER_ADDRESS });
  const client = withClients();
  const deployAll = async (extra: Record<string, unknown> = {}) => {
    for (const { r, chart } of charts) await chart.deploy(chartValues({ ...r.values, ...extra }));
    await other.deploy(otherValues({ gateway: { hosts: [UNOWNED_HOST] }, ...extra }));
  };

  beforeAll(async () => {
    await deployAll();
    await gateway().waitForListener(80);
    await waitForEveryRoute(SHARED_RELEASES, "grpc");
  }, 180_000);

  it("each release's WasmPlugin reaches the gateway with its own scope, as one filter of the chain each", async () => {
    const filters = await gateway().ecdsFilters();
    for (const r of SHARED_RELEASES) {
      const ours = filters.filter((f) => f.name.includes(filterNameOf("istio-system", pluginName(r.namespace, r.app))));
      expect(ours).toHaveLength(1);
      expect(JSON.parse(ours[0]!.configuration!)).toEqual(r.pluginConfig);
    }
    const chain = await gateway().httpFilters(80);
    expect(chain.filter((name) => name.includes("version-router"))).toHaveLength(SHARED_RELEASES.length);
  });

  describe("gRPC services", () => {
    itRoutesEachServiceApart(SHARED_RELEASES, ["grpc"], client);
  });

  describe("HTTP services (helm upgrade service.protocol=http)", () => {
    beforeAll(async () => {
      await deployAll(HTTP_SERVICE);
      await waitForEveryRoute(SHARED_RELEASES, "http1");
    }, 120_000);

    itRoutesEachServiceApart(SHARED_RELEASES, ["http1", "http2"], client);
  });

  // The services are HTTP services now.
  itCountsEachServiceApart(SHARED_RELEASES, gateway, client, "http1");

  describe("a second release claiming what one installed claims", () => {
    const refused = async (name: string, hosts: string[]) =>
      installChart(istio(), { name, namespace: name, values: chartValues({ app: name, gateway: { hosts } }) }).then(
        () => "installed",
        (err: Error) => err.message,
      );

    it("is refused by helm install when it claims every host (*), naming the release it would act for", async () => {
      const message = await refused("wild", ["*"]);
      expect(message).toContain('gateway.hosts: "*" shares requests with');
      expect(message).toMatch(/\(WasmPlugin istio-system\/[a-z]+-[a-z]+-version-router, release [a-z]+\) on the same gateway pods/);
    });

    it("is refused when its wildcard covers another release's hosts", async () => {
      expect(await refused("wide", ["*.example.com"])).toMatch(
        /gateway\.hosts: "\*\.example\.com" shares requests with (shop\/grpcsvc|pay\/paysvc|cart\/cartsvc) \(WasmPlugin istio-system\/\w+-\w+-version-router, release \w+\)/,
      );
    });

    it("is installed beside them when its hosts are its own", async () => {
      const release: ChartRelease = await installChart(istio(), {
        name: "extra",
        namespace: "extra",
        values: chartValues({ app: "extra", gateway: { hosts: ["e.example.com"] } }),
      });
      await release.uninstall();
    });
  });

  it("helm upgrade of one release's canary under traffic to all three: nothing fails, the other two route exactly as before", async () => {
    const pay = charts.find((c) => c.r === PAY)!;
    // Back to gRPC services for the traffic, which is gRPC.
    await deployAll();
    await waitForEveryRoute(SHARED_RELEASES, "grpc");
    await expectOneReleaseChangedUnderTraffic(SHARED_RELEASES, (values) =>
      pay.chart.deploy(chartValues({ ...PAY.values, ...values })).then(() => undefined),
    );
  }, 120_000);

  it("helm uninstall of one release removes its filter from the gateway and leaves the other two routing", async () => {
    const cart = charts.find((c) => c.r.app === "cartsvc")!;
    await cart.chart.uninstall();
    // Gone from the listener's filter chain in /config_dump. (Envoy's ECDS section keeps the last
    // configuration of a filter no listener uses any more; it no longer runs.)
    await vi.waitFor(
      async () => {
        const chain = await gateway().httpFilters(80);
        expect(chain.filter((name) => name.includes("version-router"))).toEqual(
          expect.arrayContaining(
            [SHOP, PAY].map((r) => expect.stringContaining(filterNameOf("istio-system", pluginName(r.namespace, r.app)))),
          ),
        );
        expect(chain.filter((name) => name.includes("version-router"))).toHaveLength(2);
      },
      { timeout: 30_000, interval: 250 },
    );

    for (const r of SHARED_RELEASES.filter((r) => r !== cart.r)) {
      for (const row of rowsFor("grpc")) {
        const version = expectedVersion(r, row.sent);
        expect(await client("grpc", r.authority).send(row.sent)).toEqual({ status: "OK", service: r.app, version, received: [version] });
      }
    }
  });

  it("the gateway logged no Wasm error", () => {
    expect(gateway().errors()).toEqual([]);
  });
});

describe.runIf(TOOLS)("two releases with HTTPRoutes on one shared Kubernetes Gateway API Gateway", () => {
  const SHARED_GATEWAY = { name: "public", namespace: "ingress" };
  const releases = SHARED_RELEASES.slice(0, 2);
  const { istio } = withIstio({ gateway: false, gatewayApi: true });
  const charts = releases.map((r, i) => ({
    r,
    chart: withChartRelease(istio, { namespace: r.namespace, app: r.app, versions: r.versions, firstAddress: ADDRESSES[i]! }),
  }));
  const other = withChartRelease(istio, { ...OTHER, firstAddress: OTHER_ADDRESS });
  let gateway: IngressGateway | undefined;
  const gw = () => gateway ?? expect.fail("the Gateway API gateway did not start");
  const client = withClients();
  // Each release attaches to the Gateway its owner created; the WasmPlugins go to its namespace.
  const attach = (hostnames: string[]) => ({
    routingApi: "gatewayApi",
    gatewayApi: { gateway: { create: false, ...SHARED_GATEWAY }, hostnames },
  });

  beforeAll(async () => {
    const kube = istio().kube;
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: SHARED_GATEWAY.namespace } });
    await kube.apply({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { ...SHARED_GATEWAY, annotations: { "networking.istio.io/service-type": "ClusterIP" } },
      spec: {
        gatewayClassName: "istio",
        listeners: [{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } }],
      },
    });
    for (const { r, chart } of charts) await chart.deploy(chartValues({ ...r.values, ...attach(r.hosts) }));
    await other.deploy(otherValues(attach([UNOWNED_HOST])));
    const pod = await gatewayApiPod(kube, SHARED_GATEWAY.namespace, SHARED_GATEWAY.name);
    await kube.apply(gatewayWorkloadEntry(pod));
    gateway = await istio().startGateway({ identity: pod });
    await gateway.waitForListener(80);
    await waitForEveryRoute(releases, "grpc");
  }, 180_000);

  it("each release's WasmPlugin reaches the Gateway's pods by targetRefs, from the Gateway's namespace", async () => {
    const filters = await gw().ecdsFilters();
    for (const r of releases) {
      const ours = filters.filter((f) => f.name.includes(filterNameOf(SHARED_GATEWAY.namespace, pluginName(r.namespace, r.app))));
      expect(ours).toHaveLength(1);
      expect(JSON.parse(ours[0]!.configuration!)).toEqual(r.pluginConfig);
    }
    const plugin = await istio().kube.get(
      "extensions.istio.io/v1alpha1",
      "WasmPlugin",
      SHARED_GATEWAY.namespace,
      pluginName(releases[0]!.namespace, releases[0]!.app),
    );
    expect((plugin?.spec as { targetRefs?: unknown } | undefined)?.targetRefs).toEqual([
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: SHARED_GATEWAY.name },
    ]);
  });

  itRoutesEachServiceApart(releases, ["grpc"], client);
  itCountsEachServiceApart(releases, gw, client, "grpc");

  it("the gateway logged no Wasm error", () => {
    expect(gw().errors()).toEqual([]);
  });
});

describe.runIf(TOOLS)("the shared layout: one release holding the three services, one WasmPlugin", () => {
  const { istio, gateway } = withIstio();
  const other = withChartRelease(istio, { ...OTHER, firstAddress: OTHER_ADDRESS });
  const workloads: VersionWorkloads[] = [];
  let release: ChartRelease | undefined;
  const client = withClients();
  const values = (entries = SHARED_RELEASES) => chartValues(sharedLayoutValues(entries));

  beforeAll(async () => {
    for (const [i, r] of SHARED_RELEASES.entries()) {
      workloads.push(
        await istio().startWorkloads({
          namespace: r.namespace,
          app: r.app,
          service: r.app,
          versions: r.versions,
          firstAddress: ADDRESSES[i]!,
        }),
      );
    }
    release = await installChart(istio(), { name: SHARED_RELEASE, namespace: "istio-system", values: values() });
    await other.deploy(otherValues({ gateway: { hosts: [UNOWNED_HOST] } }));
    await gateway().waitForListener(80);
    await waitForEveryRoute(SHARED_RELEASES, "grpc");
  }, 180_000);

  afterAll(async () => {
    await release?.uninstall();
    await Promise.allSettled(workloads.map((w) => w.stop()));
  }, 60_000);

  it("one WasmPlugin holds the three services: one version-router filter in the gateway's chain", async () => {
    const ours = (await gateway().ecdsFilters()).filter((f) =>
      f.name.includes(filterNameOf("istio-system", sharedPluginName(SHARED_RELEASE))),
    );
    expect(ours).toHaveLength(1);
    expect(JSON.parse(ours[0]!.configuration!)).toEqual({
      services: [...SHARED_RELEASES]
        .sort((a, b) => `${a.namespace}-${a.app}`.localeCompare(`${b.namespace}-${b.app}`))
        .map((r) => r.pluginConfig),
    });
    expect((await gateway().httpFilters(80)).filter((name) => name.includes("version-router"))).toHaveLength(1);
  });

  itRoutesEachServiceApart(SHARED_RELEASES, ["grpc"], client);
  itCountsEachServiceApart(SHARED_RELEASES, gateway, client, "grpc");

  it("helm upgrade of one service's entry under traffic to all three: nothing fails, the other two route exactly as before", async () => {
    const withPay = (pay: Record<string, unknown>) =>
      values(SHARED_RELEASES.map((r) => (r === PAY ? { ...r, values: { ...r.values, ...pay } } : r)));
    await expectOneReleaseChangedUnderTraffic(SHARED_RELEASES, (pay) => release!.upgrade(withPay(pay)).then(() => undefined));
  }, 120_000);

  it("an entry removed leaves the other two routing", async () => {
    const remaining = SHARED_RELEASES.filter((r) => r.app !== "cartsvc");
    await release!.upgrade(values(remaining));
    await vi.waitFor(
      async () => {
        const [ours] = (await gateway().ecdsFilters()).filter((f) => f.name.includes(sharedPluginName(SHARED_RELEASE)));
        expect((JSON.parse(ours!.configuration!) as { services: unknown[] }).services).toHaveLength(2);
      },
      { timeout: 30_000, interval: 250 },
    );
    for (const r of remaining) {
      for (const row of rowsFor("grpc")) {
        const version = expectedVersion(r, row.sent);
        expect(await client("grpc", r.authority).send(row.sent)).toEqual({ status: "OK", service: r.app, version, received: [version] });
      }
    }
  });

  it("the gateway logged no Wasm error", () => {
    expect(gateway().errors()).toEqual([]);
  });
});
