// No drift: Envoy's routes and the filter's configuration come from the chart's rendered
// VirtualService, DestinationRule and WasmPlugin. Change the chart, and these tests see it.
import { afterAll, describe, expect, it } from "vitest";
import { openClient, type Protocol } from "../../harness/clients/version-client.js";
import { startEnvoy, type Envoy } from "../../harness/envoy/start-envoy.js";
import { envoyFromManifests } from "../../harness/manifests/envoy-from-manifests.js";
import { helmSuitesEnabled, renderChart } from "../../harness/manifests/helm.js";
import { ENVOY } from "./with-envoy.js";

const HELM = ENVOY && (await helmSuitesEnabled());
const v = (name: string) => ({ name, tag: `${name.slice(1)}.0.0` });

async function envoyForChart(values: object, protocol: "grpc" | "http"): Promise<Envoy> {
  const manifests = envoyFromManifests(await renderChart(values), protocol);
  return startEnvoy({
    versions: manifests.versions,
    header: manifests.header,
    pluginConfig: manifests.pluginConfig,
    routing: (upstreams) => manifests.routing(upstreams),
  });
}

describe.runIf(HELM)("Envoy configured from the rendered chart", () => {
  const envoys: Envoy[] = [];
  afterAll(async () => {
    await Promise.all(envoys.map((e) => e.stop()));
  });
  async function ask(values: object, protocol: Protocol, sent: string[], header = "grpcsvc") {
    const envoy = await envoyForChart(values, protocol === "grpc" ? "grpc" : "http");
    envoys.push(envoy);
    const client = openClient(protocol, envoy.url, header);
    try {
      return await client.send(sent);
    } finally {
      await client.close();
      expect(envoy.errors()).toEqual([]);
    }
  }

  const fourVersions = { versions: [v("v1"), v("v2"), v("v3"), v("v4")], defaultVersion: "v2" };

  it("routes a listed version to its subset", async () => {
    expect(await ask(fourVersions, "grpc", ["v4"])).toMatchObject({ version: "v4", received: ["v4"] });
  });

  it("sends a missing header to the chart's defaultVersion, with the header set", async () => {
    expect(await ask(fourVersions, "grpc", [])).toMatchObject({ version: "v2", received: ["v2"] });
  });

  it("sends an unknown version to the default", async () => {
    expect(await ask(fourVersions, "grpc", ["v9"])).toMatchObject({ version: "v2", received: ["v2"] });
  });

  it("follows a version removed from the chart: it is no longer routable, so it degrades", async () => {
    const values = { versions: [v("v1"), v("v3"), v("v4")], defaultVersion: "v3" };
    expect(await ask(values, "grpc", ["v2"])).toMatchObject({ version: "v3", received: ["v3"] });
  });

  it("follows the chart's header name", async () => {
    const values = { ...fourVersions, header: "x-api-version" };
    expect(await ask(values, "http1", ["v3"], "x-api-version")).toMatchObject({ version: "v3", received: ["v3"] });
    expect(await ask(values, "http2", ["nope"], "x-api-version")).toMatchObject({ version: "v2", received: ["v2"] });
  });

  it("follows the chart's canary: sticky keys land where the weights send them", async () => {
    const values = { stickyBy: { header: "x-user-id" }, canary: { weights: { v1: 0, v3: 1 } }, responseHeader: "x-version-served" };
    const envoy = await envoyForChart(values, "grpc");
    envoys.push(envoy);
    const client = openClient("grpc", envoy.url);
    try {
      for (const user of ["a", "b", "c"]) {
        expect(await client.send([], { extra: { "x-user-id": user } })).toMatchObject({ version: "v3", received: ["v3"], served: "v3" });
      }
      expect(await client.send(["v1"])).toMatchObject({ version: "v1", served: "v1" });
    } finally {
      await client.close();
    }
  });

  it("follows the chart's scope: with scope grpc, HTTP falls to the VirtualService's default route untouched", async () => {
    const values = { service: { port: 8080, protocol: "http" }, wasm: { url: "oci://r/x:1", scope: "grpc" } };
    expect(await ask(values, "http1", ["zz"])).toMatchObject({ version: "v1", received: ["zz"] });
  });
});
