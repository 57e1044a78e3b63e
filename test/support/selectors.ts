// What a rendering's selectors select: each Deployment's selector its own pods, the Service
// <app> every version's pods, each DestinationRule subset and each per-version Service the pods
// of its version alone, each through a port the pods name. What the labels on the Deployments
// themselves say does not route anything; these are what Kubernetes and Istio select by.
import { expect } from "vitest";
import type { K8sObject } from "../../harness/manifests/helm.js";

interface Pods {
  /** The Deployment's version, for messages. */
  version: string;
  labels: Record<string, string>;
  ports: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: rendered specs are read field by field.
const spec = (o: K8sObject) => o.spec as any;

/** Whether a label selector (all of its labels, at least one) selects pods with these labels. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** The versions whose pods a selector selects (and, with `also`, that selector too), in Deployment order. */
function selected(pods: Pods[], selector: Record<string, string> | undefined, also?: Record<string, string>): string[] {
  return pods.filter((p) => selects(selector, p.labels) && (!also || selects(also, p.labels))).map((p) => p.version);
}

export function expectSelectorsSelectTheirPods(objects: K8sObject[], app: string, versions: readonly string[]): void {
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const pods: Pods[] = deployments.map((d) => ({
    version: d.metadata.labels?.version ?? "?",
    labels: spec(d).template.metadata.labels ?? {},
    ports: (spec(d).template.spec.containers as Array<{ ports?: Array<{ name: string }> }>).flatMap((c) =>
      (c.ports ?? []).map((p) => p.name),
    ),
  }));
  expect(pods.map((p) => p.version)).toEqual(versions);
  // Each Deployment's own selector: exactly its pods (else it would adopt another version's).
  for (const [i, d] of deployments.entries()) {
    expect(selected(pods, spec(d).selector.matchLabels), d.metadata.name).toEqual([pods[i]!.version]);
  }
  const services = objects.filter((o) => o.kind === "Service");
  for (const s of services) {
    const version = s.metadata.name === app ? undefined : s.metadata.name.slice(app.length + 1);
    // The Service <app>: every version's pods; <app>-<version>: that version's alone.
    expect(selected(pods, spec(s).selector), s.metadata.name).toEqual(version ? [version] : versions);
    for (const port of spec(s).ports as Array<{ targetPort: string }>) {
      for (const p of pods.filter((p) => selects(spec(s).selector, p.labels))) expect(p.ports, s.metadata.name).toContain(port.targetPort);
    }
  }
  // A DestinationRule's subsets are of its host's endpoints: the Service's pods with the subset's labels too.
  const main = services.find((s) => s.metadata.name === app)!;
  for (const rule of objects.filter((o) => o.kind === "DestinationRule")) {
    for (const subset of spec(rule).subsets as Array<{ name: string; labels: Record<string, string> }>) {
      expect(selected(pods, spec(main).selector, subset.labels), `subset ${subset.name}`).toEqual([subset.name]);
    }
  }
}
