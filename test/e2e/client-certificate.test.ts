// Restricted versions by client certificate through real Envoy: a TLS listener that asks for a
// client certificate and verifies it against the suite's CA, and the filter reading the
// certificate's URI SAN (connection.uri_san_peer_certificate). A request without a certificate,
// with one of another SAN, or with a header that claims one goes to the default.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envoy } from "../../harness/envoy/start-envoy.js";
import { makeTestCa } from "../../harness/tls/test-ca.js";
import type { EchoReply } from "../../harness/upstreams/echo-proto.js";
import type { Upstreams } from "../../harness/upstreams/start-upstreams.js";
import { DEFAULT_VERSION_HEADER } from "../../harness/version-header.js";
import { E2E, itLogsNoErrors, startVersionEnvoy } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];
const PARTNER = "spiffe://partner.example/ns/shop/sa/checkout";
const TESTER = "spiffe://qa.example/tester";
const OTHER = "spiffe://other.example/ns/x";

describe.runIf(E2E)("restricted versions by client certificate", () => {
  let dir = "";
  let envoy: Envoy | undefined;
  let upstreams: Upstreams | undefined;
  let stop: (() => Promise<void>) | undefined;
  let ca = "";
  const certs = new Map<string, { cert: Buffer; key: Buffer }>();
  const clients: Client[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "version-router-mtls-"));
    const authority = await makeTestCa(dir);
    const server = await authority.issue("envoy", "/CN=envoy", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    for (const [name, uri] of [
      ["partner", PARTNER],
      ["tester", TESTER],
      ["other", OTHER],
    ] as const) {
      const issued = await authority.issue(name, `/CN=${name}`, `subjectAltName=URI:${uri}\nextendedKeyUsage=clientAuth\n`);
      certs.set(name, { cert: await readFile(issued.cert), key: await readFile(issued.key) });
    }
    ca = await readFile(authority.caCert, "utf8");
    ({ envoy, upstreams, stop } = await startVersionEnvoy({
      versions: VERSIONS,
      pluginConfig: {
        versions: VERSIONS,
        default: "v1",
        restricted: { v2: [{ san: "uri", prefix: "spiffe://partner.example/" }], v3: [{ san: "uri", exact: TESTER }] },
        cohorts: [{ match: { san: "uri", exact: TESTER }, version: "v3" }],
      },
      downstreamTls: { certChain: server.cert, privateKey: server.key, trustedCa: authority.caCert },
    }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await stop?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** One HTTPS request with the named client certificate (or none): the version that answered and what it received. */
  async function send(who: string | undefined, sent: string[], h2: boolean, extra: Record<string, string> = {}) {
    const cert = who ? certs.get(who)! : undefined;
    const client = new Client(envoy!.url.replace("http:", "https:"), { allowH2: h2, connect: { ca, ...(cert ?? {}) } });
    clients.push(client);
    const headers: string[] = [...sent.flatMap((v) => [DEFAULT_VERSION_HEADER, v]), ...Object.entries(extra).flat()];
    const res = await client.request({ method: "GET", path: "/who", headers });
    const body = JSON.parse(await res.body.text()) as EchoReply;
    return { status: res.statusCode, version: body.version, received: body.received };
  }

  const CASES: Array<{ name: string; who?: string; sent: string[]; extra?: Record<string, string>; version: string }> = [
    { name: "the partner's certificate names v2", who: "partner", sent: ["v2"], version: "v2" },
    { name: "another SAN names v2", who: "other", sent: ["v2"], version: "v1" },
    { name: "no certificate names v2", sent: ["v2"], version: "v1" },
    {
      name: "a header claiming the partner's certificate names v2",
      sent: ["v2"],
      extra: { "x-forwarded-client-cert": `By=spiffe://gw;URI=${PARTNER}` },
      version: "v1",
    },
    { name: "the tester's exact SAN names v3", who: "tester", sent: ["v3"], version: "v3" },
    { name: "the partner names v3 (a prefix is not the exact SAN)", who: "partner", sent: ["v3"], version: "v1" },
    { name: "the tester without a header is the v3 cohort", who: "tester", sent: [], version: "v3" },
    { name: "anyone else without a header gets the default", who: "other", sent: [], version: "v1" },
  ];
  for (const h2 of [false, true]) {
    describe(h2 ? "HTTP/2" : "HTTP/1.1", () => {
      for (const c of CASES) {
        it(c.name, async () => {
          const before = upstreams!.requests.length;
          expect(await send(c.who, c.sent, h2, c.extra)).toEqual({ status: 200, version: c.version, received: [c.version] });
          expect(upstreams!.requests.slice(before).map((r) => r.version)).toEqual([c.version]);
        });
      }
    });
  }

  itLogsNoErrors(() => envoy!);
});
