// startRealUpstream: the realistic scenario's upstream servers in their own process, on the
// load generator's core (0), so Envoy keeps core 1 to itself and its CPU time stays its own.
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { spawnService } from "../process/service-process.js";

export interface RealUpstream {
  ports: { http1: number; http2: number; grpc: number };
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("./real-upstream-main.ts", import.meta.url));

export async function startRealUpstream(): Promise<RealUpstream> {
  const service = spawnService("bench-upstream", "taskset", ["-c", "0", process.execPath, "--import", "tsx", MAIN]);
  for (let waited = 0; waited < 20_000; waited += 50) {
    const line = service.logs().find((l) => l.startsWith("{"));
    if (line) return { ports: JSON.parse(line) as RealUpstream["ports"], stop: () => service.stop() };
    if (service.gone()) break;
    await sleep(50);
  }
  await service.stop();
  throw new Error(`bench upstream did not start (${service.exitReason() ?? "timed out"}):\n${service.logs().join("\n")}`);
}
