import { afterAll, beforeAll, expect, it } from "vitest";
import { openClient, type Protocol, type VersionClient } from "../../harness/clients/version-client.js";
import { type Envoy, type StartEnvoyOptions, startEnvoy } from "../../harness/envoy/start-envoy.js";
import { versionRoutes } from "../../harness/envoy/version-routes.js";
import { startUpstreams, type Upstreams } from "../../harness/upstreams/start-upstreams.js";
import { DEFAULT_VERSION_HEADER } from "../../harness/version-header.js";
import { dockerSuitesEnabled, e2eRuntime, envoySuitesEnabled } from "../support/suite-gates.js";

/**
 * Whether the e2e suites run in this vitest project, whose Envoy is a local process or a
 * container (ENVOY_RUNTIME): false on a laptop without that runtime (the suites skip and say
 * why); REQUIRE_ENVOY=1 / REQUIRE_DOCKER=1 make that an error instead.
 */
export const E2E = e2eRuntime() === "docker" ? await dockerSuitesEnabled() : envoySuitesEnabled();

export interface VersionEnvoyOptions extends Omit<StartEnvoyOptions, "routing" | "runtime"> {
  /** Versions deployed behind Envoy: one echo upstream pair and one route pair each. */
  versions: readonly string[];
  /** The version header the routes match and the echo servers report; default grpcsvc. */
  header?: string;
}

/** Echo upstreams for each version, and Envoy routing to them in this project's runtime. */
export async function startVersionEnvoy(
  options: VersionEnvoyOptions,
): Promise<{ envoy: Envoy; upstreams: Upstreams; stop(): Promise<void> }> {
  const { versions, header = DEFAULT_VERSION_HEADER, ...envoyOptions } = options;
  const upstreams = await startUpstreams(versions, { header });
  try {
    const envoy = await startEnvoy({
      ...envoyOptions,
      pluginConfig: envoyOptions.pluginConfig ?? { versions },
      routing: versionRoutes(upstreams, header),
      runtime: e2eRuntime(),
    });
    return {
      envoy,
      upstreams,
      stop: async () => {
        await envoy.stop();
        await upstreams.stop();
      },
    };
  } catch (err) {
    await upstreams.stop();
    throw err;
  }
}

/**
 * Starts the upstreams and Envoy before the enclosing describe and stops them after it,
 * failed tests included. Clients opened through the handle close with it.
 */
export function withEnvoy(options: VersionEnvoyOptions): { envoy: () => Envoy; client: (p: Protocol) => VersionClient } {
  let started: Awaited<ReturnType<typeof startVersionEnvoy>> | undefined;
  const clients: VersionClient[] = [];
  beforeAll(async () => {
    started = await startVersionEnvoy(options);
  });
  afterAll(async () => {
    try {
      await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    } finally {
      await started?.stop();
    }
  });
  const get = () => {
    if (!started) throw new Error("Envoy did not start");
    return started.envoy;
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

/**
 * The last test of a suite: Envoy logged no crash and no Wasm or Lua error, and the filter
 * found the root of every stream it was called for (the ABI layer counts those it could not).
 */
export function itLogsNoErrors(envoy: () => Envoy): void {
  it("Envoy logged no crash and no Wasm error, and the filter placed every stream", async () => {
    expect(envoy().errors()).toEqual([]);
    if (envoy().filter === "wasm") {
      const counter = "wasmcustom.streams_without_root";
      expect(Object.fromEntries(await envoy().stats(`^${counter.replaceAll(".", "\\.")}$`))).toEqual({ [counter]: 0 });
    }
  });
}
