// scope "grpc": exactly the old Lua filter's reach. gRPC requests are fixed; other HTTP
// requests pass untouched, so the routes alone decide them (no route: 404).
import { describe, expect, it } from "vitest";
import { E2E, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

describe.runIf(E2E)("scope grpc through Envoy", () => {
  const { envoy, client } = withEnvoy({ versions: ["v1", "v2", "v3"], pluginConfig: { versions: ["v1", "v2", "v3"], scope: "grpc" } });

  it.each(["http1", "http2"] as const)("%s requests are left alone", async (protocol) => {
    const c = client(protocol);
    expect(await c.send(["v2"])).toEqual({ status: "200", version: "v2", received: ["v2"], served: "v2" });
    expect(await c.send(["zz"])).toEqual({ status: "404" });
    expect(await c.send([])).toEqual({ status: "404" });
    expect(await c.send(["v2", "v2"])).toEqual({ status: "200", version: "v2", received: ["v2", "v2"], served: "v2" });
  });

  it("gRPC requests are fixed", async () => {
    const c = client("grpc");
    expect(await c.send(["v2"])).toMatchObject({ version: "v2", received: ["v2"] });
    expect(await c.send(["zz"])).toMatchObject({ version: "v1", received: ["v1"] });
    expect(await c.send([])).toMatchObject({ version: "v1", received: ["v1"] });
    expect(await c.send(["v2", "v3"])).toMatchObject({ version: "v1", received: ["v1"] });
  });

  itLogsNoErrors(envoy);
});
