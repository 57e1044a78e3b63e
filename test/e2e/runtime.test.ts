// The suites really run where the project says: a local Envoy process, or a container.
import { describe, expect, it } from "vitest";
import { docker } from "../../harness/docker/docker-cli.js";
import { envoyImage } from "../../harness/docker/images.js";
import { adminGet } from "../../harness/envoy/admin.js";
import { defaultRuntime } from "../../harness/envoy/start-envoy.js";
import { ENVOY, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

describe.runIf(ENVOY)(`Envoy runtime (${defaultRuntime()})`, () => {
  const { envoy } = withEnvoy({ versions: ["v1"] });

  it("runs as the project asks, the released 1.40 build with the V8 Wasm runtime", async () => {
    expect(envoy().runtime).toBe(defaultRuntime());
    const info = JSON.parse((await adminGet(envoy().adminUrl, "/server_info")).body) as { version: string; state: string };
    expect(info.version).toMatch(/\/1\.40\.\d+\/Clean\/RELEASE\//);
    expect(info.state).toBe("LIVE");
    if (envoy().runtime === "docker") {
      const running = await docker(["ps", "--filter", `ancestor=${envoyImage()}`, "--format", "{{.Image}} {{.Status}}"]);
      expect(running).toContain(envoyImage());
    }
  });

  itLogsNoErrors(envoy);
});
