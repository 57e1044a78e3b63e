// The filter's behaviour table, row by row, for both scopes, on the real filter.wasm.
import { describe, expect, it } from "vitest";
import type { HeaderInput } from "../../harness/host/index.js";
import { loadFilter } from "./load-filter.js";

/** FilterHeadersStatus::Continue in the proxy-wasm ABI. */
const FILTER_CONTINUE = 0;

const VERSIONS = ["v1", "v2", "v3"];
const GRPC: HeaderInput = ["content-type", "application/grpc"];
const JSON_BODY: HeaderInput = ["content-type", "application/json"];
const base = (contentType: HeaderInput): HeaderInput[] => [
  [":method", "POST"],
  [":path", "/svc/Method"],
  [":authority", "svc"],
  contentType,
];

interface Row {
  name: string;
  sent: Array<string | Uint8Array>;
  /** What the upstream must receive, in order. */
  expected: string[];
}

const ROWS: Row[] = [
  { name: "exactly one listed version is left as it is", sent: ["v2"], expected: ["v2"] },
  { name: "the last listed version is left as it is", sent: ["v3"], expected: ["v3"] },
  { name: "missing gets the default", sent: [], expected: ["v1"] },
  { name: "empty gets the default", sent: [""], expected: ["v1"] },
  { name: "unknown gets the default", sent: ["v9"], expected: ["v1"] },
  { name: "wrong case gets the default", sent: ["V2"], expected: ["v1"] },
  { name: "a comma list gets the default", sent: ["v2,v3"], expected: ["v1"] },
  { name: "padding is not trimmed into a match", sent: [" v2"], expected: ["v1"] },
  { name: "a very long value gets the default", sent: [`v2${"x".repeat(60_000)}`], expected: ["v1"] },
  { name: "non-ASCII bytes get the default", sent: [new Uint8Array([0xff, 0x76, 0x32, 0x00, 0xc3])], expected: ["v1"] },
  { name: "a prefix of a version gets the default", sent: ["v"], expected: ["v1"] },
  { name: "the same version twice becomes one value", sent: ["v2", "v2"], expected: ["v2"] },
  { name: "two different versions become the default", sent: ["v2", "v3"], expected: ["v1"] },
  { name: "an invalid and a valid value become the default", sent: ["bogus", "v3"], expected: ["v1"] },
  { name: "three copies become one", sent: ["v3", "v3", "v3"], expected: ["v3"] },
];

function send(sent: Row["sent"], contentType: HeaderInput): HeaderInput[] {
  return [...base(contentType), ...sent.map((v): HeaderInput => ["grpcsvc", v])];
}

describe.each([
  { scope: "all", contentTypes: [GRPC, JSON_BODY] },
  { scope: "grpc", contentTypes: [GRPC, ["content-type", "application/grpc+proto"] as HeaderInput] },
])("scope $scope: requests in scope", ({ scope, contentTypes }) => {
  for (const contentType of contentTypes) {
    it.each(ROWS)(`${contentType[1]}: $name`, async ({ sent, expected }) => {
      const host = await loadFilter({ versions: VERSIONS, default: "v1", scope });
      const { headers, status } = host.request(send(sent, contentType));
      expect(status, "proxy_on_request_headers returns Continue (0): the request is never held or stopped").toBe(FILTER_CONTINUE);
      expect(headers.strings("grpcsvc")).toEqual(expected);
      // Nothing but the version header is touched.
      expect(headers.strings("content-type")).toEqual([contentType[1]]);
      expect(headers.strings(":path")).toEqual(["/svc/Method"]);
    });
  }
});

describe("scope grpc: requests out of scope are left exactly as sent", () => {
  const outOfScope: HeaderInput[][] = [
    base(JSON_BODY),
    base(["content-type", "application/grpc-web"]),
    base(["content-type", "application/grpcfoo"]),
    [
      [":method", "GET"],
      [":path", "/"],
    ],
  ];
  for (const headers of outOfScope) {
    it.each(ROWS)(`${headers.find(([k]) => k === "content-type")?.[1] ?? "no content-type"}: $name`, async ({ sent }) => {
      const host = await loadFilter({ versions: VERSIONS, scope: "grpc" });
      const request = [...headers, ...sent.map((v): HeaderInput => ["grpcsvc", v])];
      const outcome = host.request(request);
      expect(outcome.headers.values("grpcsvc")).toEqual(sent.map((v) => (typeof v === "string" ? new TextEncoder().encode(v) : v)));
      expect(outcome.headers.entries.length).toBe(request.length);
    });
  }
});

describe("configuration shapes the decision", () => {
  it("uses the configured header, lower-cased on load", async () => {
    const host = await loadFilter({ header: "X-Service-Version", versions: ["blue", "green"], default: "green" });
    expect(host.request([["x-service-version", "blue"]]).headers.strings("x-service-version")).toEqual(["blue"]);
    expect(host.request([["x-service-version", "red"]]).headers.strings("x-service-version")).toEqual(["green"]);
    const missing = host.request([["grpcsvc", "blue"]]).headers;
    expect(missing.strings("x-service-version")).toEqual(["green"]);
    expect(missing.strings("grpcsvc")).toEqual(["blue"]);
  });

  it("defaults to the first listed version and the grpcsvc header", async () => {
    const host = await loadFilter({ versions: ["v4", "v1"] });
    expect(host.request([]).headers.strings("grpcsvc")).toEqual(["v4"]);
  });

  it("logs one info line per configuration loaded", async () => {
    const host = await loadFilter({ versions: ["v1", "v2"], default: "v2", scope: "grpc" });
    const info = host.logs.filter((l) => l.level === "info");
    expect(info.map((l) => l.message)).toEqual(["configured header grpcsvc, versions [v1, v2], default v2, scope grpc"]);
  });

  it("logs a debug line per decision, with hostile bytes escaped and cut short", async () => {
    const host = await loadFilter({ versions: VERSIONS }, "debug");
    const lines = [
      host.request([["grpcsvc", "v2"]]),
      host.request([]),
      host.request([["grpcsvc", new Uint8Array([0x22, 0x0a, 0xff])]]),
      host.request([["grpcsvc", "a".repeat(1000)]]),
      host.request([
        ["grpcsvc", "v2"],
        ["grpcsvc", "v3"],
      ]),
    ].map((o) => o.logs.filter((l) => l.level === "debug").map((l) => l.message));
    expect(lines).toEqual([
      ['grpcsvc "v2" -> v2 (explicit)'],
      ["grpcsvc missing -> v1 (default)"],
      ['grpcsvc "\\x22\\x0a\\xff" -> v1 (invalid)'],
      [`grpcsvc "${"a".repeat(64)}...(1000 bytes)" -> v1 (invalid)`],
      ['grpcsvc sent 2 times, first "v2" -> v1 (invalid)'],
    ]);
  });

  it("logs no decision at info level", async () => {
    const host = await loadFilter({ versions: VERSIONS }, "info");
    expect(host.request([["grpcsvc", "zz"]]).logs).toEqual([]);
  });
});
