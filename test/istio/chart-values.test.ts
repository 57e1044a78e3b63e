// The chart's routing values, as Istio turns them into the gateway's configuration: another
// header name, a default other than the first version, a version removed from the list, and
// scope grpc. Change the chart, and these tests see what istiod makes of it.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { openClient, type Protocol } from "../../harness/clients/version-client.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { GATEWAY_URL, withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

const NAMESPACE = "shop";
const v = (name: string) => ({ name, tag: `${name.slice(1)}.0.0` });

describe.runIf(TOOLS)("the chart's routing values through Istio", () => {
  const { istio, gateway } = withIstio();
  // Workloads for every version the value sets name; each set deploys some of them.
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: ["v1", "v2", "v3", "v4"], header: "x-api-version" });

  async function answer(protocol: Protocol, sent: string[], header: string) {
    const client = openClient(protocol, GATEWAY_URL, header);
    try {
      return await client.send(sent);
    } finally {
      await client.close();
    }
  }

  /** Installs or upgrades to these values and waits until the gateway answers `probe` as expected. */
  async function deploy(
    values: Record<string, unknown>,
    probe: { protocol: Protocol; header: string; sent: string[]; version: string; received: string[] },
  ) {
    await chart.deploy(chartValues(values));
    await gateway().waitForListener(80);
    await vi.waitFor(
      async () =>
        expect(await answer(probe.protocol, probe.sent, probe.header)).toMatchObject({ version: probe.version, received: probe.received }),
      { timeout: 30_000, interval: 200 },
    );
  }

  describe("header x-api-version, versions v1, v3, v4 (v2 removed), default v3", () => {
    const values = { versions: [v("v1"), v("v3"), v("v4")], defaultVersion: "v3", header: "x-api-version" };
    beforeAll(() => deploy(values, { protocol: "grpc", header: "x-api-version", sent: ["zz"], version: "v3", received: ["v3"] }), 60_000);

    it("routes a listed version on the chart's header", async () => {
      expect(await answer("grpc", ["v4"], "x-api-version")).toMatchObject({ version: "v4", received: ["v4"] });
    });

    it("sends a missing header to the chart's defaultVersion, with the header set", async () => {
      expect(await answer("grpc", [], "x-api-version")).toMatchObject({ version: "v3", received: ["v3"] });
    });

    it("degrades the removed version to the default: no route is left for it", async () => {
      expect(await answer("grpc", ["v2"], "x-api-version")).toMatchObject({ version: "v3", received: ["v3"] });
    });
  });

  describe("scope grpc on an HTTP service", () => {
    const values = { header: "x-api-version", service: { port: 8080, protocol: "http" }, wasm: { scope: "grpc" } };
    beforeAll(() => deploy(values, { protocol: "http1", header: "x-api-version", sent: ["zz"], version: "v1", received: ["zz"] }), 60_000);

    it("leaves HTTP requests to the VirtualService: an unknown version reaches the default route untouched", async () => {
      expect(await answer("http2", ["zz"], "x-api-version")).toMatchObject({ version: "v1", received: ["zz"] });
      expect(await answer("http1", ["v2"], "x-api-version")).toMatchObject({ version: "v2", received: ["v2"] });
    });
  });
});
