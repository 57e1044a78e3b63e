// Runs Envoy in a container through testcontainers, with host networking: the admin
// port is chosen up front, everything listens on 127.0.0.1, and the run directory
// (bootstrap, filter.wasm) is mounted read-only.
import { execFileSync } from "node:child_process";
import type { StartedTestContainer, WaitStrategy } from "testcontainers";
import { envoyImage } from "../docker/images.js";
import { registerForExit } from "../process/process-registry.js";
import { EnvoyStartError } from "./envoy-start-error.js";
import { type LaunchedEnvoy, lineCollector, READY_TIMEOUT_MS, waitUntilReady } from "./launched-envoy.js";
import { CONTAINER_RUN_DIR } from "./run-dir.js";

/**
 * Host networking only: the engine runs with --bridge=none, so testcontainers must not look
 * for a bridge gateway, and its reaper image cannot be pulled here; the harness removes its
 * own containers instead (see launchEnvoyContainer's stop). testcontainers reads these when
 * it first connects, so they are set before the first container, not on import.
 */
function hostNetworkingOnly(): void {
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
}

/** testcontainers' HTTP wait needs mapped ports, which host networking has none of. */
class AdminReady implements WaitStrategy {
  private timeoutMs = READY_TIMEOUT_MS;
  constructor(
    private readonly adminUrl: string,
    private readonly logLines: string[],
  ) {}
  async waitUntilReady(container: { inspect(): Promise<{ State: { Running: boolean } }> }): Promise<void> {
    let running = true;
    await waitUntilReady(
      async () => {
        running = (await container.inspect()).State.Running;
        return this.adminUrl;
      },
      () => !running,
      this.logLines,
    );
  }
  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    return this;
  }
  isStartupTimeoutSet(): boolean {
    return true;
  }
  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

export async function launchEnvoyContainer(hostRunDir: string, adminPort: number, args: readonly string[]): Promise<LaunchedEnvoy> {
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const logLines: string[] = [];
  const collector = lineCollector(logLines);
  let container: StartedTestContainer | undefined;
  hostNetworkingOnly();
  try {
    // Loaded here, not on import: testcontainers installs signal handlers when it loads.
    const { GenericContainer } = await import("testcontainers");
    container = await new GenericContainer(envoyImage())
      .withNetworkMode("host")
      .withBindMounts([{ source: hostRunDir, target: CONTAINER_RUN_DIR, mode: "ro" }])
      .withCommand([...args])
      .withLogConsumer((stream) => {
        stream.on("data", collector.push);
        stream.on("end", collector.end);
      })
      .withWaitStrategy(new AdminReady(adminUrl, logLines))
      .start();
  } catch (err) {
    if (err instanceof EnvoyStartError) throw err;
    throw new EnvoyStartError(`Envoy container ${envoyImage()} did not start: ${(err as Error).message}`, logLines);
  }
  const started = container;
  // No reaper runs (see hostNetworkingOnly): a test run that ends without stop() removes it.
  const unregister = registerForExit(() => execFileSync("docker", ["rm", "--force", started.getId()], { stdio: "ignore" }));
  return {
    adminUrl,
    logLines,
    stop: async () => {
      await started.stop({ remove: true, timeout: 5_000 });
      unregister();
    },
  };
}
