// The chart as the Istio suites install it: the value every install adds (the filter's image in
// the suites' registry), and one release with its version workloads for the enclosing describe.
import { afterAll, beforeAll } from "vitest";
import { type ChartRelease, installChart } from "../../harness/istio/chart-release.js";
import type { Istio } from "../../harness/istio/start-istio.js";
import type { VersionWorkloads } from "../../harness/istio/workloads.js";
import { FILTER_MODULE_URL } from "./istio-fixture.js";

/**
 * What every install here adds to the chart's defaults: the filter as a cluster gets it, an
 * oci:// image (build/filter.wasm's) in the suites' registry, which the gateway's istio-agent
 * pulls. Everything else is the chart's default, the Gateway on all addresses of the private
 * network namespace included.
 */
export const TEST_VALUES = { wasm: { url: FILTER_MODULE_URL } };

/** TEST_VALUES with more values merged in (objects deeply, anything else replaced). */
export function chartValues(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return merge(TEST_VALUES, extra);
}

function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface ChartReleaseOptions {
  namespace: string;
  versions: readonly string[];
  header?: string;
  /** The chart's app, which the workloads' labels follow; default grpcsvc. Given, the echo servers also report it as their service. */
  app?: string;
  /** The Helm release name; default the app. */
  release?: string;
  /** The last byte of the first version's loopback address (127.0.0.<n>); default 11. Releases side by side need their own. */
  firstAddress?: number;
  /** The hosts it binds on the gateway (gateway.hosts); default the chart's, "*". */
  hosts?: readonly string[];
}

/**
 * Version workloads and one release of the chart for the enclosing describe: deploy()
 * installs it the first time and upgrades it after, always with its app and hosts; uninstall()
 * removes it (and afterAll does, if it is still there), then the workloads stop.
 */
export function withChartRelease(
  istio: () => Istio,
  options: ChartReleaseOptions,
): {
  deploy(values: Record<string, unknown>): Promise<ChartRelease>;
  release(): ChartRelease;
  uninstall(): Promise<void>;
  /** The version workloads: their echo servers and the requests they got. */
  workloads(): VersionWorkloads;
} {
  const app = options.app ?? "grpcsvc";
  let workloads: VersionWorkloads | undefined;
  let release: ChartRelease | undefined;
  beforeAll(async () => {
    workloads = await istio().startWorkloads({
      namespace: options.namespace,
      app,
      ...(options.app ? { service: options.app } : {}),
      versions: options.versions,
      ...(options.header ? { header: options.header } : {}),
      ...(options.firstAddress ? { firstAddress: options.firstAddress } : {}),
    });
  }, 60_000);
  const uninstall = async () => {
    const installed = release;
    release = undefined;
    await installed?.uninstall();
  };
  afterAll(async () => {
    await uninstall();
    await workloads?.stop();
  }, 60_000);
  return {
    deploy: async (values) => {
      const withApp = { app, ...values, ...(options.hosts ? { gateway: { ...(values.gateway as object), hosts: options.hosts } } : {}) };
      if (release) await release.upgrade(withApp);
      else release = await installChart(istio(), { name: options.release ?? app, namespace: options.namespace, values: withApp });
      return release;
    },
    release: () => release ?? fail("the chart is not installed"),
    uninstall,
    workloads: () => workloads ?? fail("the workloads did not start"),
  };
}

function fail(message: string): never {
  throw new Error(message);
}
