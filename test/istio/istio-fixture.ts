// The Istio suites' control plane: a local Istio (startIstio), the registry holding the
// filter's image, and one ingress gateway for the enclosing describe, stopped after it, failed
// tests included.
import { afterAll, beforeAll } from "vitest";
import type { IngressGateway } from "../../harness/istio/ingress-gateway.js";
import { moduleUrl, pushModule, startModuleRegistry } from "../../harness/istio/module-registry.js";
import type { OciRegistry } from "../../harness/istio/oci-registry.js";
import { type Istio, startIstio } from "../../harness/istio/start-istio.js";
import { FILTER_WASM } from "../../harness/paths.js";
import { istioSuiteTools } from "../support/suite-gates.js";

/** The gateway's listener: the chart's default port 80 (on all addresses of the private network namespace). */
export const GATEWAY_URL = "http://127.0.0.1:80";

/** build/filter.wasm's image in the suites' registry, as the chart's wasm.url names it. */
export const FILTER_MODULE_URL = moduleUrl("version-router", "test");

/**
 * The local control plane and one ingress gateway for the enclosing describe (a file's
 * suites share them); everything stops after it, failed tests included. `gateway: false`:
 * no gateway is started here (a suite that starts its own, e.g. a Gateway API gateway);
 * `gatewayApi`: the Gateway API CRDs are installed first (startIstio's option).
 */
export function withIstio(
  options: { filterLogLevel?: "info" | "debug"; gateway?: boolean; gatewayApi?: boolean; emulatedVersion?: string } = {},
): {
  istio: () => Istio;
  gateway: () => IngressGateway;
  /** Replaces the gateway with a new one, as a new gateway pod would start. */
  restartGateway: () => Promise<IngressGateway>;
  /** The registry FILTER_MODULE_URL is in. */
  registry: () => OciRegistry;
} {
  let istio: Istio | undefined;
  let gateway: IngressGateway | undefined;
  let registry: OciRegistry | undefined;
  beforeAll(async () => {
    const tools = istioSuiteTools() ?? fail("the Istio tools are not built");
    registry = await startModuleRegistry(tools.registry);
    await pushModule(registry, "version-router", "test", FILTER_WASM);
    istio = await startIstio(tools, {
      gatewayApi: options.gatewayApi ?? false,
      ...(options.emulatedVersion ? { emulatedVersion: options.emulatedVersion } : {}),
    });
    if (options.gateway !== false) gateway = await istio.startGateway(options);
  }, 240_000);
  afterAll(async () => {
    await istio?.stop();
    await registry?.stop();
  }, 60_000);
  return {
    istio: () => istio ?? fail("Istio did not start"),
    registry: () => registry ?? fail("the registry did not start"),
    gateway: () => gateway ?? fail("the gateway did not start"),
    restartGateway: async () => {
      await gateway?.stop();
      gateway = undefined;
      gateway = await (istio ?? fail("Istio did not start")).startGateway(options);
      return gateway;
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}
