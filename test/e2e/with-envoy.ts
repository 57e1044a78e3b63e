import { afterAll, beforeAll, expect, it } from "vitest";
import { envoySuitesEnabled } from "../../harness/envoy/envoy-binary.js";
import { startEnvoy, type Envoy, type StartEnvoyOptions } from "../../harness/envoy/start-envoy.js";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";

/** False on a laptop without Envoy (the suites skip and say why); throws with REQUIRE_ENVOY=1. */
export const ENVOY = envoySuitesEnabled();

/**
 * Starts Envoy and its upstreams before the enclosing describe and stops them after it,
 * failed tests included. Clients opened through the handle close with it.
 */
export function withEnvoy(options: StartEnvoyOptions): { envoy: () => Envoy; client: (p: Protocol) => VersionClient } {
  let envoy: Envoy | undefined;
  const clients: VersionClient[] = [];
  beforeAll(async () => {
    envoy = await startEnvoy(options);
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await envoy?.stop();
  });
  const get = () => {
    if (!envoy) throw new Error("Envoy did not start");
    return envoy;
  };
  return {
    envoy: get,
    client: (protocol) => {
      const client = openClient(protocol, get().url, options.header);
      clients.push(client);
      return client;
    },
  };
}

/** The last test of a suite: Envoy logged no crash and no Wasm or Lua error. */
export function itLogsNoErrors(envoy: () => Envoy): void {
  it("Envoy logged no crash and no Wasm error", () => {
    expect(envoy().errors()).toEqual([]);
  });
}
