import { afterAll, beforeAll, expect, it } from "vitest";
import { dockerSuitesEnabled } from "../../harness/docker/docker-cli.js";
import { envoySuitesEnabled } from "../../harness/envoy/envoy-binary.js";
import { defaultRuntime, startEnvoy, type Envoy, type StartEnvoyOptions } from "../../harness/envoy/start-envoy.js";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";

/**
 * Whether the e2e suites run in this project (ENVOY_RUNTIME): false on a laptop without
 * Envoy or Docker (the suites skip and say why); REQUIRE_ENVOY=1 / REQUIRE_DOCKER=1 make
 * that an error instead.
 */
export const ENVOY = defaultRuntime() === "docker" ? await dockerSuitesEnabled() : envoySuitesEnabled();

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
    try {
      await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    } finally {
      await envoy?.stop();
    }
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
