// The Istio suites' control plane: a local Istio (startIstio) and one ingress gateway for the
// enclosing describe, stopped after it, failed tests included.
import { afterAll, beforeAll } from "vitest";
import type { IngressGateway } from "../../harness/istio/ingress-gateway.js";
import { type Istio, startIstio } from "../../harness/istio/start-istio.js";
import { istioSuiteTools } from "../support/suite-gates.js";

/** The gateway's listener: the chart's default port 80, bound to loopback (see LOOPBACK_VALUES in chart-fixture.ts). */
export const GATEWAY_URL = "http://127.0.0.1:80";

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
} {
  let istio: Istio | undefined;
  let gateway: IngressGateway | undefined;
  beforeAll(async () => {
    istio = await startIstio(istioSuiteTools() ?? fail("the Istio tools are not built"), {
      gatewayApi: options.gatewayApi ?? false,
      ...(options.emulatedVersion ? { emulatedVersion: options.emulatedVersion } : {}),
    });
    if (options.gateway !== false) gateway = await istio.startGateway(options);
  }, 240_000);
  afterAll(async () => {
    await istio?.stop();
  }, 60_000);
  return {
    istio: () => istio ?? fail("Istio did not start"),
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
