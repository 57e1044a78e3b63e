// The versions' workloads as helm template renders them: the standard workload values on every
// version's Deployment, an HPA and a PDB per version when asked, one ServiceAccount per service,
// each version's overrides merged by the one rule (maps merged key by key, anything else
// replaced, null removes), and a removed or renamed version leaving no object behind.
import { describe, expect, it } from "vitest";
import { type K8sObject, renderChart, renderError } from "../../harness/manifests/helm.js";
import { validateObject } from "../../harness/manifests/validate-objects.js";
import { EACH_OVERRIDE_ON_V2, GATEWAY_API, v } from "../support/chart-value-sets.js";
import { expectSelectorsSelectTheirPods } from "../support/selectors.js";
import { helmSuitesEnabled } from "../support/suite-gates.js";

const HELM = await helmSuitesEnabled();

// biome-ignore lint/suspicious/noExplicitAny: rendered specs are checked field by field.
type Any = any;
const named = (objects: K8sObject[], kind: string, name: string): Any => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0];
};
const pod = (objects: K8sObject[], version: string): Any => named(objects, "Deployment", `grpcsvc-${version}`).spec.template;
const container = (objects: K8sObject[], version: string): Any => pod(objects, version).spec.containers[0];
const ids = (objects: K8sObject[]) => objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort();

describe.runIf(HELM)("the versions' workloads", () => {
  it("by default: non-root, no privilege escalation, no capabilities, read-only root with /tmp, requests and limits, probes, a ServiceAccount", async () => {
    const objects = await renderChart({});
    for (const version of ["v1", "v2", "v3"]) {
      const { spec } = pod(objects, version);
      expect(spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(spec.serviceAccountName).toBe("grpcsvc");
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
      const c = container(objects, version);
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
      expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } });
      expect(c.livenessProbe).toEqual({ tcpSocket: { port: "grpc" }, periodSeconds: 10 });
      expect(c.readinessProbe).toEqual({ tcpSocket: { port: "grpc" }, periodSeconds: 5 });
      expect(c.startupProbe).toBeUndefined();
      expect(c.env).toEqual([{ name: "SERVICE_VERSION", value: version }]);
      const deployment = named(objects, "Deployment", `grpcsvc-${version}`);
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.revisionHistoryLimit).toBe(10);
      expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    }
    expect(named(objects, "ServiceAccount", "grpcsvc")).toMatchObject({ automountServiceAccountToken: false });
    expect(objects.filter((o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "PodDisruptionBudget")).toEqual([]);
  });

  it("gRPC and HTTP probes get the service's port: the number for grpc, the port's name for httpGet", async () => {
    const objects = await renderChart({
      service: { port: 8080, protocol: "http" },
      livenessProbe: { tcpSocket: null, httpGet: { path: "/healthz" } },
      readinessProbe: { tcpSocket: null, grpc: { service: "ready" } },
      startupProbe: { httpGet: { path: "/started", port: 9000 }, failureThreshold: 30 },
    });
    const c = container(objects, "v1");
    expect(c.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 });
    expect(c.readinessProbe).toEqual({ grpc: { service: "ready", port: 8080 }, periodSeconds: 5 });
    expect(c.startupProbe).toEqual({ httpGet: { path: "/started", port: 9000 }, failureThreshold: 30 });
  });

  describe("a two-version release with one override of each kind on v2", () => {
    const values = EACH_OVERRIDE_ON_V2;

    it("renders v1 from the release's values and v2 with its overrides merged over them", async () => {
      const objects = await renderChart(values);
      for (const o of objects) validateObject(o);
      expectSelectorsSelectTheirPods(objects, "grpcsvc", ["v1", "v2"]);

      // v1: the release's values. It is autoscaled, so its Deployment leaves replicas to the HPA.
      const v1 = named(objects, "Deployment", "grpcsvc-v1");
      expect(v1.spec).not.toHaveProperty("replicas");
      expect(named(objects, "HorizontalPodAutoscaler", "grpcsvc-v1").spec).toEqual({
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "grpcsvc-v1" },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
      });
      expect(named(objects, "PodDisruptionBudget", "grpcsvc-v1").spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { app: "grpcsvc", version: "v1" } },
      });
      expect(container(objects, "v1").image).toBe("registry.example.com/grpcsvc:1.0.0");
      expect(container(objects, "v1").livenessProbe).toBeDefined();
      expect(pod(objects, "v1").metadata).toEqual({
        annotations: { "prometheus.io/scrape": "true" },
        labels: { team: "shop", app: "grpcsvc", version: "v1" },
      });
      const v1Pod = pod(objects, "v1").spec;
      expect(v1Pod.tolerations).toEqual(values.tolerations);
      expect(v1Pod.nodeSelector).toEqual(values.nodeSelector);
      expect(v1Pod.affinity).toEqual(values.affinity);
      expect(v1Pod.imagePullSecrets).toEqual([{ name: "regcred" }]);
      expect(v1Pod.topologySpreadConstraints).toEqual([
        { ...values.topologySpreadConstraints[0], labelSelector: { matchLabels: { app: "grpcsvc", version: "v1" } } },
      ]);

      // v2: each kind of value by the rule.
      const v2 = named(objects, "Deployment", "grpcsvc-v2");
      expect(v2.spec.replicas).toBe(1);
      expect(
        objects
          .filter((o) => o.metadata.name === "grpcsvc-v2")
          .map((o) => o.kind)
          .sort(),
      ).toEqual(["Deployment"]);
      const c2 = container(objects, "v2");
      expect(c2.image).toBe("registry.example.com/grpcsvc-canary:2.0.0");
      expect(c2.imagePullPolicy).toBe("IfNotPresent");
      expect(c2.resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } });
      expect(c2.env).toEqual([
        { name: "SERVICE_VERSION", value: "v2" },
        { name: "CANARY", value: "1" },
      ]);
      expect(c2.livenessProbe).toBeUndefined();
      expect(c2.readinessProbe).toEqual({ tcpSocket: { port: "grpc" }, periodSeconds: 5 });
      expect(pod(objects, "v2").spec.tolerations).toEqual([{ key: "canary", operator: "Exists" }]);
      expect(pod(objects, "v2").metadata.annotations).toEqual({ "prometheus.io/scrape": "true", "canary.example.com/wave": "1" });

      // One ServiceAccount for both: the service's identity.
      expect(objects.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata)).toEqual([
        expect.objectContaining({ name: "grpcsvc", annotations: { "iam.example.com/role": "grpcsvc" } }),
      ]);
      expect(pod(objects, "v2").spec.serviceAccountName).toBe("grpcsvc");
    });
  });

  it("an existing ServiceAccount, or the namespace's default, is used and none created", async () => {
    const existing = await renderChart({ serviceAccount: { create: false, name: "shop-apps" } });
    expect(existing.filter((o) => o.kind === "ServiceAccount")).toEqual([]);
    expect(pod(existing, "v1").spec.serviceAccountName).toBe("shop-apps");
    expect(pod(await renderChart({ serviceAccount: { create: false } }), "v1").spec.serviceAccountName).toBe("default");
  });

  it("a PDB by minAvailable, and memory as an autoscaling target", async () => {
    const objects = await renderChart({
      podDisruptionBudget: { enabled: true, minAvailable: "50%", maxUnavailable: null },
      autoscaling: { enabled: true, targetCPUUtilizationPercentage: 0, targetMemoryUtilizationPercentage: 75 },
    });
    expect(named(objects, "PodDisruptionBudget", "grpcsvc-v1").spec.minAvailable).toBe("50%");
    expect(named(objects, "PodDisruptionBudget", "grpcsvc-v1").spec).not.toHaveProperty("maxUnavailable");
    expect(named(objects, "HorizontalPodAutoscaler", "grpcsvc-v2").spec.metrics).toEqual([
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 75 } } },
    ]);
  });

  for (const api of ["istio", "gatewayApi"] as const) {
    it(`removing or renaming a version removes every object of it and changes nothing of the others (routingApi ${api})`, async () => {
      const base = { ...(api === "gatewayApi" ? GATEWAY_API : {}), autoscaling: { enabled: true }, podDisruptionBudget: { enabled: true } };
      const three = await renderChart({ ...base, versions: [v("v1"), v("v2"), v("v3")] });
      const perVersion = (objects: K8sObject[], version: string) =>
        objects
          .filter((o) => o.metadata.name === `grpcsvc-${version}`)
          .map((o) => o.kind)
          .sort();
      const own = ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", ...(api === "gatewayApi" ? ["Service"] : [])].sort();
      expect(perVersion(three, "v2")).toEqual(own);
      for (const [label, versions] of [
        ["removed", [v("v1"), v("v3")]],
        ["renamed to v5", [v("v1"), { name: "v5", tag: "2.0.0" }, v("v3")]],
      ] as const) {
        const after = await renderChart({ ...base, versions });
        expect(perVersion(after, "v2"), label).toEqual([]);
        expect(JSON.stringify(after), label).not.toMatch(/"v2"|-v2"/);
        // The other versions' objects are the same, byte for byte.
        for (const version of ["v1", "v3"]) {
          const mine = (objects: K8sObject[]) => objects.filter((o) => o.metadata.name === `grpcsvc-${version}`);
          expect(mine(after), `${label}: ${version}`).toEqual(mine(three));
        }
        const renamed = label.startsWith("renamed");
        const expectedIds = ids(three)
          .filter((id) => !id.endsWith("/grpcsvc-v2"))
          .concat(renamed ? own.map((kind) => `${kind}//grpcsvc-v5`) : [])
          .sort();
        expect(ids(after), label).toEqual(expectedIds);
      }
    });
  }

  it("refuses what Kubernetes would refuse or what says two things, naming the field", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ readinessProbe: { grpc: {} } }, /versions\[0\] \(v1\): readinessProbe has tcpSocket and grpc: .*readinessProbe\.tcpSocket: null/],
      [
        { autoscaling: { enabled: true, minReplicas: 6 } },
        /versions\[0\] \(v1\): autoscaling\.minReplicas 6 is above autoscaling\.maxReplicas 5/,
      ],
      [{ autoscaling: { enabled: true, targetCPUUtilizationPercentage: 0 } }, /autoscaling is enabled without a target/],
      [
        { podDisruptionBudget: { enabled: true, minAvailable: 1 } },
        /podDisruptionBudget needs exactly one of minAvailable and maxUnavailable/,
      ],
      [
        { versions: [{ ...v("v1"), podLabels: { version: "x" } }], defaultVersion: "v1" },
        /versions\[0\] \(v1\): podLabels: "version" is the chart's own label/,
      ],
      [{ autoscaling: { maxReplicas: 0 } }, /at '\/autoscaling\/maxReplicas'/],
      [
        { versions: [{ ...v("v1"), resources: { requests: { cpu: "lots" } } }], defaultVersion: "v1" },
        /at '\/versions\/0\/resources\/requests\/cpu'/,
      ],
      [{ strategy: { type: "Sideways" } }, /at '\/strategy\/type'/],
      [{ extraEnv: [{ name: "SERVICE_VERSION", value: "x" }] }, /at '\/extraEnv\/0\/name'/],
      [{ versions: [{ ...v("v1"), serviceAccount: { name: "other" } }], defaultVersion: "v1" }, /at '\/versions\/0'.*serviceAccount/],
    ];
    for (const [values, message] of cases) expect(await renderError(values), JSON.stringify(values)).toMatch(message);
  });
});
