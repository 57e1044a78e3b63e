// Three releases' filters on one Envoy, as a shared ingress gateway runs them: one listener, a
// virtual host per release's hosts, and either a filter per release (each on a VM of its own, as
// Istio runs WasmPlugins) or one filter holding the three services (the shared layout). Every
// request is routed by its own service's configuration; a host no release owns reaches its
// upstream as sent; each service counts only its own requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openClient, PROTOCOLS, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";
import { adminGet } from "../../harness/envoy/admin.js";
import type { ClusterSpec, VirtualHostSpec } from "../../harness/envoy/bootstrap.js";
import { type Envoy, startEnvoy } from "../../harness/envoy/start-envoy.js";
import { versionRoutes } from "../../harness/envoy/version-routes.js";
import { startUpstreams, type Upstreams } from "../../harness/upstreams/start-upstreams.js";
import { DEFAULT_VERSION_HEADER } from "../../harness/version-header.js";
import { rowsFor } from "../support/behaviour-table.js";
import { CROSS_CASES, expectedVersion, SHARED_RELEASES, UNOWNED_CASES, UNOWNED_HOST } from "../support/shared-gateway-releases.js";
import { e2eRuntime } from "../support/suite-gates.js";
import { E2E, itLogsNoErrors } from "./with-envoy.js";

/** Behind every host no release binds: an echo server that reports what it received, unrouted by version. */
const UNOWNED = "unowned";

const LAYOUTS = [
  { name: "a filter per release, each on its own VM", plugins: SHARED_RELEASES.map((r) => r.pluginConfig) },
  {
    name: "one filter holding the three services (the shared layout)",
    plugins: [{ services: SHARED_RELEASES.map((r) => r.pluginConfig) }],
  },
];

const OK: Record<Protocol, string> = { grpc: "OK", http1: "200", http2: "200" };

describe.runIf(E2E).each(LAYOUTS)("a shared gateway: $name", ({ plugins }) => {
  let envoy: Envoy | undefined;
  const upstreams: Upstreams[] = [];
  const clients: VersionClient[] = [];
  /** Requests each service's upstreams answered, by service. */
  const answered = new Map<string, number>();

  beforeAll(async () => {
    const virtualHosts: VirtualHostSpec[] = [];
    const clusters: ClusterSpec[] = [];
    for (const r of SHARED_RELEASES) {
      const u = await startUpstreams(r.versions, { service: r.app });
      upstreams.push(u);
      const routing = versionRoutes(u, DEFAULT_VERSION_HEADER, r.app);
      virtualHosts.push({ name: r.app, domains: r.hosts, routes: routing.routes });
      clusters.push(...routing.clusters);
    }
    const other = await startUpstreams([UNOWNED], { service: UNOWNED });
    upstreams.push(other);
    const { httpPort, grpcPort } = other.byVersion.get(UNOWNED)!;
    virtualHosts.push({
      name: UNOWNED,
      domains: ["*"],
      routes: [
        { name: `${UNOWNED}-grpc`, grpcOnly: true, cluster: `${UNOWNED}-grpc` },
        { name: `${UNOWNED}-http`, cluster: `${UNOWNED}-http` },
      ],
    });
    clusters.push({ name: `${UNOWNED}-grpc`, port: grpcPort, http2: true }, { name: `${UNOWNED}-http`, port: httpPort, http2: false });
    envoy = await startEnvoy({
      routing: { virtualHosts, clusters },
      pluginConfig: plugins[0]!,
      morePluginConfigs: plugins.slice(1),
      runtime: e2eRuntime(),
    });
  });

  afterAll(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await envoy?.stop();
    await Promise.allSettled(upstreams.map((u) => u.stop()));
  });

  const client = (protocol: Protocol, authority: string) => {
    const c = openClient(protocol, envoy!.url, DEFAULT_VERSION_HEADER, { authority });
    clients.push(c);
    return c;
  };
  const count = (service: string | undefined) => answered.set(service ?? "", (answered.get(service ?? "") ?? 0) + 1);

  for (const protocol of PROTOCOLS) {
    for (const r of SHARED_RELEASES) {
      describe(`${protocol} to ${r.namespace}/${r.app} (${r.authority})`, () => {
        for (const row of rowsFor(protocol)) {
          const version = expectedVersion(r, row.sent);
          it(`${row.name}: ${JSON.stringify(row.sent).slice(0, 40)} -> ${version}`, async () => {
            const answer = await client(protocol, r.authority).send(row.sent);
            count(answer.service);
            expect(answer).toEqual({ status: OK[protocol], service: r.app, version, received: [version], served: version });
          });
        }
      });
    }

    describe(`${protocol}: the cases of one service that the others would decide differently`, () => {
      it.each(CROSS_CASES)("$why", async ({ to, sent, extra, version }) => {
        const answer = await client(protocol, to.authority).send(sent, { extra });
        count(answer.service);
        expect(answer).toMatchObject({ status: OK[protocol], service: to.app, version, received: [version] });
      });

      it.each(UNOWNED_CASES)("a host no release owns passes untouched: $why", async ({ sent }) => {
        const answer = await client(protocol, UNOWNED_HOST).send(sent);
        count(answer.service);
        expect(answer).toMatchObject({ status: OK[protocol], service: UNOWNED, version: UNOWNED });
        // As sent: gRPC's metadata hands a repeated header to the server as one comma-joined value.
        expect(answer.received?.join(", ")).toBe(sent.join(", "));
      });
    });
  }

  it("counts each service's requests in its own series, once each, and nothing for the host no release owns", async () => {
    // The filter hands its counts to Envoy on a 1 s tick.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const text = (await adminGet(envoy!.adminUrl, "/stats/prometheus")).body;
    const series = [...text.matchAll(/^version_router_requests_total\{([^}]*)\} (\d+)$/gm)].map(([, labels, n]) => ({
      labels: labels!,
      service: /service="([^"]*)"/.exec(labels!)?.[1],
      n: Number(n),
    }));
    expect(series.length).toBeGreaterThan(0);
    expect(series.filter((s) => s.service === undefined)).toEqual([]);
    for (const r of SHARED_RELEASES) {
      const counted = series.filter((s) => s.service === `${r.namespace}/${r.app}`).reduce((sum, s) => sum + s.n, 0);
      expect(counted, `${r.namespace}/${r.app}`).toBe(answered.get(r.app));
    }
    expect(answered.get(UNOWNED)).toBe(PROTOCOLS.length * UNOWNED_CASES.length);
    expect(
      series
        .map((s) => s.service)
        .filter((s, i, all) => all.indexOf(s) === i)
        .sort(),
    ).toEqual(SHARED_RELEASES.map((r) => `${r.namespace}/${r.app}`).sort());
  });

  itLogsNoErrors(() => envoy!);
});
