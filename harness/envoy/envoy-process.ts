// Runs Envoy as a local process (the embedded default).
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { registerForExit } from "../process/process-registry.js";
import { envoyBinary } from "./envoy-binary.js";
import { type LaunchedEnvoy, lineCollector, waitUntilReady } from "./launched-envoy.js";

/**
 * Starts Envoy with `args` plus an admin address file in `dir`, and waits until it is ready.
 * `cwd`: Envoy's working directory, for a bootstrap with relative paths (Istio's).
 */
export async function launchEnvoyProcess(dir: string, args: readonly string[], cwd?: string): Promise<LaunchedEnvoy> {
  const addressFile = join(dir, "admin-address");
  const child = spawn(envoyBinary(), [...args, "--admin-address-path", addressFile], {
    stdio: ["ignore", "pipe", "pipe"],
    ...(cwd ? { cwd } : {}),
  });
  // A test worker or script that ends, or is told to end, must not leave Envoys behind.
  const unregister = registerForExit(() => child.kill("SIGKILL"));
  const logLines: string[] = [];
  const collector = lineCollector(logLines);
  child.stdout!.on("data", collector.push);
  child.stderr!.on("data", collector.push);
  let gone = false;
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      gone = true;
      collector.end();
      unregister();
      resolve();
    };
    child.on("exit", done);
    child.on("error", (err) => {
      logLines.push(`failed to start ${envoyBinary()}: ${err.message}`);
      done();
    });
  });
  const stop = async () => {
    if (!gone) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const adminUrl = await waitUntilReady(
      async () => {
        const address = (await readFile(addressFile, "utf8").catch(() => "")).trim();
        return address ? `http://${address}` : undefined;
      },
      () => gone,
      logLines,
    );
    return { adminUrl, logLines, stop, ...(child.pid !== undefined ? { pid: child.pid } : {}) };
  } catch (err) {
    await stop();
    throw err;
  }
}
