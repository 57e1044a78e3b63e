// Builds one of the project's few Go glue programs against a pinned module: the program's
// folder is copied into a throw-away module that requires <module>@<version>, `go mod tidy`
// resolves the rest from that module's own requirements, and `go build` writes <output>.
// The version stays pinned in one place (the Makefile); no go.mod is committed.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

const [source, requirement, output] = process.argv.slice(2);
if (!source || !requirement?.includes("@") || !output) {
  console.error("usage: build-go-glue.ts <program folder> <module>@<version> <output file>");
  process.exit(2);
}
const [module, version] = requirement.split("@") as [string, string];
const work = mkdtempSync(join(tmpdir(), "go-glue-build-"));
const go = (...args: string[]) => execFileSync("go", args, { cwd: work, stdio: ["ignore", "inherit", "inherit"] });
try {
  cpSync(source, work, { recursive: true });
  writeFileSync(join(work, "go.mod"), `module version-router.local/${basename(source)}\n\ngo 1.25.0\n\nrequire ${module} ${version}\n`);
  go("mod", "tidy");
  go("build", "-trimpath", "-ldflags", "-s -w", "-o", resolve(output), ".");
  console.log(`built ${output} from ${source} with ${module} ${version}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
