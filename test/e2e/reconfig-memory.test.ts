// Each ECDS update starts a new root context on the same VM and deletes the old one: the
// module must free the old configuration, or every reconfiguration leaks it.
import { describe, expect, it, vi } from "vitest";
import { E2E, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2"];
const MEMORY = "wasmcustom.version_router.wasm_memory_bytes";

describe.runIf(E2E)("reconfiguration and the VM's memory", () => {
  const { envoy } = withEnvoy({ versions: VERSIONS, pluginDelivery: "ecds", pluginConfig: { versions: VERSIONS, default: "v1" } });

  it("150 live reconfigurations leave the module's memory where it was", async () => {
    const memory = async () => (await envoy().stats("wasm_memory_bytes")).get(MEMORY);
    const before = await vi.waitFor(async () => {
      const bytes = await memory();
      expect(bytes).toBeGreaterThan(0);
      return bytes!;
    });
    for (let i = 0; i < 150; i++) {
      const weights = { v1: 100 - (i % 100), v2: (i % 100) + 1 };
      expect(await envoy().updatePluginConfig({ versions: VERSIONS, default: "v1", canary: { weights } })).toBe(true);
    }
    // Without freeing replaced roots this grew by 64 KiB pages every ~30 updates (measured).
    await vi.waitFor(async () => expect(await memory()).toBe(before), { timeout: 5_000, interval: 200 });
  }, 120_000);

  itLogsNoErrors(envoy);
});
