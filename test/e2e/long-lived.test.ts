// Routing is per request: on one HTTP/2 connection and on one gRPC channel, interleaved
// requests for different versions each go where their own header says.
import { describe, expect, it } from "vitest";
import type { Protocol } from "../../harness/clients/version-client.js";
import { E2E, itLogsNoErrors, withEnvoy } from "./with-envoy.js";

const SEQUENCE: Array<{ sent: string[]; version: string }> = [
  { sent: ["v2"], version: "v2" },
  { sent: ["v3"], version: "v3" },
  { sent: ["nope"], version: "v1" },
  { sent: [], version: "v1" },
  { sent: ["v3"], version: "v3" },
  { sent: ["v2", "v2"], version: "v2" },
  { sent: ["V3"], version: "v1" },
  { sent: ["v1"], version: "v1" },
];
const ROUNDS = 25;

describe.runIf(E2E)("many requests on one long-lived connection", () => {
  const { envoy, client } = withEnvoy({ versions: ["v1", "v2", "v3"] });

  it.each<Protocol>(["http2", "grpc", "http1"])(
    "%s: each request routed by its own header, one downstream connection",
    async (protocol) => {
      const before = (await envoy().stats("^http\\.ingress\\.downstream_cx_total$")).get("http.ingress.downstream_cx_total") ?? 0;
      const c = client(protocol);
      const served: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const { sent, version } of SEQUENCE) {
          const answer = await c.send(sent);
          expect(answer.version, `round ${round}, sent ${JSON.stringify(sent)}`).toBe(version);
          expect(answer.received).toEqual([version]);
          served.push(answer.version!);
        }
      }
      await c.close();
      const after = (await envoy().stats("^http\\.ingress\\.downstream_cx_total$")).get("http.ingress.downstream_cx_total");
      expect(after! - before).toBe(1);
      expect(new Set(served)).toEqual(new Set(["v1", "v2", "v3"]));
    },
  );

  it("concurrent streams on one HTTP/2 connection do not mix decisions", async () => {
    const c = client("http2");
    const requests = Array.from({ length: 200 }, (_, i) => SEQUENCE[i % SEQUENCE.length]!);
    const answers = await Promise.all(requests.map((r) => c.send(r.sent)));
    expect(answers.map((a) => a.version)).toEqual(requests.map((r) => r.version));
  });

  itLogsNoErrors(envoy);
});
