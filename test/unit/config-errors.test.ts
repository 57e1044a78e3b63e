// Every way a configuration can be wrong is rejected, with one error line naming the field.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost } from "../../harness/host/index.js";
import { requireFilterWasm } from "./load-filter.js";

const CASES: Array<{ name: string; config: string; message: RegExp }> = [
  { name: "empty", config: "", message: /^configuration: is empty/ },
  { name: "blank", config: " \n\t", message: /^configuration: is empty/ },
  { name: "not JSON", config: "versions: [v1]", message: /^configuration: is not valid JSON: unexpected character at offset 0/ },
  { name: "truncated JSON", config: '{"versions": ["v1"', message: /^configuration: is not valid JSON: expected ',' or '\]' at offset 18/ },
  {
    name: "trailing text",
    config: '{"versions": ["v1"]} x',
    message: /^configuration: is not valid JSON: text after the document/,
  },
  {
    name: "duplicate member",
    config: '{"versions": ["v1"], "versions": ["v2"]}',
    message: /^configuration: is not valid JSON: duplicate member "versions"/,
  },
  { name: "an array, not an object", config: '["v1"]', message: /^configuration: must be a JSON object/ },
  { name: "a string, not an object", config: '"v1"', message: /^configuration: must be a JSON object/ },
  {
    name: "unknown key (a typo)",
    config: '{"versions": ["v1"], "defualt": "v1"}',
    message:
      /^defualt: unknown field, not one of \[service, hosts, paths, header, versions, default, scope, stickyBy, cohorts, canary, restricted, decisionHeader\]$/,
  },
  { name: "versions missing", config: '{"default": "v1"}', message: /^versions: is required/ },
  {
    name: "versions empty",
    config: '{"versions": []}',
    message: /^versions: must be an array of 1 to 32 version names, got an array of 0/,
  },
  {
    name: "versions a string",
    config: '{"versions": "v1,v2"}',
    message: /^versions: must be an array of 1 to 32 version names, got "v1,v2"/,
  },
  { name: "versions null", config: '{"versions": null}', message: /^versions: must be an array of 1 to 32 version names, got null/ },
  {
    name: "a version is a number",
    config: '{"versions": ["v1", 2]}',
    message: /^versions\[1\]: must be 1 to 128 visible ASCII characters without ',', got a number/,
  },
  { name: "a version is empty", config: '{"versions": [""]}', message: /^versions\[0\]: must be 1 to 128/ },
  { name: "a version has a comma", config: '{"versions": ["v1", "v2,v3"]}', message: /^versions\[1\]: must be 1 to 128 .* got "v2,v3"/ },
  { name: "a version has a space", config: '{"versions": ["v 1"]}', message: /^versions\[0\]: must be 1 to 128/ },
  { name: "a version is not ASCII", config: '{"versions": ["vé"]}', message: /^versions\[0\]: must be 1 to 128/ },
  { name: "a version is too long", config: JSON.stringify({ versions: ["v".repeat(129)] }), message: /^versions\[0\]: must be 1 to 128/ },
  { name: "duplicate versions", config: '{"versions": ["v1", "v2", "v1"]}', message: /^versions\[2\]: "v1" is listed twice/ },
  {
    name: "default not listed",
    config: '{"versions": ["v1", "v2"], "default": "v3"}',
    message: /^default: "v3" is not one of versions \[v1, v2\]/,
  },
  { name: "default wrong case", config: '{"versions": ["v1"], "default": "V1"}', message: /^default: "V1" is not one of versions/ },
  { name: "default not a string", config: '{"versions": ["v1"], "default": 1}', message: /^default: must be a string, got a number/ },
  { name: "scope unknown", config: '{"versions": ["v1"], "scope": "http"}', message: /^scope: must be "all" or "grpc", got "http"/ },
  { name: "scope not a string", config: '{"versions": ["v1"], "scope": true}', message: /^scope: must be "all" or "grpc", got true/ },
  { name: "header empty", config: '{"versions": ["v1"], "header": ""}', message: /^header: must be a token of 1 to 256 characters/ },
  {
    name: "header with a space",
    config: '{"versions": ["v1"], "header": "grpc svc"}',
    message: /^header: must be a token of 1 to 256 characters, got "grpc svc"/,
  },
  { name: "header pseudo", config: '{"versions": ["v1"], "header": ":path"}', message: /^header: must be a token of 1 to 256 characters/ },
  {
    name: "header not a string",
    config: '{"versions": ["v1"], "header": ["a"]}',
    message: /^header: must be a token of 1 to 256 characters, got an array of 1/,
  },
  // Progressive delivery fields.
  {
    name: "stickyBy not an object",
    config: '{"versions": ["v1"], "stickyBy": "x-user-id"}',
    message: /^stickyBy: must be an object, got "x-user-id"/,
  },
  {
    name: "stickyBy names nothing",
    config: '{"versions": ["v1"], "stickyBy": {}}',
    message: /^stickyBy: must have exactly one of "header" or "cookie"/,
  },
  {
    name: "stickyBy names both",
    config: '{"versions": ["v1"], "stickyBy": {"header": "a", "cookie": "b"}}',
    message: /^stickyBy: must have exactly one of "header" or "cookie"/,
  },
  {
    name: "stickyBy header invalid",
    config: '{"versions": ["v1"], "stickyBy": {"header": "x user"}}',
    message: /^stickyBy\.header: must be a token of 1 to 256 characters/,
  },
  {
    name: "stickyBy cookie invalid",
    config: '{"versions": ["v1"], "stickyBy": {"cookie": "a;b"}}',
    message: /^stickyBy\.cookie: must be a token of 1 to 256 characters/,
  },
  { name: "stickyBy unknown key", config: '{"versions": ["v1"], "stickyBy": {"heder": "a"}}', message: /^stickyBy\.heder: unknown field/ },
  {
    name: "cohorts not an array",
    config: '{"versions": ["v1"], "cohorts": {}}',
    message: /^cohorts: must be an array of at most 16, got an object/,
  },
  {
    name: "cohort not an object",
    config: '{"versions": ["v1"], "cohorts": [1]}',
    message: /^cohorts\[0\]: must be an object, got a number/,
  },
  {
    name: "cohort without match",
    config: '{"versions": ["v1"], "cohorts": [{"version": "v1"}]}',
    message: /^cohorts\[0\]\.match: is required/,
  },
  {
    name: "cohort match without a kind",
    config: '{"versions": ["v1"], "cohorts": [{"match": {"header": "a"}, "version": "v1"}]}',
    message: /^cohorts\[0\]\.match: must have exactly one of \[exact, prefix, suffix, contains\]$/,
  },
  {
    name: "cohort match with two kinds",
    config: '{"versions": ["v1"], "cohorts": [{"match": {"header": "a", "exact": "x", "prefix": "y"}, "version": "v1"}]}',
    message: /^cohorts\[0\]\.match: must have exactly one of \[exact/,
  },
  {
    name: "cohort match value empty",
    config: '{"versions": ["v1"], "cohorts": [{"match": {"header": "a", "suffix": ""}, "version": "v1"}]}',
    message: /^cohorts\[0\]\.match\.suffix: must be a non-empty string/,
  },
  {
    name: "cohort match key missing",
    config: '{"versions": ["v1"], "cohorts": [{"match": {"exact": "x"}, "version": "v1"}]}',
    message: /^cohorts\[0\]\.match: must have exactly one of "header" or "cookie"/,
  },
  {
    name: "cohort match unknown key",
    config: '{"versions": ["v1"], "cohorts": [{"match": {"header": "a", "equals": "x"}, "version": "v1"}]}',
    message: /^cohorts\[0\]\.match\.equals: unknown field/,
  },
  {
    name: "cohort with version and weights",
    config: '{"versions": ["v1"], "cohorts": [{"match": {"header": "a", "exact": "x"}, "version": "v1", "weights": {"v1": 1}}]}',
    message: /^cohorts\[0\]: must have exactly one of "version" or "weights"/,
  },
  {
    name: "cohort version not listed",
    config:
      '{"versions": ["v1"], "cohorts": [{"match": {"header": "a", "exact": "x"}, "version": "v1"}, {"match": {"cookie": "c", "exact": "x"}, "version": "v7"}]}',
    message: /^cohorts\[1\]\.version: "v7" is not one of versions \[v1\]/,
  },
  {
    name: "cohort weights for an unlisted version",
    config: '{"versions": ["v1"], "cohorts": [{"match": {"header": "a", "exact": "x"}, "weights": {"v1": 1, "v2": 1}}]}',
    message: /^cohorts\[0\]\.weights\.v2: is not one of versions \[v1\]/,
  },
  { name: "canary not an object", config: '{"versions": ["v1"], "canary": 10}', message: /^canary: must be an object, got a number/ },
  { name: "canary without weights", config: '{"versions": ["v1"], "canary": {}}', message: /^canary\.weights: is required/ },
  {
    name: "canary unknown key",
    config: '{"versions": ["v1"], "canary": {"weights": {"v1": 1}, "step": 10}}',
    message: /^canary\.step: unknown field/,
  },
  {
    name: "canary negative weight",
    config: '{"versions": ["v1", "v2"], "canary": {"weights": {"v1": 90, "v2": -10}}}',
    message: /^canary\.weights\.v2: must be an integer from 0 to 1000000, got a number/,
  },
  {
    name: "canary fractional weight",
    config: '{"versions": ["v1", "v2"], "canary": {"weights": {"v1": 9.5}}}',
    message: /^canary\.weights\.v1: must be an integer/,
  },
  {
    name: "canary weight as a string",
    config: '{"versions": ["v1", "v2"], "canary": {"weights": {"v1": "90"}}}',
    message: /^canary\.weights\.v1: must be an integer .* got "90"/,
  },
  {
    name: "canary weight too large",
    config: '{"versions": ["v1"], "canary": {"weights": {"v1": 1000001}}}',
    message: /^canary\.weights\.v1: must be an integer from 0 to 1000000/,
  },
  {
    name: "canary weights sum to 0",
    config: '{"versions": ["v1", "v2"], "canary": {"weights": {"v1": 0, "v2": 0}}}',
    message: /^canary\.weights: needs a weight above 0/,
  },
  {
    name: "canary weights for an unlisted version",
    config: '{"versions": ["v1"], "canary": {"weights": {"v1": 90, "v9": 10}}}',
    message: /^canary\.weights\.v9: is not one of versions \[v1\]/,
  },
  {
    name: "decisionHeader not a header name",
    config: '{"versions": ["v1"], "decisionHeader": "x decision"}',
    message: /^decisionHeader: must be a token of 1 to 256 characters/,
  },
  {
    name: "decisionHeader the same as the version header",
    config: '{"versions": ["v1"], "decisionHeader": "GRPCSVC"}',
    message: /^decisionHeader: must differ from header \(grpcsvc\)/,
  },
  {
    name: "responseHeader, which the routes set now",
    config: '{"versions": ["v1"], "responseHeader": "x-version-served"}',
    message: /^responseHeader: unknown field, not one of \[/,
  },
  {
    name: "a header name of 257 characters",
    config: JSON.stringify({ versions: ["v1"], header: "x".repeat(257) }),
    message: /^header: must be a token of 1 to 256 characters, got "x{64}\.\.\."$/,
  },
  // The largest configuration the filter takes (assembly/config-limits.ts), one past each limit.
  {
    name: "33 versions",
    config: JSON.stringify({ versions: Array.from({ length: 33 }, (_, i) => `v${i}`) }),
    message: /^versions: must be an array of 1 to 32 version names, got an array of 33$/,
  },
  {
    name: "17 hosts",
    config: JSON.stringify({ versions: ["v1"], hosts: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) }),
    message: /^hosts: must be an array of 1 to 16 hosts, got an array of 17$/,
  },
  {
    name: "9 paths",
    config: JSON.stringify({ versions: ["v1"], paths: Array.from({ length: 9 }, (_, i) => `/p${i}/`) }),
    message: /^paths: must be an array of 1 to 8 path prefixes, got an array of 9$/,
  },
  {
    name: "a path of 257 characters",
    config: JSON.stringify({ versions: ["v1"], paths: [`/${"p".repeat(256)}`] }),
    message: /^paths\[0\]: must be \/ and visible ASCII, at most 256, got "\/p{63}\.\.\."$/,
  },
  {
    name: "17 cohorts",
    config: JSON.stringify({
      versions: ["v1"],
      cohorts: Array.from({ length: 17 }, (_, i) => ({ match: { header: "x-user", exact: `u${i}` }, version: "v1" })),
    }),
    message: /^cohorts: must be an array of at most 16, got an array of 17$/,
  },
  {
    name: "restricted: a version not listed",
    config: '{"versions": ["v1", "v2"], "restricted": {"v3": [{"claim": "groups", "includes": "staff"}]}}',
    message: /^restricted\.v3: is not one of versions \[v1, v2\]$/,
  },
  {
    name: "restricted: the default version",
    config: '{"versions": ["v1", "v2"], "restricted": {"v1": [{"claim": "groups", "includes": "staff"}]}}',
    message: /^restricted\.v1: is the default version, where a request without the identity goes: it cannot be restricted$/,
  },
  {
    name: "restricted: no identity",
    config: '{"versions": ["v1", "v2"], "restricted": {"v2": []}}',
    message: /^restricted\.v2: must be an array of 1 to 8 identities, got an array of 0$/,
  },
  {
    name: "restricted: two sources in one identity",
    config: '{"versions": ["v1", "v2"], "restricted": {"v2": [{"claim": "groups", "san": "uri", "exact": "a"}]}}',
    message: /^restricted\.v2\[0\]: must have exactly one of \[claim, san, trustedHeader\]$/,
  },
  {
    name: "restricted: a match the source does not take",
    config: '{"versions": ["v1", "v2"], "restricted": {"v2": [{"san": "uri", "includes": "a"}]}}',
    message: /^restricted\.v2\[0\]: a san must have exactly one of \[exact, prefix\]$/,
  },
  {
    name: "restricted: a SAN of no known type",
    config: '{"versions": ["v1", "v2"], "restricted": {"v2": [{"san": "email", "exact": "a"}]}}',
    message: /^restricted\.v2\[0\]\.san: must be "uri" or "dns" \(which SAN of the client certificate\), got "email"$/,
  },
  {
    name: "restricted: includes of several words",
    config: '{"versions": ["v1", "v2"], "restricted": {"v2": [{"claim": "scope", "includes": "read write"}]}}',
    message: /^restricted\.v2\[0\]\.includes: must be one word/,
  },
  {
    name: "restricted: an empty value",
    config: '{"versions": ["v1", "v2"], "restricted": {"v2": [{"trustedHeader": "x-user", "exact": ""}]}}',
    message: /^restricted\.v2\[0\]\.exact: must be a string of 1 to 256 characters, got ""$/,
  },
  {
    name: "restricted: a claim name with a space",
    config: '{"versions": ["v1", "v2"], "restricted": {"v2": [{"claim": "my groups", "includes": "a"}]}}',
    message: /^restricted\.v2\[0\]\.claim: must be 1 to 256 visible ASCII characters, got "my groups"$/,
  },
  {
    name: "a cohort of a trusted header (restricted versions only)",
    config: '{"versions": ["v1", "v2"], "cohorts": [{"match": {"claim": "groups", "trustedHeader": "x", "exact": "a"}, "version": "v2"}]}',
    message: /^cohorts\[0\]\.match\.trustedHeader: unknown field, not one of \[claim, san, exact, includes, prefix\]$/,
  },
  {
    name: "a header cohort with an identity's match",
    config: '{"versions": ["v1", "v2"], "cohorts": [{"match": {"header": "x", "exact": "a", "includes": "b"}, "version": "v2"}]}',
    message: /^cohorts\[0\]\.match\.includes: unknown field, not one of \[header, cookie, exact, prefix, suffix, contains\]$/,
  },
  {
    name: "a claim cohort with a header's match",
    config: '{"versions": ["v1", "v2"], "cohorts": [{"match": {"claim": "groups", "suffix": "a"}, "version": "v2"}]}',
    message: /^cohorts\[0\]\.match\.suffix: unknown field, not one of \[claim, san, exact, includes, prefix\]$/,
  },
  {
    name: "17 services",
    config: JSON.stringify({
      services: Array.from({ length: 17 }, (_, i) => ({ service: `s${i}`, hosts: [`s${i}.example.com`], versions: ["v1"] })),
    }),
    message: /^services: must be an array of 1 to 16 services, got an array of 17$/,
  },
];

describe("a bad configuration is rejected and names its field", () => {
  it.each(CASES)("$name", async ({ config, message }) => {
    const host = await ProxyWasmHost.load(requireFilterWasm());
    expect(host.configure(config)).toBe(false);
    const errors = host.logs.filter((l) => l.level === "error").map((l) => l.message);
    expect(errors).toHaveLength(1);
    const prefix = "invalid configuration: ";
    expect(errors[0]!.startsWith(prefix)).toBe(true);
    expect(errors[0]!.slice(prefix.length)).toMatch(message);
  });

  it("keeps serving the previous configuration after a rejected one", async () => {
    const host = await ProxyWasmHost.load(requireFilterWasm());
    expect(host.configure('{"versions": ["a", "b"], "default": "b"}')).toBe(true);
    expect(host.configure('{"versions": []}')).toBe(false);
    expect(host.request([["grpcsvc", "x"]]).headers.strings("grpcsvc")).toEqual(["b"]);
  });

  it("accepts JSON with escapes, whitespace and all fields", async () => {
    const host = await ProxyWasmHost.load(requireFilterWasm());
    const config = ' {\n "header" : "x-v\\u0065rsion", "versions":["v\\u0031","v2"],\t"default":"v2","scope":"all"} ';
    expect(host.configure(config)).toBe(true);
    expect(host.request([["x-version", "v1"]]).headers.strings("x-version")).toEqual(["v1"]);
  });

  it("leaves requests alone before any configuration was accepted", async () => {
    const host = await ProxyWasmHost.load(requireFilterWasm());
    expect(host.configure("{}")).toBe(false);
    expect(host.request([["grpcsvc", "x"]]).headers.strings("grpcsvc")).toEqual(["x"]);
  });
});
