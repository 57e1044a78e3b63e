// One load run with h2load (Debian's nghttp2-client) in its own process, so the load
// generator never shares an event loop with anything it measures.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export interface LoadSpec {
  url: string;
  path: string;
  /** The :authority (Host) the requests name, when it is not the URL's: h2load connects to the URL's address. */
  authority?: string;
  protocol: "http1" | "http2" | "grpc";
  headers: readonly string[];
  requests: number;
  /** gRPC only: the framed request message. */
  bodyFile?: string;
}

export interface RunResult {
  rps: number;
  p50_us: number;
  p99_us: number;
  failed: number;
}

/** Connections and streams per connection: fixed per protocol, the same for every scenario. */
export const CONCURRENCY = {
  http1: { clients: 32, streams: 1 },
  http2: { clients: 8, streams: 16 },
  grpc: { clients: 8, streams: 16 },
} as const;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** H2LOAD_BIN (the Makefile's build in .tools/), else h2load on PATH. */
function h2loadBinary(): string {
  return process.env.H2LOAD_BIN || "h2load";
}

export async function runH2load(spec: LoadSpec): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), "h2load-"));
  try {
    const log = join(dir, "requests.log");
    const { clients, streams } = CONCURRENCY[spec.protocol];
    const args = ["-n", String(spec.requests), "-c", String(clients), "-m", String(streams), "-t", "1", "--log-file", log];
    if (spec.protocol === "http1") args.push("--h1");
    if (spec.protocol === "grpc") args.push("-d", spec.bodyFile!, "-H", "content-type: application/grpc", "-H", "te: trailers");
    for (const header of spec.headers) args.push("-H", header);
    let uri = spec.url + spec.path;
    if (spec.authority) {
      args.push("--connect-to", new URL(spec.url).host);
      uri = `http://${spec.authority}${spec.path}`;
    }
    // The load generator gets core 0; the bench pins Envoy to core 1.
    const { stdout } = await exec("taskset", ["-c", "0", h2loadBinary(), ...args, uri], { maxBuffer: 16 * 1024 * 1024 });
    const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout)?.[1]);
    const succeeded = Number(/(\d+) succeeded/.exec(stdout)?.[1]);
    const lines = (await readFile(log, "utf8")).trim().split("\n");
    const latencies = Float64Array.from(lines.map((line) => Number(line.split("\t")[2]))).sort();
    const ok2xx = Number(/status codes: (\d+) 2xx/.exec(stdout)?.[1]);
    if (!Number.isFinite(rps)) throw new Error(`h2load gave no rate:\n${stdout}`);
    return {
      rps,
      p50_us: percentile(latencies, 50),
      p99_us: percentile(latencies, 99),
      failed: spec.requests - Math.min(succeeded, ok2xx),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
