// Runs the pinned Helm: HELM_BIN (the Makefile sets it), else `helm` on PATH.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { PROJECT_ROOT } from "../paths.js";

const exec = promisify(execFile);

export const CHART_DIR = join(PROJECT_ROOT, "manifests/version-router");

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export function helmBinary(): string {
  return process.env.HELM_BIN || "helm";
}

export async function helm(args: readonly string[]): Promise<string> {
  try {
    return (await exec(helmBinary(), args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(e.stderr?.trim() || e.message);
  }
}

export async function helmAvailable(): Promise<boolean> {
  return helm(["version", "--short"]).then(
    () => true,
    () => false,
  );
}

/** `helm template` of the chart with these values (merged over values.yaml), as YAML text. */
export async function renderChartText(values: object = {}, namespace = "shop"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-values-"));
  try {
    const file = join(dir, "values.json");
    await writeFile(file, JSON.stringify(values));
    return await helm(["template", "demo", CHART_DIR, "--namespace", namespace, "--values", file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `helm template` of the chart with these values (merged over values.yaml), as objects. */
export async function renderChart(values: object = {}, namespace = "shop"): Promise<K8sObject[]> {
  return parseAllDocuments(await renderChartText(values, namespace))
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The error `helm template` gives for these values, or undefined if it renders. */
export async function renderError(values: object): Promise<string | undefined> {
  return renderChart(values).then(
    () => undefined,
    (err: Error) => err.message,
  );
}
