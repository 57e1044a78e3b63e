// A long-running child process the harness owns: its output collected line by line, a
// stop that escalates from SIGTERM to SIGKILL, and a record of how it ended.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { registerForExit } from "./process-registry.js";

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number | undefined;
  /** Every line it printed so far (stdout and stderr). */
  logs(): string[];
  /** Whether it has exited. */
  gone(): boolean;
  /** Why it ended, once it has: exit code or signal. */
  exitReason(): string | undefined;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Lines kept; older ones are dropped (istiod is chatty). Default 20,000. */
  keepLines?: number;
  /**
   * A process group of its own, killed whole when it must be killed: for a process whose
   * children do not end with it (pilot-agent's Envoy). SIGTERM still goes to it alone.
   */
  processGroup?: boolean;
}

const STOP_GRACE_MS = 5_000;

export function spawnService(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ServiceProcess {
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: options.processGroup ?? false,
  });
  const kill = () => {
    if (options.processGroup && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
        return;
      } catch {
        // the group is gone already
      }
    }
    child.kill("SIGKILL");
  };
  const unregister = registerForExit(kill);
  const keep = options.keepLines ?? 20_000;
  const lines: string[] = [];
  let partial = "";
  const collect = (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.length > keep) lines.splice(0, lines.length - keep);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let reason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      unregister();
      reason = signal ? `killed by ${signal}` : `exit code ${code}`;
      if (partial) lines.push(partial);
      resolve();
    });
    child.on("error", (err) => {
      unregister();
      reason = `failed to start ${command}: ${err.message}`;
      lines.push(reason);
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid: child.pid,
    logs: () => [...lines],
    gone: () => reason !== undefined,
    exitReason: () => reason,
    stop: () =>
      (stopping ??= (async () => {
        if (reason !== undefined) return;
        child.kill("SIGTERM");
        const killed = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
        if (!killed) {
          kill();
          await exited;
        }
        // What it left behind in its group (a child it did not end) goes too, and is waited for.
        if (options.processGroup && child.pid !== undefined) {
          const group = -child.pid;
          const alive = () => {
            try {
              process.kill(group, 0);
              return true;
            } catch {
              return false;
            }
          };
          if (alive()) process.kill(group, "SIGKILL");
          for (let i = 0; i < 100 && alive(); i++) await sleep(50);
        }
      })()),
  };
}

/** Polls `ready` until it returns a value, the process is gone, or time runs out. */
export async function waitUntil<T>(
  what: string,
  ready: () => Promise<T | undefined>,
  options: { timeoutMs: number; process?: ServiceProcess; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (options.process?.gone()) {
      const tail = options.process.logs().slice(-30).join("\n");
      throw new Error(`${options.process.name} ended (${options.process.exitReason()}) before ${what}:\n${tail}`);
    }
    try {
      const value = await ready();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(options.intervalMs ?? 100);
  }
  const tail = options.process ? `\n${options.process.logs().slice(-30).join("\n")}` : "";
  const last = lastError ? ` (last error: ${(lastError as Error).message})` : "";
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${last}${tail}`);
}
