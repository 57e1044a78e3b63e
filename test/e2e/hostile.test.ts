// 20,000 generated header values through real Envoy and the real filter: whatever the
// bytes, Envoy neither crashes nor logs a Wasm error, and every answer is the version
// the decision table gives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Protocol } from "../../harness/clients/version-client.js";
import { wireHeaderValue } from "../../harness/fuzz/header-values.js";
import { tableVersion } from "../../harness/reference-model.js";
import { E2E, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];
const TOTAL = 20_000;
const IN_FLIGHT = 16;

describe.runIf(E2E)("hostile header values through Envoy", () => {
  const { envoy, client } = withEnvoy({ versions: VERSIONS, pluginConfig: { versions: VERSIONS, default: "v1" } });

  it.each<[Protocol, number]>([
    ["http1", 7_000],
    ["http2", 7_000],
    ["grpc", 6_000],
  ])(
    "%s: %i generated values",
    async (protocol, count) => {
      const values = fc.array(wireHeaderValue(VERSIONS, protocol === "grpc"), { minLength: 1, maxLength: 2 });
      const requests = fc.sample(values, { numRuns: count, seed: 42 + count + protocol.length });
      const clients = Array.from({ length: IN_FLIGHT }, () => client(protocol));
      let next = 0;
      const wrong: string[] = [];
      await Promise.all(
        clients.map(async (c) => {
          while (next < requests.length) {
            const sent = requests[next++]!;
            const answer = await c.send(sent);
            const want = tableVersion(VERSIONS, "v1", sent);
            if (answer.version !== want || answer.received?.length !== 1 || answer.received[0] !== want) {
              wrong.push(`${JSON.stringify(sent)} -> ${JSON.stringify(answer)}`);
            }
          }
        }),
      );
      expect(wrong.slice(0, 5)).toEqual([]);
    },
    120_000,
  );

  it("sent 20,000 requests in all, and Envoy is still ready", async () => {
    const stats = await envoy().stats("^http\\.ingress\\.downstream_rq_(total|5xx)$");
    expect(stats.get("http.ingress.downstream_rq_total")).toBeGreaterThanOrEqual(TOTAL);
    expect(stats.get("http.ingress.downstream_rq_5xx")).toBe(0);
  });

  itLogsNoErrors(envoy);
});
