// A bad plugin configuration: proxy_on_configure returns false, and with static
// configuration Envoy refuses to start; its log names the field that is wrong.
import { describe, expect, it } from "vitest";
import { EnvoyStartError } from "../../harness/envoy/start-envoy.js";
import { E2E, startVersionEnvoy } from "./with-envoy.js";

const CASES = [
  { config: '{"versions": ["v1", "v2"], "defualt": "v1"}', field: "defualt: unknown field" },
  { config: '{"versions": ["v1", "v2"], "default": "v3"}', field: 'default: "v3" is not one of versions [v1, v2]' },
  { config: '{"versions": ["v1", "v1"]}', field: 'versions[1]: "v1" is listed twice' },
  { config: '{"versions": []}', field: "versions: must be an array of 1 to 32 version names" },
  { config: "", field: "configuration: is empty" },
  { config: "{versions}", field: "configuration: is not valid JSON" },
];

describe.runIf(E2E)("a bad plugin configuration through Envoy", () => {
  it.each(CASES)("$config is refused: $field", async ({ config, field }) => {
    const error = await startVersionEnvoy({ versions: ["v1", "v2"], pluginConfig: config }).then(
      async (started) => {
        await started.stop();
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(EnvoyStartError);
    const log = (error as EnvoyStartError).log;
    const line = log.find((l) => l.includes("invalid configuration:"));
    expect(line, log.slice(-10).join("\n")).toBeDefined();
    expect(line).toContain(`[error][wasm]`);
    expect(line).toContain(`invalid configuration: ${field}`);
    expect(log.some((l) => l.includes("Unable to create Wasm plugin version-router"))).toBe(true);
  });
});
