// Test policy, in one place: whether suites that need a real part (Envoy, Docker, Helm,
// Istio, Prometheus) run here. When the part is missing: with REQUIRE_<PART>=1 (CI) that is an error,
// never a skip; on a laptop the suites skip and say why and how to enable them.
import { existsSync } from "node:fs";
import { dockerAnswers } from "../../harness/docker/docker-cli.js";
import { envoyBinary } from "../../harness/envoy/envoy-binary.js";
import type { EnvoyRuntime } from "../../harness/envoy/start-envoy.js";
import { type IstioTools, istioctlBinary, istioTools, kubernetesTools } from "../../harness/istio/istio-tools.js";
import type { KubernetesTools } from "../../harness/istio/start-kubernetes.js";
import { helmAvailable, helmBinary } from "../../harness/manifests/helm.js";
import { type PrometheusTools, prometheusTools } from "../../harness/monitoring/prometheus-tools.js";
import { inPrivateNetns, NETNS_ENV } from "../../harness/netns/private-netns.js";

type Part = "Envoy" | "Docker" | "Helm" | "Istio" | "Prometheus";

export function suitesEnabled(part: Part, available: boolean, why: string): boolean {
  if (available) return true;
  const variable = `REQUIRE_${part.toUpperCase()}`;
  if (process.env[variable] === "1") throw new Error(`${why}; ${variable}=1 forbids skipping`);
  console.warn(`skipping ${part} suites: ${why}`);
  return false;
}

/** Where this vitest project runs the e2e suites' Envoy (ENVOY_RUNTIME, set per project). */
export function e2eRuntime(): EnvoyRuntime {
  return process.env.ENVOY_RUNTIME === "docker" ? "docker" : "process";
}

export function envoySuitesEnabled(): boolean {
  return suitesEnabled("Envoy", existsSync(envoyBinary()), `Envoy not found at ${envoyBinary()}: run 'make envoy' (or set ENVOY_BIN)`);
}

export async function dockerSuitesEnabled(): Promise<boolean> {
  return suitesEnabled(
    "Docker",
    await dockerAnswers(),
    "no Docker engine answers ('docker version' failed): start one, or run .ci/run, which starts its own",
  );
}

export async function helmSuitesEnabled(): Promise<boolean> {
  return suitesEnabled("Helm", await helmAvailable(), `Helm not found (${helmBinary()}): run 'make helm', or put helm 3 on PATH`);
}

/** Prometheus and promtool when the suites that need them run here, else undefined (a skip). */
export function prometheusSuiteTools(): PrometheusTools | undefined {
  const found = prometheusTools();
  if ("missing" in found) {
    suitesEnabled("Prometheus", false, `Prometheus tools not built (${found.missing.join(", ")}): run 'make prometheus', or 'make test'`);
    return undefined;
  }
  return found;
}

/** The Istio tools when the suites that run Istio's control plane run here (tools built, port 80 ours), else undefined (a skip). */
export function istioSuiteTools(): IstioTools | undefined {
  if (!istioSuitesEnabled()) return undefined;
  const found = istioTools();
  return "missing" in found ? undefined : found;
}

/** etcd and kube-apiserver, for the suites that only ask the API server (no istiod, no gateway ports). */
export function kubernetesSuiteTools(): KubernetesTools | undefined {
  const found = kubernetesTools();
  if (!("missing" in found)) return found;
  suitesEnabled("Istio", false, `${found.missing.join(" and ")}: not built; run 'make istio-tools', or 'make test'`);
  return undefined;
}

/** istioctl, for the suites that only analyze manifests offline; they need nothing else of Istio's. */
export function istioctlSuiteBinary(): string | undefined {
  const istioctl = istioctlBinary();
  if (existsSync(istioctl)) return istioctl;
  suitesEnabled("Istio", false, `istioctl not built (${istioctl || "ISTIO_TOOLS_DIR unset"}): run 'make istio-tools', or 'make test'`);
  return undefined;
}

export function istioSuitesEnabled(): boolean {
  const found = istioTools();
  if ("missing" in found) {
    return suitesEnabled("Istio", false, `Istio tools not built (${found.missing.join(", ")}): run 'make istio-tools', or 'make test'`);
  }
  // Istio's agent and gateway listen on all addresses (the gateway on port 80): only inside a
  // private network namespace, where all addresses are its own loopback.
  return suitesEnabled(
    "Istio",
    inPrivateNetns(),
    `the Istio suites run in a private network namespace, which 'make test' and 'make test-istio' enter (harness/netns/run-in-private-netns.ts)${
      process.env[`${NETNS_ENV}_WHY`] ? `, and none could be made here: ${process.env[`${NETNS_ENV}_WHY`]}` : ""
    }`,
  );
}
