import { setTimeout as sleep } from "node:timers/promises";
import { adminGet } from "./admin.js";
import { EnvoyStartError } from "./envoy-start-error.js";

/** An Envoy that answers on its admin port, however it runs. */
export interface LaunchedEnvoy {
  adminUrl: string;
  /** Every line Envoy logged so far. */
  logLines: string[];
  /** The Envoy process id, when it runs as a local process. */
  pid?: number;
  stop(): Promise<void>;
}

export const READY_TIMEOUT_MS = 30_000;

/** Polls the admin /ready until it answers 200, Envoy is gone, or time runs out. */
export async function waitUntilReady(
  adminUrl: () => Promise<string | undefined>,
  gone: () => boolean,
  logLines: string[],
): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !gone()) {
    const url = await adminUrl();
    if (url) {
      const ready = await adminGet(url, "/ready").catch(() => undefined);
      if (ready?.status === 200) return url;
    }
    await sleep(50);
  }
  throw new EnvoyStartError(gone() ? "Envoy exited during start-up" : "Envoy was not ready in time", logLines);
}

/** Appends each complete line of a stream of chunks to `lines`. */
export function lineCollector(lines: string[]): { push(chunk: Buffer | string): void; end(): void } {
  let partial = "";
  return {
    push(chunk) {
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
    },
    end() {
      if (partial) lines.push(partial);
      partial = "";
    },
  };
}
