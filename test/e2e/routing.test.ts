// The filter's behaviour table through real Envoy and the real filter.wasm, over
// HTTP/1.1, HTTP/2 and gRPC: which version answers, and the header it received.
// Envoy's routes match the version header exactly and have no catch-all, so a 200 from
// the right version proves the route followed the header the filter rewrote.
import { describe, expect, it } from "vitest";
import { PROTOCOLS } from "../../harness/clients/version-client.js";
import { BEHAVIOUR_VERSIONS, rowsFor } from "../support/behaviour-table.js";
import { E2E, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

describe.runIf(E2E)("routing through Envoy (scope all)", () => {
  const { envoy, client } = withEnvoy({ versions: BEHAVIOUR_VERSIONS, pluginConfig: { versions: BEHAVIOUR_VERSIONS, default: "v1" } });

  for (const protocol of PROTOCOLS) {
    describe(protocol, () => {
      for (const row of rowsFor(protocol)) {
        it(`${row.name}: ${JSON.stringify(row.sent).slice(0, 40)} -> ${row.version}`, async () => {
          const answer = await client(protocol).send(row.sent);
          expect(answer).toEqual({
            status: protocol === "grpc" ? "OK" : "200",
            version: row.version,
            received: [row.version],
            served: row.version,
          });
        });
      }
    });
  }

  itLogsNoErrors(envoy);
});

// The control: the same routes without the filter. A request whose header is missing or
// wrong finds no route, so every 200 above came from the header the filter wrote.
describe.runIf(E2E)("the same routes without any filter", () => {
  const { envoy, client } = withEnvoy({ versions: ["v1", "v2", "v3"], filter: "none" });

  it.each(PROTOCOLS)("%s: only an exact, single, listed version is routed", async (protocol) => {
    const c = client(protocol);
    const noRoute = protocol === "grpc" ? "UNIMPLEMENTED" : "404";
    expect(await c.send(["v2"])).toMatchObject({ version: "v2" });
    expect(await c.send([])).toEqual({ status: noRoute });
    expect(await c.send(["zz"])).toEqual({ status: noRoute });
    expect(await c.send(["V2"])).toEqual({ status: noRoute });
  });

  itLogsNoErrors(envoy);
});

// Istio names the root and VM after the WasmPlugin; the filter must not care.
describe.runIf(E2E)("any root_id and vm_id", () => {
  const { envoy, client } = withEnvoy({ versions: ["v1", "v2"], rootId: "", vmId: "shared-vm-42" });

  it("routes the same with an empty root_id and another vm_id", async () => {
    const c = client("grpc");
    expect(await c.send(["v2"])).toMatchObject({ version: "v2", received: ["v2"] });
    expect(await c.send(["nope"])).toMatchObject({ version: "v1", received: ["v1"] });
    expect(
      envoy()
        .logs()
        .some((l) => l.includes("wasm log shared-vm-42: configured header grpcsvc")),
    ).toBe(true);
  });

  itLogsNoErrors(envoy);
});
