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
    const { stdout, stderr } = await exec(istioctl, args, { maxBuffer: 16 << 20 }).catch(
      (err: { stdout?: string; stderr?: string; code?: number }) => {
        if (err.code === 79 && err.stdout) return { stdout: err.stdout, stderr: err.stderr ?? "" };
        throw new Error(`istioctl analyze failed (${err.code}): ${err.stderr ?? ""}`);
      },
    );
    // istioctl skips a document it cannot read, says so on stderr, and exits 0 with no findings
    // for it: nothing analyzed is not "no findings".
    if (/could not be parsed|error processing/i.test(stderr))
      throw new Error(`istioctl analyze could not read its input: ${stderr.trim()}`);
    try {
      const messages: unknown = JSON.parse(stdout);
      if (!Array.isArray(messages)) throw new Error("not a list");
      return messages as AnalysisMessage[];
    } catch (err) {
      throw new Error(`istioctl analyze printed no list of findings (${(err as Error).message}): ${stdout.slice(0, 500)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
