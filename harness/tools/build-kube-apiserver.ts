// Builds kube-apiserver at a pinned Kubernetes version from the Go module proxy.
// `go install k8s.io/kubernetes/cmd/kube-apiserver@vX` is refused because k8s.io/kubernetes
// replaces its staging modules with local paths; a throw-away wrapper module that requires
// it and points each of those replaces at the published k8s.io/<name> v0.<minor>.<patch>
// builds the same program.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const [version, output] = process.argv.slice(2);
if (!version?.match(/^v1\.\d+\.\d+$/) || !output) {
  console.error("usage: build-kube-apiserver.ts v1.<minor>.<patch> <output file>");
  process.exit(2);
}
const [, minor, patch] = version.slice(1).split(".");
const stagingVersion = `v0.${minor}.${patch}`;

const work = mkdtempSync(join(tmpdir(), "kube-apiserver-build-"));
const go = (...args: string[]) => execFileSync("go", args, { cwd: work, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
try {
  writeFileSync(join(work, "go.mod"), "module version-router.local/kube-apiserver-build\n\ngo 1.25.0\n");
  const { GoMod } = JSON.parse(go("mod", "download", "-json", `k8s.io/kubernetes@${version}`)) as { GoMod: string };
  // Every `k8s.io/<name> => ./staging/src/k8s.io/<name>` in Kubernetes' own go.mod.
  const staging = [...readFileSync(GoMod, "utf8").matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\//gm)].map((m) => m[1]!);
  if (staging.length === 0) throw new Error(`no staging replaces found in ${GoMod}`);
  const replaces = staging.map((module) => `\t${module} => ${module} ${stagingVersion}`).join("\n");
  writeFileSync(
    join(work, "go.mod"),
    `module version-router.local/kube-apiserver-build\n\ngo 1.25.0\n\nrequire k8s.io/kubernetes ${version}\n\nreplace (\n${replaces}\n)\n`,
  );
  go("mod", "download", "k8s.io/kubernetes");
  go("get", `k8s.io/kubernetes/cmd/kube-apiserver@${version}`);
  // The version a release build reports; Helm and istiod read it from /version.
  const ldflags = [
    "-s",
    "-w",
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    `-X k8s.io/component-base/version.gitMajor=1`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    `-X k8s.io/component-base/version.gitTreeState=clean`,
  ].join(" ");
  go("build", "-trimpath", "-ldflags", ldflags, "-o", resolve(output), "k8s.io/kubernetes/cmd/kube-apiserver");
  console.log(`built ${output} (kube-apiserver ${version}, ${staging.length} staging modules at ${stagingVersion})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
