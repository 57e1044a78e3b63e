// The decision header through real Envoy: the filter sets `<version>;<reason>`; Envoy's own
// header formatter (%REQ(...)%, as an access log format would) sees it, and the upstream
// receives it exactly once. A client's planted copies never survive.
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Envoy, startEnvoy } from "../../harness/envoy/start-envoy.js";
import { versionRoutes } from "../../harness/envoy/version-routes.js";
import type { EchoReply } from "../../harness/upstreams/echo-proto.js";
import { startUpstreams, type Upstreams } from "../../harness/upstreams/start-upstreams.js";
import { DEFAULT_VERSION_HEADER } from "../../harness/version-header.js";
import { e2eRuntime } from "../support/suite-gates.js";
import { E2E, itLogsNoErrors } from "./with-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];
const DECISION = "x-version-decision";

describe.runIf(E2E)("the decision header through Envoy", () => {
  let upstreams: Upstreams | undefined;
  let envoy: Envoy | undefined;

  beforeAll(async () => {
    upstreams = await startUpstreams(VERSIONS, { reportHeaders: [DECISION] });
    const routing = versionRoutes(upstreams, DEFAULT_VERSION_HEADER);
    // Every route answers with what Envoy saw in the decision header, as an access log would record it.
    for (const route of routing.routes) route.responseHeaders = { ...route.responseHeaders, [`${DECISION}-seen`]: `%REQ(${DECISION})%` };
    envoy = await startEnvoy({
      routing,
      runtime: e2eRuntime(),
      pluginConfig: { versions: VERSIONS, default: "v1", decisionHeader: DECISION, canary: { weights: { v3: 1 } } },
    });
  });
  afterAll(async () => {
    await envoy?.stop();
    await upstreams?.stop();
  });

  /** What Envoy's formatter saw in the decision header; checks the upstream received that value, once. */
  async function seen(headers: string[]): Promise<string | string[] | undefined> {
    const res = await request(`${envoy!.url}/who`, { headers });
    const body = JSON.parse(await res.body.text()) as EchoReply;
    expect(res.statusCode).toBe(200);
    const formatted = res.headers[`${DECISION}-seen`];
    // %REQ() shows only the first copy; the upstream reports every one it received.
    expect(body.headers).toEqual([{ name: DECISION, values: [formatted] }]);
    return formatted;
  }

  it("names the version and the reason for each kind of request", async () => {
    expect(await seen([DEFAULT_VERSION_HEADER, "v2"])).toBe("v2;explicit");
    expect(await seen([DEFAULT_VERSION_HEADER, "nope"])).toBe("v1;invalid");
    expect(await seen([DEFAULT_VERSION_HEADER, "v2", DEFAULT_VERSION_HEADER, "v3"])).toBe("v1;invalid");
    expect(await seen([])).toBe("v3;canary");
  });

  it("replaces what the client planted, one copy or several", async () => {
    expect(await seen([DECISION, "v2;explicit"])).toBe("v3;canary");
    expect(await seen([DECISION, "v2;explicit", DECISION, "v1;cohort", DEFAULT_VERSION_HEADER, "v1"])).toBe("v1;explicit");
  });

  itLogsNoErrors(() => envoy!);
});
