// A test run that is told to end (SIGTERM or SIGINT, as vitest and CI end a worker) leaves
// nothing behind: every child process and container the harness started registered for it
// (harness/process/process-registry.ts), and goes with it.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { E2E } from "./with-envoy.js";

const SCRIPT = fileURLToPath(new URL("../support/start-and-wait.ts", import.meta.url));

interface Started {
  envoyPid: number | null;
  adminUrl: string;
  servicePid: number;
}

/** Whether the process runs (a killed one whose parent is gone may linger as a zombie until reaped: not running). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

async function startRun(): Promise<{ child: ChildProcess; started: Started }> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  let out = "";
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    const line = out.split("\n").find((l) => l.startsWith("{"));
    if (line) return { child, started: JSON.parse(line) as Started };
  }
  throw new Error(`the run ended before it started anything: ${out}`);
}

describe.runIf(E2E)("a test run that is told to end", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s leaves no Envoy and no service process behind",
    async (signal) => {
      const { child, started } = await startRun();
      expect(alive(started.servicePid)).toBe(true);
      if (started.envoyPid !== null) expect(alive(started.envoyPid)).toBe(true);
      expect((await fetch(`${started.adminUrl}/ready`)).status).toBe(200);
      const exited = once(child, "exit");
      child.kill(signal);
      const [, how] = (await exited) as [number | null, NodeJS.Signals | null];
      expect(how).toBe(signal);
      // SIGKILL, sent on the way out, takes effect a moment later.
      await vi.waitFor(() => {
        expect(alive(started.servicePid)).toBe(false);
        if (started.envoyPid !== null) expect(alive(started.envoyPid)).toBe(false);
      });
      // Nothing answers where its Envoy (process or container) was.
      await expect(fetch(`${started.adminUrl}/ready`)).rejects.toThrow();
    },
    60_000,
  );
});
