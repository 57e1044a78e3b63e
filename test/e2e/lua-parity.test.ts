// The old behaviour as a reference: the seed's Lua filter and version-router behind the
// same Envoy routes, over the same requests. Where they agree the table says so; where
// version-router is deliberately different, the row says why.
import { describe, expect, it } from "vitest";
import { type Answer, openClient } from "../../harness/clients/version-client.js";
import type { Envoy } from "../../harness/envoy/start-envoy.js";
import { seedLuaSource } from "../../harness/lua/seed-fallback.js";
import { PARITY_CASES, type ParityCase, untouchedCases } from "../support/lua-parity.js";
import { E2E, withEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];

/** "404" for HTTP and UNIMPLEMENTED for gRPC: Envoy found no route (these routes have no catch-all). */
const NO_ROUTE = "no route";

const CASES: ParityCase[] = [...PARITY_CASES, ...untouchedCases(() => NO_ROUTE)];

function outcome(answer: Answer): string {
  if (answer.status === "404" || answer.status === "UNIMPLEMENTED") return NO_ROUTE;
  if (!answer.version) return answer.status;
  const received = answer.received ?? [];
  return received.length === 1 && received[0] === answer.version ? answer.version : `${answer.version} (received ${received.join(", ")})`;
}

describe.runIf(E2E)("parity with the seed's Lua filter", () => {
  const lua = withEnvoy({ versions: VERSIONS, filter: "lua", lua: seedLuaSource() });
  const ours = withEnvoy({ versions: VERSIONS, pluginConfig: { versions: VERSIONS, default: "v1" } });

  async function ask(envoy: Envoy, { protocol, sent }: ParityCase): Promise<string> {
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
