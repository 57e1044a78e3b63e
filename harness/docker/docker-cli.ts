import { execFile } from "node:child_process";
import { promisify } from "node:util";

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
