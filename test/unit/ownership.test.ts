// Many services on one gateway: a filter decides, rewrites and counts only for the requests of
// its own service (its hosts, and paths if it names any), matched as Envoy picks a virtual host.
// Three releases' configurations run as three filters in one chain (each on a VM of its own, as
// Istio runs WasmPlugins, or on one shared VM), or as one filter holding all three.
import { describe, expect, it } from "vitest";
import { chainRequest, type HeaderInput, ProxyWasmHost, type RequestOutcome } from "../../harness/host/index.js";
import { SHARED_RELEASES } from "../support/shared-gateway-releases.js";
import { loadFilter, requireFilterWasm } from "./load-filter.js";

// The pluginConfigs the chart renders for three releases (test/manifests/shared-gateway.test.ts checks that it does).
const [SHOP, PAY, CART] = SHARED_RELEASES.map((r) => r.pluginConfig) as [object, object, object];
const RELEASES = [SHOP, PAY, CART];

type Send = (headers: HeaderInput[]) => RequestOutcome;

const CASES: Array<{ name: string; headers: HeaderInput[]; versions: string[] }> = [
  {
    name: "a version only shop lists",
    headers: [
      [":authority", "a.example.com"],
      ["grpcsvc", "v4"],
    ],
    versions: ["v4"],
  },
  { name: "pay without a header gets pay's canary", headers: [[":authority", "b.example.com"]], versions: ["v2"] },
  { name: "cart without a header gets cart's default", headers: [[":authority", "x.c.example.com"]], versions: ["v2"] },
  {
    name: "cart's cohort",
    headers: [
      [":authority", "shop.c.example.com"],
      ["x-user", "jason"],
    ],
    versions: ["v3"],
  },
  {
    name: "a version cart does not list",
    headers: [
      [":authority", "x.c.example.com"],
      ["grpcsvc", "v4"],
    ],
    versions: ["v2"],
  },
  {
    name: "a host no release owns, a wrong version",
    headers: [
      [":authority", "d.example.com"],
      ["grpcsvc", "v9"],
    ],
    versions: ["v9"],
  },
  { name: "a host no release owns, no header", headers: [[":authority", "d.example.com"]], versions: [] },
  { name: "no :authority at all", headers: [["grpcsvc", "v9"]], versions: ["v9"] },
];

async function separateVms(order: readonly object[]): Promise<{ send: Send; hosts: ProxyWasmHost[] }> {
  const hosts = await Promise.all(order.map((config) => loadFilter(config)));
  return { send: (headers) => chainRequest(hosts, headers), hosts };
}

async function sharedVm(order: readonly object[]): Promise<{ send: Send; hosts: ProxyWasmHost[] }> {
  const host = await loadFilter(order[0]);
  for (const config of order.slice(1)) host.addPlugin(JSON.stringify(config));
  return { send: (headers) => host.request(headers), hosts: [host] };
}

async function oneFilter(order: readonly object[]): Promise<{ send: Send; hosts: ProxyWasmHost[] }> {
  const host = await loadFilter({ services: order });
  return { send: (headers) => host.request(headers), hosts: [host] };
}

const LAYOUTS = [
  { name: "three filters, a VM each, in the order shop, pay, cart", start: () => separateVms(RELEASES) },
  { name: "three filters, a VM each, in the order cart, pay, shop", start: () => separateVms([...RELEASES].reverse()) },
  { name: "three filters on one shared VM", start: () => sharedVm(RELEASES) },
  { name: "one filter holding the three services", start: () => oneFilter(RELEASES) },
];

describe.each(LAYOUTS)("$name", ({ start }) => {
  it.each(CASES)("$name", async ({ headers, versions }) => {
    const { send } = await start();
    const out = send(headers);
    expect(out.headers.strings("grpcsvc")).toEqual(versions);
    // Nothing else is added, replaced or removed: the other headers are as sent.
    expect(out.headers.entries.filter(([k]) => new TextDecoder().decode(k) !== "grpcsvc")).toEqual(
      new (out.headers.constructor as typeof import("../../harness/host/index.js").HeaderMap)(headers).entries.filter(
        ([k]) => new TextDecoder().decode(k) !== "grpcsvc",
      ),
    );
  });

  it("counts each request once, in its own service's series, and nothing for a host no one owns", async () => {
    const { send, hosts } = await start();
    for (const c of CASES) send(c.headers);
    for (const h of hosts) h.tick();
    const counted = new Map<string, number>();
    for (const h of hosts) for (const [name, n] of h.counters) if (n > 0) counted.set(name, (counted.get(name) ?? 0) + n);
    expect(Object.fromEntries(counted)).toEqual({
      "service=.=shop/grpcsvc;.;version=.=v4;.;reason=.=explicit;.;version_router_requests_total": 1,
      "service=.=pay/paysvc;.;version=.=v2;.;reason=.=canary;.;version_router_requests_total": 1,
      "service=.=cart/cartsvc;.;version=.=v2;.;reason=.=default;.;version_router_requests_total": 1,
      "service=.=cart/cartsvc;.;version=.=v3;.;reason=.=cohort;.;version_router_requests_total": 1,
      "service=.=cart/cartsvc;.;version=.=v2;.;reason=.=invalid;.;version_router_requests_total": 1,
    });
  });
});

describe("which requests a service owns", () => {
  const owned = async (config: object, headers: HeaderInput[]) =>
    (await loadFilter({ versions: ["v1", "v2"], ...config })).request([...headers, ["grpcsvc", "zz"]]).headers.strings("grpcsvc")[0] ===
    "v1";

  it.each([
    ["the exact host", ["a.example.com"], "a.example.com", true],
    ["another host", ["a.example.com"], "b.example.com", false],
    ["the host with a port", ["a.example.com"], "a.example.com:8080", true],
    ["the host in capitals", ["a.example.com"], "A.Example.COM", true],
    ["a configured host in capitals", ["A.Example.com"], "a.example.com", true],
    ["a subdomain of an exact host", ["a.example.com"], "x.a.example.com", false],
    ["a wildcard's subdomain", ["*.example.com"], "a.example.com", true],
    ["a wildcard's deeper subdomain", ["*.example.com"], "x.a.example.com", true],
    ["a wildcard's own domain", ["*.example.com"], "example.com", false],
    ["a name ending like the wildcard", ["*.example.com"], "badexample.com", false],
    ["a host that is only the wildcard's suffix", ["*.example.com"], ".example.com", false],
    ["an IPv6 literal with a port, with *", ["*"], "[::1]:80", true],
    ["an IPv6 literal with a port, with named hosts", ["a.example.com"], "[::1]:80", false],
    ["any host, with *", ["*"], "whatever.test", true],
    ["a missing :authority, with *", ["*"], undefined, true],
    ["a missing :authority, with named hosts", ["a.example.com"], undefined, false],
  ] as const)("%s", async (_name, hosts, authority, expected) => {
    const headers: HeaderInput[] = authority === undefined ? [] : [[":authority", authority]];
    expect(await owned({ hosts }, headers)).toBe(expected);
  });

  it.each([
    ["a path under the prefix", "/pkg.Echo/Who", true],
    ["the prefix itself", "/pkg.Echo/", true],
    ["another service's path", "/pkg.Other/Who", false],
    ["the prefix without its slash", "/pkg.Echo", false],
  ] as const)("paths: %s", async (_name, path, expected) => {
    const headers: HeaderInput[] = [
      [":authority", "a.example.com"],
      [":path", path],
    ];
    expect(await owned({ hosts: ["a.example.com"], paths: ["/pkg.Echo/"] }, headers)).toBe(expected);
  });

  it("the most specific host wins among several services, then the path, with no fallback to a wider host", async () => {
    const svc = (service: string, hosts: string[], paths?: string[]) => ({
      service,
      hosts,
      ...(paths ? { paths } : {}),
      versions: ["v1", service],
    });
    const host = await loadFilter({
      services: [
        svc("all", ["*"]),
        svc("wide", ["*.example.com"]),
        svc("narrow", ["*.a.example.com"]),
        svc("exact", ["x.a.example.com"], ["/one/"]),
        svc("exact-other", ["x.a.example.com"], ["/two/"]),
      ],
    });
    const served = (authority: string, path = "/") =>
      host
        .request([
          [":authority", authority],
          [":path", path],
          ["grpcsvc", "zz"],
        ])
        .headers.strings("grpcsvc");
    // Each service's default is v1; the rewrite shows that a service owned the request, the
    // counters which one (below).
    expect(served("other.test")).toEqual(["v1"]);
    expect(served("b.example.com")).toEqual(["v1"]);
    expect(served("y.a.example.com")).toEqual(["v1"]);
    expect(served("x.a.example.com", "/one/x")).toEqual(["v1"]);
    expect(served("x.a.example.com", "/two/x")).toEqual(["v1"]);
    expect(served("x.a.example.com", "/three")).toEqual(["zz"]);
    host.tick();
    const counted = [...host.counters].filter(([, n]) => n > 0).map(([name, n]) => [name.split(";.;")[0], n]);
    expect(Object.fromEntries(counted)).toEqual({
      "service=.=all": 1,
      "service=.=wide": 1,
      "service=.=narrow": 1,
      "service=.=exact": 1,
      "service=.=exact-other": 1,
    });
  });
});

describe("a list of services is checked as a whole", () => {
  const rejected = async (config: object) => {
    const host = await ProxyWasmHost.load(requireFilterWasm());
    expect(host.configure(JSON.stringify(config))).toBe(false);
    return host.logs.find((l) => l.level === "error")?.message.replace("invalid configuration: ", "");
  };

  it.each([
    [
      "two services claiming one host",
      { services: [SHOP, { ...PAY, hosts: ["A.example.com"] }] },
      `services[1].hosts[0]: "a.example.com" is also shop/grpcsvc's, with overlapping paths`,
    ],
    [
      "two services claiming one host, one path a prefix of the other's",
      {
        services: [
          { ...SHOP, paths: ["/pkg.A/"] },
          { ...PAY, hosts: ["a.example.com"], paths: ["/pkg.A/Who"] },
        ],
      },
      `services[1].hosts[0]: "a.example.com" is also shop/grpcsvc's, with overlapping paths`,
    ],
    ["a service without a name", { services: [SHOP, { ...PAY, service: undefined }] }, "services[1].service: is required"],
    [
      "a name listed twice",
      { services: [SHOP, { ...PAY, service: "shop/grpcsvc" }] },
      `services[1].service: "shop/grpcsvc" is listed twice`,
    ],
    ["an empty list", { services: [] }, "services: must be an array of 1 to 16 services, got an array of 0"],
    ["an entry that is no object", { services: [SHOP, 7] }, "services[1]: must be an object, got a number"],
    ["a field beside the list", { services: [SHOP], versions: ["v1"] }, "versions: unknown field, not one of [services]"],
    [
      "a field of an entry",
      { services: [{ ...SHOP, versions: ["v1", "v,2"] }] },
      `services[0].versions[1]: must be 1 to 128 visible ASCII characters without ',', got "v,2"`,
    ],
    [
      "a host with a port",
      { ...SHOP, hosts: ["a.example.com:80"] },
      `hosts[0]: must be a host name, *.name or * (no port), got "a.example.com:80"`,
    ],
    ["a wildcard inside a name", { ...SHOP, hosts: ["a.*.com"] }, `hosts[0]: must be a host name, *.name or * (no port), got "a.*.com"`],
    ["an empty label", { ...SHOP, hosts: ["a..com"] }, `hosts[0]: must be a host name, *.name or * (no port), got "a..com"`],
    ["no hosts", { ...SHOP, hosts: [] }, "hosts: must be an array of 1 to 16 hosts, got an array of 0"],
    ["a path without its slash", { ...SHOP, paths: ["pkg.A/"] }, `paths[0]: must be / and visible ASCII, at most 256, got "pkg.A/"`],
    [
      "a service name with ';'",
      { ...SHOP, service: "shop;x" },
      `service: must be 1 to 253 visible ASCII characters without ';' or '=', got "shop;x"`,
    ],
  ] as const)("%s", async (_name, config, message) => {
    expect(await rejected(config)).toBe(message);
  });

  it("accepts one host for two services whose paths do not overlap", async () => {
    const host = await loadFilter({
      services: [
        { ...SHOP, paths: ["/pkg.A/"] },
        { ...PAY, hosts: ["a.example.com"], paths: ["/pkg.B/"] },
      ],
    });
    const version = (path: string) =>
      host
        .request([
          [":authority", "a.example.com"],
          [":path", path],
        ])
        .headers.strings("grpcsvc");
    expect(version("/pkg.A/Who")).toEqual(["v1"]);
    expect(version("/pkg.B/Who")).toEqual(["v2"]);
    expect(version("/pkg.C/Who")).toEqual([]);
  });
});
