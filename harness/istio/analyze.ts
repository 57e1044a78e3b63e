// istioctl analyze on files only (--use-kube=false): Istio's own analyzers over rendered
// manifests, as a user runs them before applying.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export interface AnalysisMessage {
  code: string;
  level: "Error" | "Warning" | "Info";
  message: string;
  origin: string;
}

/** Every message istioctl analyze reports for these YAML documents (all levels). */
export async function analyzeManifests(istioctl: string, yaml: string): Promise<AnalysisMessage[]> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-analyze-"));
  try {
    const file = join(dir, "manifests.yaml");
    await writeFile(file, yaml);
    const args = ["analyze", "--use-kube=false", "--all-namespaces", "--output", "json", "--failure-threshold", "Error", file];
    // Exit code 79 means "errors found"; the JSON on stdout says which.
    const { stdout } = await exec(istioctl, args, { maxBuffer: 16 << 20 }).catch(
      (err: { stdout?: string; stderr?: string; code?: number }) => {
        if (err.code === 79 && err.stdout) return { stdout: err.stdout };
        throw new Error(`istioctl analyze failed (${err.code}): ${err.stderr ?? ""}`);
      },
    );
    const text = stdout.trim();
    return text?.startsWith("[") ? (JSON.parse(text) as AnalysisMessage[]) : [];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
