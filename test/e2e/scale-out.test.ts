// A gateway scales out: several gateway pods, and several worker threads in each, every one with
// a VM of its own. A sticky key must get the same version from any of them: the choice is a
// hash of the key, not state a VM keeps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openClient } from "../../harness/clients/version-client.js";
import type { Envoy } from "../../harness/envoy/start-envoy.js";
import { weightedVersion } from "../../harness/reference-model.js";
import { E2E, startVersionEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];
const WEIGHTS = { v1: 50, v2: 30, v3: 20 };
const CONFIG = { versions: VERSIONS, stickyBy: { header: "x-user-id" }, canary: { weights: WEIGHTS } };
const KEYS = Array.from({ length: 120 }, (_, i) => `user-${i}`);

describe.runIf(E2E)("the same sticky key gets the same version from every gateway and worker", () => {
  const started: Array<Awaited<ReturnType<typeof startVersionEnvoy>>> = [];
  const envoys = () => started.map((s) => s.envoy);

  beforeAll(async () => {
    // Two gateway instances with one worker each, and one with four.
    for (const workers of [1, 1, 4]) started.push(await startVersionEnvoy({ versions: VERSIONS, pluginConfig: CONFIG, workers }));
  });

  afterAll(async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
  });

  /** One request with this key on a connection of its own, so the kernel picks the worker anew. */
  async function versionFor(envoy: Envoy, key: string): Promise<string | undefined> {
    const c = openClient("http1", envoy.url);
    try {
      return (await c.send([], { extra: { "x-user-id": key } })).version;
    } finally {
      await c.close();
    }
  }

  it(`${KEYS.length} keys, each on a new connection to each of three Envoys: one version per key, the model's`, async () => {
    for (const key of KEYS) {
      const answers = [];
      for (const envoy of envoys()) answers.push(await versionFor(envoy, key));
      expect(answers, key).toEqual(envoys().map(() => weightedVersion(VERSIONS, WEIGHTS, key)));
    }
  });

  it("the four-worker Envoy served those connections on more than one worker", async () => {
    const envoy = envoys()[2]!;
    // The listener binds port 0 (the kernel picks one), and its stats say so.
    const stats = await envoy.stats("^listener\\.127\\.0\\.0\\.1_0\\.worker_\\d+\\.downstream_cx_total$");
    const perWorker = [...stats.values()];
    expect(perWorker).toHaveLength(4);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(KEYS.length);
    expect(perWorker.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it("Envoy logged no crash and no Wasm error", () => {
    for (const envoy of envoys()) expect(envoy.errors()).toEqual([]);
  });
});
