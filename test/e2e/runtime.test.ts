// The suites really run where the project says: a local Envoy process, or a container.
import { describe, expect, it } from "vitest";
import { docker } from "../../harness/docker/docker-cli.js";
import { envoyImage } from "../../harness/docker/images.js";
import { adminGet } from "../../harness/envoy/admin.js";
import { installedEnvoyVersion } from "../../harness/envoy/envoy-binary.js";
import { e2eRuntime } from "../support/suite-gates.js";
import { E2E, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

describe.runIf(E2E)(`Envoy runtime (${e2eRuntime()})`, () => {
  const { envoy } = withEnvoy({ versions: ["v1"] });

  // The Makefile pins the release and exports it; outside make, the installed binary is the pin.
  const release = process.env.ENVOY_VERSION || installedEnvoyVersion();

  it(`runs as the project asks, the released ${release} build with the V8 Wasm runtime`, async () => {
    expect(envoy().runtime).toBe(e2eRuntime());
    const info = JSON.parse((await adminGet(envoy().adminUrl, "/server_info")).body) as { version: string; state: string };
    expect(info.version).toContain(`/${release}/Clean/RELEASE/`);
    expect(info.state).toBe("LIVE");
    if (envoy().runtime === "docker") {
      const running = await docker(["ps", "--filter", `ancestor=${envoyImage()}`, "--format", "{{.Image}} {{.Status}}"]);
      expect(running).toContain(envoyImage());
    }
  });

  itLogsNoErrors(envoy);
});
