// make soak: mixed traffic through Envoy at a steady rate for SOAK_SECONDS (default 120):
// all three protocols; valid, missing, invalid, repeated, 32 KiB and random header values.
// Every answer is checked against the decision table; Envoy's resident memory and the
// filter's linear memory must stay flat after warm-up. Writes build/soak.json.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { openClient, PROTOCOLS, type Protocol } from "../clients/version-client.js";
import { type Envoy, startEnvoy } from "../envoy/start-envoy.js";
import { versionRoutes } from "../envoy/version-routes.js";
import { wireHeaderValue } from "../fuzz/header-values.js";
import { PROJECT_ROOT } from "../paths.js";
import { tableVersion } from "../reference-model.js";
import { startUpstreams } from "../upstreams/start-upstreams.js";
import { DEFAULT_VERSION_HEADER } from "../version-header.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const RATE = Number(process.env.SOAK_RATE ?? 300);
const VERSIONS = ["v1", "v2", "v3"];
const DEFAULT = "v1";
const WARM_UP_S = Math.max(10, SECONDS * 0.2);
/** Allowed growth of Envoy's resident memory after warm-up. */
const RSS_BOUND = 8 * 2 ** 20;

interface Case {
  name: string;
  values: () => string[];
  protocols: readonly Protocol[];
}

const randomValue = (ascii: boolean) => {
  const arb = wireHeaderValue(VERSIONS, ascii);
  return () => [fc.sample(arb, 1)[0]!];
};

const CASES: Case[] = [
  { name: "valid", values: () => ["v2"], protocols: PROTOCOLS },
  { name: "missing", values: () => [], protocols: PROTOCOLS },
  { name: "invalid", values: () => ["nope"], protocols: PROTOCOLS },
  { name: "wrong case", values: () => ["V3"], protocols: PROTOCOLS },
  { name: "repeated", values: () => ["v3", "v3"], protocols: PROTOCOLS },
  { name: "repeated, conflicting", values: () => ["v2", "v3"], protocols: PROTOCOLS },
  { name: "32 KiB", values: () => [`v2${"x".repeat(32 * 1024 - 2)}`], protocols: PROTOCOLS },
  { name: "random bytes", values: randomValue(false), protocols: ["http1", "http2"] },
  { name: "random ASCII", values: randomValue(true), protocols: ["grpc"] },
];

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

async function wasmBytes(envoy: Envoy): Promise<number> {
  return (await envoy.stats("^wasmcustom\\.version_router\\.wasm_memory_bytes$")).get("wasmcustom.version_router.wasm_memory_bytes") ?? -1;
}

async function main(): Promise<void> {
  const upstreams = await startUpstreams(VERSIONS);
  const envoy = await startEnvoy({
    routing: versionRoutes(upstreams, DEFAULT_VERSION_HEADER),
    runtime: "process",
    pluginConfig: { versions: VERSIONS, default: DEFAULT },
  });
  const counts = { sent: 0, ok: 0, wrong: 0, failed: 0 };
  const problems: string[] = [];
  const samples: Array<{ t: number; rss: number; wasm: number }> = [];
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  try {
    const worker = async (protocol: Protocol) => {
      const client = openClient(protocol, envoy.url);
      const cases = CASES.filter((c) => c.protocols.includes(protocol));
      const interval = (1000 * PROTOCOLS.length) / RATE;
      try {
        for (let i = 0; Date.now() < deadline; i++) {
          const due = started + i * interval;
          if (due > Date.now()) await sleep(due - Date.now());
          const c = cases[i % cases.length]!;
          const values = c.values();
          const expected = tableVersion(VERSIONS, DEFAULT, values);
          counts.sent++;
          try {
            const answer = await client.send(values);
            if (
              answer.version === expected &&
              answer.served === expected &&
              answer.received?.length === 1 &&
              answer.received[0] === expected
            ) {
              counts.ok++;
            } else {
              counts.wrong++;
              if (problems.length < 20)
                problems.push(`${protocol} ${c.name} ${JSON.stringify(values).slice(0, 60)}: ${JSON.stringify(answer)}`);
            }
          } catch (err) {
            counts.failed++;
            if (problems.length < 20) problems.push(`${protocol} ${c.name}: ${(err as Error).message}`);
          }
        }
      } finally {
        await client.close();
      }
    };
    const sampler = async () => {
      while (Date.now() < deadline) {
        samples.push({ t: (Date.now() - started) / 1000, rss: await rssBytes(envoy.pid!), wasm: await wasmBytes(envoy) });
        await sleep(Math.min(5_000, Math.max(0, deadline - Date.now())));
      }
      samples.push({ t: (Date.now() - started) / 1000, rss: await rssBytes(envoy.pid!), wasm: await wasmBytes(envoy) });
    };
    await Promise.all([...PROTOCOLS.map(worker), sampler()]);

    const stats = await envoy.stats("^http\\.ingress\\.downstream_(rq_5xx|rq_rx_reset|rq_tx_reset|cx_destroy_remote_active_rq)$");
    const stat = (name: string) => stats.get(`http.ingress.${name}`) ?? 0;
    const afterWarmUp = samples.find((s) => s.t >= WARM_UP_S) ?? samples[0]!;
    const last = samples.at(-1)!;
    const rssGrowth = last.rss - afterWarmUp.rss;
    const wasmGrowth = last.wasm - afterWarmUp.wasm;
    const errors = envoy.errors();
    const summary = {
      seconds: SECONDS,
      rate_per_s: RATE,
      requests: counts.sent,
      ok: counts.ok,
      wrong_version: counts.wrong,
      failed: counts.failed,
      envoy_5xx: stat("downstream_rq_5xx"),
      envoy_resets: stat("downstream_rq_rx_reset") + stat("downstream_rq_tx_reset"),
      wasm_errors: errors.length,
      rss_after_warm_up: afterWarmUp.rss,
      rss_end: last.rss,
      rss_growth: rssGrowth,
      rss_bound: RSS_BOUND,
      wasm_memory_after_warm_up: afterWarmUp.wasm,
      wasm_memory_end: last.wasm,
      samples,
      problems,
    };
    await mkdir(join(PROJECT_ROOT, "build"), { recursive: true });
    await writeFile(join(PROJECT_ROOT, "build/soak.json"), `${JSON.stringify(summary, null, 2)}\n`);
    const pass =
      counts.wrong === 0 &&
      counts.failed === 0 &&
      summary.envoy_5xx === 0 &&
      summary.envoy_resets === 0 &&
      errors.length === 0 &&
      rssGrowth <= RSS_BOUND &&
      wasmGrowth === 0 &&
      last.wasm > 0;
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    console.log(
      `soak ${pass ? "PASSED" : "FAILED"}: ${SECONDS} s at ${RATE} req/s, ${counts.sent} requests, ${counts.ok} as the table says, ` +
        `${counts.wrong} wrong, ${counts.failed} failed, ${summary.envoy_5xx} 5xx, ${summary.envoy_resets} resets, ${errors.length} Wasm errors; ` +
        `Envoy RSS ${mib(afterWarmUp.rss)} -> ${mib(last.rss)} MiB after warm-up (bound +${mib(RSS_BOUND)}), ` +
        `Wasm memory ${afterWarmUp.wasm} -> ${last.wasm} bytes`,
    );
    for (const p of problems) console.log(`  ${p}`);
    for (const e of errors.slice(0, 10)) console.log(`  ${e}`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    await envoy.stop();
    await upstreams.stop();
  }
}

await main();
