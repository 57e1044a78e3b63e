// The old behaviour as a reference: the seed's Lua filter and version-router behind the
// same Envoy routes, over the same requests. Where they agree the table says so; where
// version-router is deliberately different, the row says why.
import { describe, expect, it } from "vitest";
import { openClient, type Answer, type Protocol } from "../../harness/clients/version-client.js";
import type { Envoy } from "../../harness/envoy/start-envoy.js";
import { SEED_LUA_SOURCE } from "../../harness/lua/seed-fallback.js";
import { E2E, withEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];

/** "404" for HTTP and UNIMPLEMENTED for gRPC: Envoy found no route. */
const NO_ROUTE = "no route";

interface Case {
  protocol: Protocol;
  sent: string[];
  lua: string;
  ours: string;
  /** Why version-router differs from the seed, when it does. */
  why?: string;
}

const CASES: Case[] = [
  // gRPC, the seed's whole reach: the two agree except where the seed was wrong.
  { protocol: "grpc", sent: ["v2"], lua: "v2", ours: "v2" },
  { protocol: "grpc", sent: [], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["zz"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["V2"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: [""], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["v2,v3"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["v2", "v3"], lua: "v1", ours: "v1" },
  { protocol: "grpc", sent: ["zz", "v2"], lua: "v1", ours: "v1" },
  {
    protocol: "grpc", sent: ["v4"], lua: NO_ROUTE, ours: "v1",
    why: "the seed's hand-typed list still names v4, which is not deployed: the list drifted; ours comes from the deployed versions",
  },
  {
    protocol: "grpc", sent: ["v3", "v3"], lua: "v1", ours: "v3",
    why: "Lua reads repeated values joined as 'v3,v3' and degrades; every copy names v3, so ours keeps v3 (as one value)",
  },
  // Plain HTTP: the seed never looked at it.
  { protocol: "http1", sent: ["v2"], lua: "v2", ours: "v2" },
  { protocol: "http2", sent: ["v3"], lua: "v3", ours: "v3" },
  {
    protocol: "http1", sent: [], lua: NO_ROUTE, ours: "v1",
    why: "scope 'all' (the default) gives HTTP callers the same safe default as gRPC callers; scope 'grpc' restores the seed's reach",
  },
  {
    protocol: "http2", sent: ["zz"], lua: NO_ROUTE, ours: "v1",
    why: "as above: an unknown version on HTTP is degraded instead of failing",
  },
  {
    protocol: "http2", sent: ["zz", "v2"], lua: "v2 (received zz, v2)", ours: "v1",
    why: "untouched, Envoy's matcher routes on one of two values while the upstream sees both; ours never forwards an ambiguous header",
  },
];

function outcome(answer: Answer): string {
  if (answer.status === "404" || answer.status === "UNIMPLEMENTED") return NO_ROUTE;
  if (!answer.version) return answer.status;
  const received = answer.received ?? [];
  return received.length === 1 && received[0] === answer.version ? answer.version : `${answer.version} (received ${received.join(", ")})`;
}

describe.runIf(E2E)("parity with the seed's Lua filter", () => {
  const lua = withEnvoy({ versions: VERSIONS, filter: "lua", lua: SEED_LUA_SOURCE });
  const ours = withEnvoy({ versions: VERSIONS, pluginConfig: { versions: VERSIONS, default: "v1" } });

  async function ask(envoy: Envoy, { protocol, sent }: Case): Promise<string> {
    const client = openClient(protocol, envoy.url);
    try {
      return outcome(await client.send(sent));
    } finally {
      await client.close();
    }
  }

  it.each(CASES.filter((c) => !c.why))("agree: $protocol $sent -> $ours", async (c) => {
    expect(c.lua).toBe(c.ours);
    expect(await ask(lua.envoy(), c)).toBe(c.ours);
    expect(await ask(ours.envoy(), c)).toBe(c.ours);
  });

  it.each(CASES.filter((c) => c.why))("differ on purpose: $protocol $sent (lua: $lua, ours: $ours)", async (c) => {
    const [seed, mine] = [await ask(lua.envoy(), c), await ask(ours.envoy(), c)];
    expect({ seed, mine }).toEqual({ seed: c.lua, mine: c.ours });
    expect(seed).not.toBe(mine);
  });

  it("neither Envoy logged an error", () => {
    expect(lua.envoy().errors()).toEqual([]);
    expect(ours.envoy().errors()).toEqual([]);
  });
});
