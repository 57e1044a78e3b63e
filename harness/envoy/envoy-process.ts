// Runs Envoy as a local process and collects its log.
import { spawn, type ChildProcess } from "node:child_process";
import { envoyBinary } from "./envoy-binary.js";

export interface RunningEnvoy {
  /** Every line Envoy logged so far. */
  readonly logLines: string[];
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
// A test worker that dies must not leave Envoys behind.
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export function runEnvoyProcess(args: readonly string[]): RunningEnvoy {
  const child = spawn(envoyBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  const logLines: string[] = [];
  let partial = "";
  const collect = (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    logLines.push(...lines);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      if (partial) logLines.push(partial);
      live.delete(child);
      resolve(code);
    });
    child.on("error", (err) => {
      logLines.push(`failed to start ${envoyBinary()}: ${err.message}`);
      live.delete(child);
      resolve(null);
    });
  });
  return {
    logLines,
    exited,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
