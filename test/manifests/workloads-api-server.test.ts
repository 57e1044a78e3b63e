// Every value set the chart suites name, applied to a real kube-apiserver as server-side dry-run
// creates: Kubernetes' own schemas and defaulting validate the Deployments, HPAs, PDBs,
// ServiceAccounts and Services the chart renders, and in namespaces labelled for Pod Security's
// restricted profile (enforce and warn) its admission evaluates every pod template and answers
// with a Warning for what would violate it: none for the chart's defaults, and one naming the
// field for values that break the profile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../harness/istio/kube-client.js";
import { type Kubernetes, startKubernetes } from "../../harness/istio/start-kubernetes.js";
import { type K8sObject, renderChart } from "../../harness/manifests/helm.js";
import { CHART_VALUE_SETS, EACH_OVERRIDE_ON_V2, GATEWAY_API_VALUE_SETS, v } from "../support/chart-value-sets.js";
import { SHARED_RELEASES, sharedLayoutValues } from "../support/shared-gateway-releases.js";
import { helmSuitesEnabled, kubernetesSuiteTools } from "../support/suite-gates.js";

const KUBE = kubernetesSuiteTools();
const HELM = await helmSuitesEnabled();

/** The kinds of Kubernetes' own API the chart renders (the Istio, Gateway API and monitoring kinds need their CRDs). */
const KINDS = new Set(["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount", "Service"]);
const RELEASE_NAMESPACE = "shop";
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" };

/** The two-version release with an override of each kind, and the workload values it leaves at their defaults set too. */
const EVERY_WORKLOAD_VALUE = {
  ...EACH_OVERRIDE_ON_V2,
  autoscaling: { enabled: true, maxReplicas: 10, targetMemoryUtilizationPercentage: 75 },
  serviceAccount: { annotations: { "iam.example.com/role": "grpcsvc" }, automount: true },
  startupProbe: { grpc: {}, failureThreshold: 30 },
  readinessProbe: { tcpSocket: null, httpGet: { path: "/ready" } },
  strategy: { type: "Recreate", rollingUpdate: null },
};

const VALUE_SETS: Array<{ name: string; values: Record<string, unknown> }> = [
  { name: "the defaults", values: {} },
  ...CHART_VALUE_SETS.map(({ name, values }) => ({ name: `chart: ${name}`, values })),
  ...GATEWAY_API_VALUE_SETS.map(({ name, values }) => ({ name: `gateway API: ${name}`, values })),
  ...SHARED_RELEASES.map((r) => ({ name: `shared gateway: ${r.release}`, values: r.values })),
  { name: "the shared layout", values: sharedLayoutValues() },
  { name: "every workload value, with an override of each kind", values: EVERY_WORKLOAD_VALUE },
  {
    name: "an HTTP service with HTTP probes",
    values: { service: { port: 8080, protocol: "http" }, livenessProbe: { tcpSocket: null, httpGet: { path: "/healthz" } } },
  },
];

describe.runIf(KUBE && HELM)("the versions' workloads on a real kube-apiserver", () => {
  let kube: Kubernetes;
  const namespaces = new Set<string>();
  beforeAll(async () => {
    kube = await startKubernetes(KUBE!);
  });
  afterAll(async () => {
    await kube?.stop();
  });

  async function ensureNamespace(name: string): Promise<void> {
    if (namespaces.has(name)) return;
    await kube.client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: RESTRICTED } });
    namespaces.add(name);
  }

  /** Each Kubernetes object of the rendering, dry-run created where Helm would put it; the answers and warnings by object. */
  async function dryRun(values: Record<string, unknown>) {
    const objects = (await renderChart(values, RELEASE_NAMESPACE)).filter((o) => KINDS.has(o.kind));
    const answers: Array<{ id: string; sent: K8sObject; stored: KubeObject & { spec?: Record<string, unknown> }; warnings: string[] }> = [];
    for (const object of objects) {
      const namespace = object.metadata.namespace ?? RELEASE_NAMESPACE;
      await ensureNamespace(namespace);
      const sent = { ...object, metadata: { ...object.metadata, namespace } };
      const { object: stored, warnings } = await kube.client.dryRunCreateWarnings(sent as KubeObject).catch((e: Error) => {
        throw new Error(`${object.kind} ${namespace}/${object.metadata.name}: ${e.message}`);
      });
      answers.push({ id: `${object.kind} ${namespace}/${object.metadata.name}`, sent, stored, warnings });
    }
    return answers;
  }

  for (const { name, values } of VALUE_SETS) {
    it(`${name}: every object admitted and defaulted, no Pod Security warning`, async () => {
      const answers = await dryRun(values);
      expect(answers.filter((a) => a.sent.kind === "Deployment").length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.warnings.length > 0).map((a) => `${a.id}: ${a.warnings.join("; ")}`)).toEqual([]);
      for (const a of answers.filter((x) => x.sent.kind === "Deployment")) {
        // Defaulted by the API server, not by the chart: it was admitted as Kubernetes stores it.
        const container = (a.stored.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec
          .containers[0]!;
        expect(container.terminationMessagePolicy, a.id).toBe("File");
      }
    });
  }

  it("the two-version release's objects, as the API server would store them", async () => {
    const answers = await dryRun(EVERY_WORKLOAD_VALUE);
    expect(answers.map((a) => a.id).sort()).toEqual(
      [
        "Deployment shop/grpcsvc-v1",
        "Deployment shop/grpcsvc-v2",
        "HorizontalPodAutoscaler shop/grpcsvc-v1",
        "PodDisruptionBudget shop/grpcsvc-v1",
        "Service shop/grpcsvc",
        "ServiceAccount shop/grpcsvc",
      ].sort(),
    );
    const hpa = answers.find((a) => a.id === "HorizontalPodAutoscaler shop/grpcsvc-v1")!.stored.spec as Record<string, unknown>;
    expect(hpa).toMatchObject({ minReplicas: 1, maxReplicas: 10 });
    expect(hpa.metrics).toHaveLength(2);
    const v1 = answers.find((a) => a.id === "Deployment shop/grpcsvc-v1")!.stored.spec as Record<string, unknown>;
    // An HPA owns v1's replicas: the chart sent none, the API server defaulted 1.
    expect(answers.find((a) => a.id === "Deployment shop/grpcsvc-v1")!.sent.spec).not.toHaveProperty("replicas");
    expect(v1).toMatchObject({ replicas: 1, progressDeadlineSeconds: 600 });
    expect(v1.strategy).toEqual({ type: "Recreate" });
  });

  const BREAKING: Array<{ name: string; values: Record<string, unknown>; deployments: string[]; field: RegExp }> = [
    {
      name: "privilege escalation on the canary only",
      values: { versions: [v("v1"), { ...v("v2"), securityContext: { allowPrivilegeEscalation: true } }], defaultVersion: "v1" },
      deployments: ["grpcsvc-v2"],
      field: /allowPrivilegeEscalation != false \(container "grpcsvc" must set securityContext\.allowPrivilegeEscalation=false\)/,
    },
    {
      name: "root allowed",
      values: { podSecurityContext: { runAsNonRoot: false } },
      deployments: ["grpcsvc-v1", "grpcsvc-v2", "grpcsvc-v3"],
      field: /runAsNonRoot != true \(pod must not set securityContext\.runAsNonRoot=false\)/,
    },
    {
      name: "a capability added",
      values: { securityContext: { capabilities: { drop: ["ALL"], add: ["NET_ADMIN"] } } },
      deployments: ["grpcsvc-v1", "grpcsvc-v2", "grpcsvc-v3"],
      field: /unrestricted capabilities \(container "grpcsvc" must not include "NET_ADMIN" in securityContext\.capabilities\.add\)/,
    },
    {
      name: "no seccomp profile",
      values: { podSecurityContext: { seccompProfile: null } },
      deployments: ["grpcsvc-v1", "grpcsvc-v2", "grpcsvc-v3"],
      field:
        /seccompProfile \(pod or container "grpcsvc" must set securityContext\.seccompProfile\.type to "RuntimeDefault" or "Localhost"\)/,
    },
  ];

  for (const { name, values, deployments, field } of BREAKING) {
    it(`${name}: Pod Security warns for exactly the Deployments it breaks, naming the field`, async () => {
      const answers = (await dryRun(values)).filter((a) => a.sent.kind === "Deployment");
      const warned = answers.filter((a) => a.warnings.length > 0);
      expect(warned.map((a) => a.sent.metadata.name)).toEqual(deployments);
      for (const a of warned) {
        expect(a.warnings, a.id).toEqual([expect.stringMatching(/^would violate PodSecurity "restricted:latest": /)]);
        expect(a.warnings[0], a.id).toMatch(field);
      }
    });
  }
});
