// The demos' reading of the filter's decision line, in Envoy's default log format and in the
// one Istio's bootstrap sets (a tab-separated line that ends with the thread).
import { describe, expect, it } from "vitest";
import { decisionLogged } from "../../harness/demo/demo-requests.js";

const ENVOY =
  '[2026-12-01 11:26:27.287][21940][debug][wasm] [source/extensions/common/wasm/context.cc:1200] wasm log version-router: grpcsvc "v9" -> v1 (invalid)';
const ISTIO =
  "2026-12-01T11:26:27.321316Z\tdebug\tenvoy wasm external/envoy/source/extensions/common/wasm/context.cc:1200\twasm log istio-system.shop-grpcsvc-version-router: shop/grpcsvc: grpcsvc missing -> v1 (default)\tthread=21940";

describe("decisionLogged", () => {
  it("reads the decision from either log format, and only lines after `seen`", async () => {
    expect(await decisionLogged(() => [ENVOY], 0)).toBe('grpcsvc "v9" -> v1 (invalid)');
    expect(await decisionLogged(() => ["starting", ISTIO], 1)).toBe("shop/grpcsvc: grpcsvc missing -> v1 (default)");
    expect(await decisionLogged(() => [ISTIO, "other line"], 1)).toBe("(no decision logged)");
  });
});
