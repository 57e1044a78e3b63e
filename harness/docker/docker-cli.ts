import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { suitesEnabled } from "../suite-gate.js";

const exec = promisify(execFile);

/** Runs the docker CLI; rejects with its stderr on failure. */
export async function docker(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await exec("docker", args, { timeout: options.timeoutMs ?? 300_000, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export async function dockerAnswers(): Promise<boolean> {
  return docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 10_000 }).then(
    () => true,
    () => false,
  );
}

export async function imageExists(image: string): Promise<boolean> {
  return docker(["image", "inspect", image], { timeoutMs: 30_000 }).then(
    () => true,
    () => false,
  );
}

/** Whether suites that need Docker run here (see suitesEnabled). */
export async function dockerSuitesEnabled(): Promise<boolean> {
  return suitesEnabled("Docker", await dockerAnswers(),
    "no Docker engine answers ('docker version' failed): start one, or run .ci/run, which starts its own");
}
