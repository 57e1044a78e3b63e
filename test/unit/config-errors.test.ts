// Every way a configuration can be wrong is rejected, with one error line naming the field.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost } from "../../harness/host/index.js";
import { requireFilterWasm } from "./load-filter.js";

const CASES: Array<{ name: string; config: string; message: RegExp }> = [
  { name: "empty", config: "", message: /^configuration: is empty/ },
  { name: "blank", config: " \n\t", message: /^configuration: is empty/ },
  { name: "not JSON", config: "versions: [v1]", message: /^configuration: is not valid JSON: unexpected character at offset 0/ },
  { name: "truncated JSON", config: '{"versions": ["v1"', message: /^configuration: is not valid JSON: expected ',' or '\]' at offset 18/ },
  { name: "trailing text", config: '{"versions": ["v1"]} x', message: /^configuration: is not valid JSON: unexpected text after the document/ },
  { name: "duplicate member", config: '{"versions": ["v1"], "versions": ["v2"]}', message: /^configuration: is not valid JSON: duplicate member "versions"/ },
  { name: "an array, not an object", config: '["v1"]', message: /^configuration: must be a JSON object/ },
  { name: "a string, not an object", config: '"v1"', message: /^configuration: must be a JSON object/ },
  { name: "unknown key (a typo)", config: '{"versions": ["v1"], "defualt": "v1"}', message: /^defualt: unknown field \(known fields: header, versions, default, scope, stickyBy, cohorts, canary, responseHeader\)/ },
  { name: "versions missing", config: '{"default": "v1"}', message: /^versions: is required/ },
  { name: "versions empty", config: '{"versions": []}', message: /^versions: must be a non-empty array of version names, got an array of 0/ },
  { name: "versions a string", config: '{"versions": "v1,v2"}', message: /^versions: must be a non-empty array of version names, got "v1,v2"/ },
  { name: "versions null", config: '{"versions": null}', message: /^versions: must be a non-empty array/ },
  { name: "a version is a number", config: '{"versions": ["v1", 2]}', message: /^versions\[1\]: must be 1 to 128 visible ASCII characters without ',', got a number/ },
  { name: "a version is empty", config: '{"versions": [""]}', message: /^versions\[0\]: must be 1 to 128/ },
  { name: "a version has a comma", config: '{"versions": ["v1", "v2,v3"]}', message: /^versions\[1\]: must be 1 to 128 .* got "v2,v3"/ },
  { name: "a version has a space", config: '{"versions": ["v 1"]}', message: /^versions\[0\]: must be 1 to 128/ },
  { name: "a version is not ASCII", config: '{"versions": ["vé"]}', message: /^versions\[0\]: must be 1 to 128/ },
  { name: "a version is too long", config: JSON.stringify({ versions: ["v".repeat(129)] }), message: /^versions\[0\]: must be 1 to 128/ },
  { name: "duplicate versions", config: '{"versions": ["v1", "v2", "v1"]}', message: /^versions\[2\]: "v1" is listed twice/ },
  { name: "default not listed", config: '{"versions": ["v1", "v2"], "default": "v3"}', message: /^default: "v3" is not one of versions \[v1, v2\]/ },
  { name: "default wrong case", config: '{"versions": ["v1"], "default": "V1"}', message: /^default: "V1" is not one of versions/ },
  { name: "default not a string", config: '{"versions": ["v1"], "default": 1}', message: /^default: must be a string, got a number/ },
  { name: "scope unknown", config: '{"versions": ["v1"], "scope": "http"}', message: /^scope: must be "all" or "grpc", got "http"/ },
  { name: "scope not a string", config: '{"versions": ["v1"], "scope": true}', message: /^scope: must be "all" or "grpc", got true/ },
  { name: "header empty", config: '{"versions": ["v1"], "header": ""}', message: /^header: must be a header name/ },
  { name: "header with a space", config: '{"versions": ["v1"], "header": "grpc svc"}', message: /^header: must be a header name .* got "grpc svc"/ },
  { name: "header pseudo", config: '{"versions": ["v1"], "header": ":path"}', message: /^header: must be a header name/ },
  { name: "header not a string", config: '{"versions": ["v1"], "header": ["a"]}', message: /^header: must be a header name .* got an array of 1/ },
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
