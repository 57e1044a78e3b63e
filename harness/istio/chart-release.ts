// Our chart as a Helm release on the local API server: install, upgrade and uninstall go
// through the API server, so through istiod's validating webhook.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHART_DIR } from "../manifests/helm.js";
import type { Istio } from "./start-istio.js";

export interface ChartRelease {
  name: string;
  namespace: string;
  /** helm upgrade with these values (merged over values.yaml, not over the last upgrade), plus extra Helm arguments. */
  upgrade(values: object, extraArgs?: readonly string[]): Promise<string>;
  uninstall(): Promise<void>;
}

async function withValuesFile<T>(values: object, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-release-"));
  try {
    const file = join(dir, "values.json");
    await writeFile(file, JSON.stringify(values));
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** helm install of the chart; rejects with Helm's message (e.g. the webhook's denial). */
export async function installChart(
  istio: Pick<Istio, "helm">,
  options: { name: string; namespace: string; values: object; extraArgs?: readonly string[] },
): Promise<ChartRelease> {
  const { name, namespace } = options;
  const release = (verb: "install" | "upgrade", values: object, extraArgs: readonly string[] = []) =>
    withValuesFile(values, (file) =>
      istio.helm([verb, name, CHART_DIR, "--namespace", namespace, "--create-namespace", "--values", file, ...extraArgs]),
    );
  await release("install", options.values, options.extraArgs);
  return {
    name,
    namespace,
    upgrade: (values, extraArgs) => release("upgrade", values, extraArgs),
    uninstall: async () => {
      await istio.helm(["uninstall", name, "--namespace", namespace, "--wait"]);
    },
  };
}
