// The filter's module by oci://, as a cluster gets it: `make image`'s image in CNCF
// Distribution's registry, the chart's wasm.url naming it, and the gateway's own istio-agent
// pulling it, checking its digest and handing Envoy the file. Then what production meets: a
// wrong digest, a private registry and its pull secret, the pull policies, and the registry
// down when a gateway starts or gets an update. When the agent cannot get the module it does
// not refuse the update: it hands Envoy an RBAC filter in the Wasm filter's place, which
// denies every request (FAIL_CLOSE, and FAIL_RELOAD too) or allows it (FAIL_OPEN), until
// istiod next sends that filter (pkg/wasm/convert.go).
import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openClient, type VersionClient } from "../../harness/clients/version-client.js";
import type { EcdsFilter } from "../../harness/istio/ingress-gateway.js";
import { moduleUrl, pushModule } from "../../harness/istio/module-registry.js";
import { type OciRegistry, startOciRegistry } from "../../harness/istio/oci-registry.js";
import { FILTER_WASM, PROJECT_ROOT, TRAP_TEST_WASM } from "../../harness/paths.js";
import { pluginName } from "../support/release-names.js";
import { istioSuiteTools } from "../support/suite-gates.js";
import { chartValues, withChartRelease } from "./chart-fixture.js";
import { expectPulledModule } from "./gateway-checks.js";
import { FILTER_MODULE_URL, GATEWAY_URL, withIstio } from "./istio-fixture.js";

const exec = promisify(execFile);
const TOOLS = istioSuiteTools();
const NAMESPACE = "oci";
const PLUGIN = pluginName(NAMESPACE, "grpcsvc");
const HTTP = { service: { port: 8080, protocol: "http" } };
const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
const RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC";
const STRATEGIES = ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"] as const;
type Strategy = (typeof STRATEGIES)[number];
/** A second registry, private: only this user may pull. */
const PRIVATE_REGISTRY = "127.0.0.1:5001";
const PRIVATE_USER = { username: "gateway", password: "s3cret-pull" };
const PULL_SECRET = "version-router-pull";

describe.runIf(TOOLS)("the filter's module by oci://, pulled by the gateway's istio-agent", () => {
  const { istio, gateway, restartGateway, registry } = withIstio();
  const chart = withChartRelease(istio, { namespace: NAMESPACE, versions: ["v1", "v2", "v3"] });
  let client: VersionClient | undefined;
  /** The digest `make image` prints for build/filter.wasm. */
  let digest = "";
  const deploy = (wasm: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    chart.deploy(chartValues({ ...HTTP, ...extra, wasm: { url: FILTER_MODULE_URL, ...wasm } }));
  const upstreamRequests = () => chart.workloads().upstreams.requests.length;
  const ours = async (): Promise<EcdsFilter | undefined> => (await gateway().ecdsFilters()).find((f) => f.name.includes(PLUGIN));
  const manifestGets = (r: Pick<OciRegistry, "requests">, repository = "version-router") =>
    r.requests().filter((line) => line.startsWith(`GET /v2/${repository}/manifests/`)).length;
  /** The agent's error lines since `from` (an index into its log), the first printed for the record. */
  const agentErrorsSince = (from: number) => {
    const errors = new Set(gateway().agentErrors());
    const lines = gateway()
      .logs()
      .slice(from)
      .filter((line) => errors.has(line));
    if (lines[0]) console.log(`agent: ${lines[0].replace(/^\S+\t/, "")}`);
    return lines;
  };

  /** The filter decides: no header and an invalid one go to `defaultVersion` with the header set, a valid one to its version. */
  async function expectRoutes(defaultVersion = "v1"): Promise<void> {
    for (const [sent, version] of [
      [[], defaultVersion],
      [["v9"], defaultVersion],
      [["v3"], "v3"],
    ] as const) {
      expect(await client!.send([...sent])).toMatchObject({ status: "200", version, received: [version] });
    }
    expect((await ours())?.typeUrl).toBe(WASM_TYPE);
  }

  /** Every request is refused with 403 before any version sees it: the agent's deny-all RBAC filter stands in for the module. */
  async function expectDenies(): Promise<void> {
    const before = upstreamRequests();
    for (const sent of [[], ["v3"], ["v9"]]) expect((await client!.send(sent)).status).toBe("403");
    expect(upstreamRequests()).toBe(before);
    expect((await ours())?.typeUrl).toBe(RBAC_TYPE);
  }

  /** Requests pass without the filter: the routes alone decide, and the header reaches the version as it was sent. */
  async function expectBypasses(): Promise<void> {
    expect(await client!.send([])).toMatchObject({ status: "200", version: "v1", received: [] });
    expect(await client!.send(["v9"])).toMatchObject({ status: "200", version: "v1", received: ["v9"] });
    expect(await client!.send(["v3"])).toMatchObject({ status: "200", version: "v3", received: ["v3"] });
    expect((await ours())?.typeUrl).toBe(RBAC_TYPE);
  }

  /** What requests get when the agent could not fetch the module, by failStrategy. */
  const expectUnfetched = (strategy: Strategy) => (strategy === "FAIL_OPEN" ? expectBypasses() : expectDenies());
  const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 30_000, interval: 250 });

  beforeAll(async () => {
    const { stdout } = await exec("npx", ["tsx", "harness/oci/make-image.ts", "image"], { cwd: PROJECT_ROOT });
    digest = /wasm\.sha256: ([0-9a-f]{64})$/m.exec(stdout)?.[1] ?? "";
    expect(digest, stdout).toMatch(/^[0-9a-f]{64}$/);
    client = openClient("http1", GATEWAY_URL);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
  });

  describe("digest pinning", () => {
    it("with make image's digest in wasm.sha256 the agent pulls the module, keeps it under that digest, and Envoy routes with it", async () => {
      await deploy({ sha256: digest });
      await eventually(() => expectRoutes());
      await expectPulledModule(await ours(), FILTER_WASM);
      // The agent names a module file by the digest it checked.
      expect((await ours())!.wasmFile!.endsWith(`/${digest}.wasm`)).toBe(true);
    });

    it("an oci:// URL ending in @sha256:<digest> pins it the same way", async () => {
      await deploy({ url: `oci://${registry().host}/version-router@sha256:${digest}` }, { defaultVersion: "v2" });
      await eventually(() => expectRoutes("v2"));
      expect((await ours())!.wasmFile!.endsWith(`/${digest}.wasm`)).toBe(true);
    });

    describe.each(STRATEGIES)("a wrong digest, failStrategy %s", (failStrategy) => {
      let wrong = "";
      let logFrom = 0;
      beforeAll(async () => {
        // A plausible mistake: the digest of another image in the same registry.
        wrong = await pushModule(registry(), "version-router-trap-test", "test", TRAP_TEST_WASM);
        logFrom = gateway().logs().length;
        await deploy({ sha256: wrong, failStrategy });
      });
      afterAll(async () => {
        await deploy({ sha256: digest, failStrategy });
        await eventually(() => expectRoutes());
      });

      it(`is refused by the agent, which names both digests, and the running gateway ${failStrategy === "FAIL_OPEN" ? "passes requests on without the filter" : "denies every request"}`, async () => {
        await eventually(() => expectUnfetched(failStrategy));
        const errors = agentErrorsSince(logFrom).join("\n");
        expect(errors).toContain(`module downloaded from ${FILTER_MODULE_URL} has checksum ${digest}, which does not match: ${wrong}`);
        expect(errors).toContain(`applying ${failStrategy === "FAIL_OPEN" ? "allow" : "deny"} RBAC filter`);
      });
    });
  });

  describe("a private registry", () => {
    let secured: OciRegistry | undefined;
    let realmless: OciRegistry | undefined;
    const privateUrl = moduleUrl("version-router", "private", PRIVATE_REGISTRY);
    const secretPath = `/api/v1/namespaces/istio-system/secrets/${PULL_SECRET}`;
    /** The pull secret a user creates in the WasmPlugin's namespace, as `kubectl create secret docker-registry` makes it. */
    const applyPullSecret = (registries: string[]) => {
      const auth = Buffer.from(`${PRIVATE_USER.username}:${PRIVATE_USER.password}`).toString("base64");
      const config = JSON.stringify({ auths: Object.fromEntries(registries.map((r) => [r, { auth }])) });
      return istio().kube.apply({
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/dockerconfigjson",
        metadata: { name: PULL_SECRET, namespace: "istio-system" },
        data: { ".dockerconfigjson": Buffer.from(config).toString("base64") },
      });
    };
    beforeAll(async () => {
      secured = await startOciRegistry(TOOLS!.registry, { host: PRIVATE_REGISTRY, user: PRIVATE_USER });
      await pushModule(secured, "version-router", "private", FILTER_WASM, PRIVATE_USER);
    });
    afterAll(async () => {
      await istio()
        .kube.call("DELETE", secretPath)
        .catch(() => undefined);
      await secured?.stop();
      await realmless?.stop();
      await deploy({});
      await eventually(() => expectRoutes());
    });

    it("without imagePullSecret the registry refuses the agent (401) and the gateway denies every request", async () => {
      const from = gateway().logs().length;
      await deploy({ url: privateUrl, failStrategy: "FAIL_CLOSE" });
      await eventually(() => expectDenies());
      expect(secured!.requests()).toContain("GET /v2/version-router/manifests/private 401");
      expect(secured!.requests().filter((r) => r.endsWith(" 200"))).toEqual([]);
      expect(agentErrorsSince(from).join("\n")).toMatch(/could not fetch Wasm OCI image: .*UNAUTHORIZED/);
    });

    it("an imagePullSecret whose Secret does not exist: istiod sends none, and the agent says so", async () => {
      const from = gateway().logs().length;
      await deploy({ url: privateUrl, failStrategy: "FAIL_CLOSE", imagePullSecret: PULL_SECRET }, { defaultVersion: "v2" });
      await eventually(async () => {
        expect(agentErrorsSince(from).join("\n")).toContain(
          `cannot fetch Wasm module istio-system.${PLUGIN}~istio-translated-wasmplugin: missing image pulling secret`,
        );
      });
      await expectDenies();
    });

    it("once the Secret (kubernetes.io/dockerconfigjson) exists, istiod hands it to the agent over mTLS, the pull succeeds and the filter routes", async () => {
      const before = manifestGets(secured!);
      await applyPullSecret([PRIVATE_REGISTRY]);
      // No upgrade: the Secret's arrival alone makes istiod send the filter again.
      await eventually(() => expectRoutes("v2"));
      expect(secured!.requests().slice(-10)).toContain("GET /v2/version-router/manifests/private 200");
      expect(manifestGets(secured!)).toBeGreaterThan(before);
      await expectPulledModule(await ours(), FILTER_WASM);
    });

    it("a registry whose 401 names a realm that is not a public http(s) URL is refused by the agent's SSRF guard, the right password notwithstanding", async () => {
      const host = "127.0.0.1:5002";
      realmless = await startOciRegistry(TOOLS!.registry, { host, user: PRIVATE_USER, realm: "version-router" });
      await pushModule(realmless, "version-router", "private", FILTER_WASM, PRIVATE_USER);
      await applyPullSecret([PRIVATE_REGISTRY, host]);
      const from = gateway().logs().length;
      await deploy({ url: moduleUrl("version-router", "private", host), failStrategy: "FAIL_CLOSE", imagePullSecret: PULL_SECRET });
      await eventually(() => expectDenies());
      expect(agentErrorsSince(from).join("\n")).toContain('rejected unsafe bearer realm: realm scheme "" not allowed');
      expect(manifestGets(realmless)).toBe(0);
    });
  });

  describe("imagePullPolicy", () => {
    it("IfNotPresent (the chart's default): a pluginConfig change applies without a pull", async () => {
      await deploy({ imagePullPolicy: "IfNotPresent" });
      await eventually(() => expectRoutes());
      const before = manifestGets(registry());
      await deploy({ imagePullPolicy: "IfNotPresent" }, { defaultVersion: "v2" });
      await eventually(() => expectRoutes("v2"));
      expect(manifestGets(registry())).toBe(before);
    });

    it("Always: every change of the WasmPlugin makes the agent fetch the manifest again", async () => {
      await deploy({ imagePullPolicy: "Always" });
      await eventually(() => expectRoutes());
      const before = manifestGets(registry());
      await deploy({ imagePullPolicy: "Always" }, { defaultVersion: "v3" });
      await eventually(() => expectRoutes("v3"));
      expect(manifestGets(registry())).toBeGreaterThan(before);
    });
  });

  describe("the registry down", () => {
    afterAll(async () => {
      await registry().up();
    });

    it("a running gateway gets a pluginConfig change with IfNotPresent: applied from the agent's cache", async () => {
      await deploy({});
      await eventually(() => expectRoutes());
      await registry().down();
      const from = gateway().logs().length;
      await deploy({}, { defaultVersion: "v2" });
      await eventually(() => expectRoutes("v2"));
      expect(agentErrorsSince(from)).toEqual([]);
      await registry().up();
    });

    describe.each(STRATEGIES)("failStrategy %s", (failStrategy) => {
      it(`a running gateway gets a change with imagePullPolicy Always: the pull fails and the gateway ${failStrategy === "FAIL_OPEN" ? "runs without the filter" : "denies every request"}; the next change once the registry is back restores it`, async () => {
        await deploy({ failStrategy, imagePullPolicy: "Always" });
        await eventually(() => expectRoutes());
        await registry().down();
        const from = gateway().logs().length;
        await deploy({ failStrategy, imagePullPolicy: "Always" }, { defaultVersion: "v2" });
        await eventually(() => expectUnfetched(failStrategy));
        expect(agentErrorsSince(from).join("\n")).toMatch(/could not fetch Wasm OCI image: .*connection refused/);
        await registry().up();
        await deploy({ failStrategy, imagePullPolicy: "Always" });
        await eventually(() => expectRoutes());
      });

      it("a new gateway starts while the registry is down: no module, and none after the registry is back, until istiod sends the filter again", async () => {
        await deploy({ failStrategy });
        await eventually(() => expectRoutes());
        await registry().down();
        await restartGateway();
        await gateway().waitForListener(80);
        await eventually(() => expectUnfetched(failStrategy));
        expect(agentErrorsSince(0).join("\n")).toMatch(/could not fetch Wasm OCI image: .*connection refused/);
        expect(await gateway().cachedModules()).toEqual([]);
        // Istio's readiness probe does not see it: the pod is Ready and gets traffic.
        expect((await fetch(gateway().readyUrl)).status).toBe(200);
        await registry().up();
        // The agent fetches only when a filter arrives: back for 10 s, the registry is still not asked.
        const asked = manifestGets(registry());
        await sleep(10_000);
        await expectUnfetched(failStrategy);
        expect(manifestGets(registry())).toBe(asked);
        // Any change of the WasmPlugin (here an annotation, as `kubectl annotate` makes) brings it back.
        await istio().kube.call(
          "PATCH",
          `/apis/extensions.istio.io/v1alpha1/namespaces/istio-system/wasmplugins/${PLUGIN}`,
          { metadata: { annotations: { "version-router.io/refetch": String(Date.now()) } } },
          "application/merge-patch+json",
        );
        await eventually(() => expectRoutes());
        expect(manifestGets(registry())).toBeGreaterThan(asked);
      });
    });
  });
});
