// startPrometheus: the pinned Prometheus on loopback, in a fresh temporary directory,
// scraping the given targets every second and evaluating the given rule files; queries go
// through its HTTP API, as Grafana's and Flagger's do.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort } from "../process/free-port.js";
import { type ServiceProcess, spawnService, waitUntil } from "../process/service-process.js";

export interface ScrapeTarget {
  job: string;
  /** e.g. http://127.0.0.1:15090/stats/prometheus */
  url: string;
}

export interface PrometheusOptions {
  binary: string;
  targets: readonly ScrapeTarget[];
  /** Rule files' contents (`groups:` YAML). */
  rules?: readonly string[];
  intervalSeconds?: number;
}

/** One series of an instant query's result. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Prometheus {
  url: string;
  process: ServiceProcess;
  /** An instant query now; throws with Prometheus's error if it rejects the expression. */
  query(expr: string): Promise<Sample[]>;
  /** Alerts in the pending or firing state, with their labels. */
  alerts(): Promise<Array<{ labels: Record<string, string>; state: string }>>;
  /** The alerting rules Prometheus loaded: each one's name and state (inactive, pending or firing). */
  alertingRules(): Promise<Array<{ name: string; state: string; query: string }>>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-prometheus-"));
  const interval = `${options.intervalSeconds ?? 1}s`;
  const ruleFiles = (options.rules ?? []).map((_, i) => join(dir, `rules-${i}.yaml`));
  await Promise.all((options.rules ?? []).map((text, i) => writeFile(ruleFiles[i] as string, text)));
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: ruleFiles,
    scrape_configs: options.targets.map(({ job, url }) => {
      const { host, pathname } = new URL(url);
      return { job_name: job, metrics_path: pathname, static_configs: [{ targets: [host] }] };
    }),
  };
  await writeFile(join(dir, "prometheus.yml"), stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = spawnService("prometheus", options.binary, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
  ]);
  const stop = async () => {
    await process.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil("Prometheus ready", async () => ((await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined), {
      process,
      timeoutMs: 30_000,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}/api/v1/${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus ${path}: ${body.error ?? body.status}`);
    return body.data;
  };
  return {
    url,
    process,
    query: async (expr) => {
      const data = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
        `query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map(({ metric, value }) => ({ labels: metric, value: Number(value[1]) }));
    },
    alerts: async () => (await api<{ alerts: Array<{ labels: Record<string, string>; state: string }> }>("alerts")).alerts,
    alertingRules: async () =>
      (
        await api<{ groups: Array<{ rules: Array<{ type: string; name: string; state: string; query: string }> }> }>("rules?type=alert")
      ).groups.flatMap((g) => g.rules.map(({ name, state, query }) => ({ name, state, query }))),
    stop,
  };
}
