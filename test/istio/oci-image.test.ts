// The WasmPlugin's OCI image, fetched by Istio's own code. `make image` builds the image, it
// is pushed to CNCF Distribution's registry on loopback, and the chart names it with
// oci://. istiod then sends the gateway a remote Wasm source meant for istio-agent; Istio's
// pkg/wasm (what istio-agent runs on every ECDS response) pulls it and rewrites the resource
// to a local file, whose bytes must be build/filter.wasm. pilot-agent itself cannot run
// here: its status server listens on all addresses (see README, On Istio).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { docker } from "../../harness/docker/docker-cli.js";
import { buildPluginImage } from "../../harness/docker/images.js";
import { type OciRegistry, startOciRegistry } from "../../harness/istio/oci-registry.js";
import { FILTER_WASM } from "../../harness/paths.js";
import { pluginName } from "../support/release-names.js";
import { dockerSuitesEnabled, istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { withIstio } from "./istio-fixture.js";

const TOOLS = istioSuiteTools();

const DOCKER = TOOLS && (await dockerSuitesEnabled());
const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";

/** A Wasm filter config as istiod's debug endpoint prints it (proto JSON names). */
interface SentWasm {
  "@type": string;
  config: { name: string; vmConfig: { code: { remote?: { httpUri: { uri: string } } } }; configuration: { value: string } };
}

/** An ECDS resource as Envoy receives it (Envoy's field names). */
interface EcdsResource {
  name: string;
  typed_config: {
    "@type": string;
    config: {
      vm_config: { code: { remote?: { http_uri: { uri: string } }; local?: { filename: string } } };
      configuration: { value: string };
    };
  };
}

describe.runIf(DOCKER)("the WasmPlugin's OCI image through Istio's Wasm fetcher", () => {
  const { istio, gateway } = withIstio();
  const chart = withChartRelease(istio, { namespace: "shop", versions: ["v1", "v2", "v3"] });
  let registry: OciRegistry | undefined;
  let image = "";
  let cacheDir = "";

  /** What istiod sends this gateway over ECDS (its /debug/ecdsz), our filter's resource. */
  async function sentByIstiod(): Promise<{ dump: string; ours?: SentWasm }> {
    const proxyID = `${gateway().identity.podName}.${gateway().identity.namespace}`;
    const dump = await (await fetch(`${istio().istiod.httpUrl}/debug/ecdsz?proxyID=${proxyID}`)).text();
    const configs = (JSON.parse(dump) as { configs?: SentWasm[] }).configs ?? [];
    return { dump, ours: configs.find((c) => c.config.name.includes(pluginName("shop", "grpcsvc"))) };
  }

  beforeAll(async () => {
    registry = await startOciRegistry(TOOLS!.registry);
    image = `${registry.host}/version-router:0.1.0`;
    // What `make image IMAGE=...` runs, then the push a user would do.
    await buildPluginImage(image, FILTER_WASM);
    await docker(["push", image]);
    cacheDir = await mkdtemp(join(tmpdir(), "version-router-wasm-cache-"));
    await chart.deploy(chartValues({ wasm: { url: `oci://${image}` } }));
    await gateway().waitForListener(80);
  }, 180_000);

  afterAll(async () => {
    await registry?.stop();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
    if (image) await docker(["image", "rm", image]).catch(() => undefined);
  });

  it("istiod sends the gateway a remote Wasm source naming the oci:// image, with the chart's pluginConfig", async () => {
    await vi.waitFor(async () => expect((await sentByIstiod()).ours).toBeDefined(), { timeout: 30_000, interval: 200 });
    const { ours } = await sentByIstiod();
    expect(ours!["@type"]).toBe(WASM_TYPE);
    expect(ours!.config.vmConfig.code.remote?.httpUri.uri).toBe(`oci://${image}`);
    expect(JSON.parse(ours!.config.configuration.value)).toEqual({
      service: "shop/grpcsvc",
      header: "grpcsvc",
      versions: ["v1", "v2", "v3"],
      default: "v1",
      scope: "all",
    });
  });

  it("a plain Envoy, without istio-agent in front of it, rejects that source", async () => {
    await vi.waitFor(
      async () => {
        const stats = await gateway().stats("^extension_config_discovery\\..*shop-grpcsvc-version-router.*\\.update_rejected$");
        expect([...stats.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it("Istio's pkg/wasm pulls the image from the registry and hands over a local file: build/filter.wasm, byte for byte", async () => {
    const { dump } = await sentByIstiod();
    const out = join(cacheDir, "converted.json");
    const child = execFile(TOOLS!.wasmFetch, ["--cache-dir", cacheDir, "--insecure-registries", registry!.host, "--out", out]);
    child.stdin!.end(dump);
    let log = "";
    child.stderr!.on("data", (d) => (log += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, log).toBe(0);
    const stdout = await readFile(out, "utf8");
    const converted = ((JSON.parse(stdout) as { configs: EcdsResource[] }).configs ?? []).find((c) =>
      c.name.includes(pluginName("shop", "grpcsvc")),
    );
    const local = converted?.typed_config.config.vm_config.code.local?.filename;
    expect(local, stdout.slice(0, 500)).toBeDefined();
    expect(local!.startsWith(cacheDir)).toBe(true);
    expect(converted!.typed_config.config.vm_config.code.remote).toBeUndefined();
    expect(Buffer.compare(await readFile(local!), await readFile(FILTER_WASM))).toBe(0);
    // The rest of the resource is what istiod sent: the filter's configuration is untouched.
    expect(JSON.parse(converted!.typed_config.config.configuration.value)).toMatchObject({ versions: ["v1", "v2", "v3"], default: "v1" });
  });

  it("the registry holds the image as pushed: one layer, the module", async () => {
    const accept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";
    const res = await fetch(`http://${registry!.host}/v2/version-router/manifests/0.1.0`, { headers: { accept } });
    expect(res.status).toBe(200);
    const manifest = (await res.json()) as { layers: Array<{ size: number }> };
    expect(manifest.layers).toHaveLength(1);
  });
});
