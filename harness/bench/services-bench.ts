// make bench, the shared gateway: one listener in front of many services, as an ingress gateway
// many teams share. N services (1, 4, 16), each with a host of its own and the bench's versions,
// Envoy answering itself; requests spread evenly over the services, plus requests for a host no
// service owns. Measured with no filter, with a filter per release (N filters in the chain, each
// on a VM of its own, as Istio runs one WasmPlugin per release), and with the shared layout (one
// filter holding the N services).
import type { VirtualHostSpec } from "../envoy/bootstrap.js";
import { type Envoy, startEnvoy } from "../envoy/start-envoy.js";
import { BENCH_DEFAULT, BENCH_VERSIONS, benchPath, directRoutes, pinToCore1 } from "./bench-envoy.js";
import { CASES, type Case, type Measurement, type Protocol } from "./bench-table.js";
import { cpuNanoseconds } from "./envoy-cpu.js";
import { runH2load } from "./h2load.js";

export const SERVICE_COUNTS = [1, 4, 16] as const;
export const LAYOUTS = ["no-filter", "per-release", "shared"] as const;
export type Layout = (typeof LAYOUTS)[number];
/** What the shared-gateway part measures: HTTP/2, a valid version header and none. */
export const SERVICES_PROTOCOL: Protocol = "http2";
export const SERVICES_CASES: readonly Case[] = ["valid", "missing"];

export interface ServicesConfig {
  layout: Layout;
  services: number;
}

export const servicesKey = (c: ServicesConfig) => `services/${c.layout}/${c.services}`;

export interface ServicesScenario {
  config: ServicesConfig;
  case: Case;
  rounds: Measurement[];
}

export const SERVICES_CONFIGS: readonly ServicesConfig[] = LAYOUTS.flatMap((layout) =>
  SERVICE_COUNTS.map((services) => ({ layout, services })),
);

/** One run of h2load per host: 16 named for the services (host i goes to service i mod N), and one no service owns. */
const HOSTS = [...Array.from({ length: 16 }, (_, i) => i), -1];
const serviceHost = (i: number) => `s${i}.bench.test`;
const UNOWNED_HOST = "nobody.bench.test";

function serviceConfig(i: number): object {
  return { service: `bench/s${i}`, hosts: [serviceHost(i)], versions: BENCH_VERSIONS, default: BENCH_DEFAULT };
}

function virtualHosts(services: number): VirtualHostSpec[] {
  const hosts: VirtualHostSpec[] = Array.from({ length: services }, (_, i) => ({
    name: `s${i}`,
    domains: [serviceHost(i)],
    routes: directRoutes(),
  }));
  hosts.push({ name: "unowned", domains: ["*"], routes: [{ name: "any", directResponse: { status: 200, body: "unowned" } }] });
  return hosts;
}

/** Envoy on core 1 with N services' virtual hosts and the layout's filters. */
export async function startServicesEnvoy(config: ServicesConfig): Promise<Envoy> {
  const configs = Array.from({ length: config.services }, (_, i) => serviceConfig(i));
  const filter =
    config.layout === "no-filter"
      ? { filter: "none" as const }
      : config.layout === "shared"
        ? { pluginConfig: { services: configs } }
        : { pluginConfig: configs[0]!, morePluginConfigs: configs.slice(1) };
  const envoy = await startEnvoy({ runtime: "process", routing: { virtualHosts: virtualHosts(config.services), clusters: [] }, ...filter });
  pinToCore1(envoy);
  return envoy;
}

/** One measurement: `requests` spread over every host in turn, Envoy's CPU over all of them. */
export async function measureSpread(
  envoy: Envoy,
  config: ServicesConfig,
  c: Case,
  requests: number,
  bodyFile: string,
): Promise<Measurement> {
  const perHost = Math.ceil(requests / HOSTS.length);
  const before = await cpuNanoseconds(envoy.pid!);
  const started = performance.now();
  const runs = [];
  for (const i of HOSTS) {
    const authority = i < 0 ? UNOWNED_HOST : serviceHost(i % config.services);
    const result = await runH2load({
      url: envoy.url,
      path: benchPath(SERVICES_PROTOCOL),
      protocol: SERVICES_PROTOCOL,
      headers: CASES[c],
      requests: perHost,
      bodyFile,
      authority,
    });
    if (result.failed > 0) throw new Error(`${servicesKey(config)} ${c} ${authority}: ${result.failed} of ${perHost} requests failed`);
    runs.push(result);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await cpuNanoseconds(envoy.pid!)) - before;
  const total = perHost * HOSTS.length;
  const byP99 = [...runs].sort((a, b) => a.p99_us - b.p99_us);
  const middle = byP99[Math.floor(byP99.length / 2)]!;
  return { rps: total / seconds, p50_us: middle.p50_us, p99_us: middle.p99_us, cpu_us_per_request: cpu / 1000 / total };
}
