// The harness is a library: importing any of its modules starts nothing, registers no
// process handler and changes no environment variable. (Its scripts, which make runs, are
// the exception by design.)
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../../harness/paths.js";

const SCRIPTS = new Set([
  "harness/demo.ts",
  "harness/demo-istio.ts",
  "harness/bench/run-bench.ts",
  "harness/bench/real-upstream-main.ts",
  "harness/soak/run-soak.ts",
  "harness/fuzz/run-fuzz.ts",
  "harness/docker/build-image.ts",
  "harness/tools/build-kube-apiserver.ts",
  "harness/tools/build-go-glue.ts",
]);

// AssemblyScript sources (compiled to Wasm, never imported by Node).
const NOT_NODE = new Set(["harness/bench/gcore-sdk"]);

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (NOT_NODE.has(relative(PROJECT_ROOT, path))) return [];
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith(".ts") ? [relative(PROJECT_ROOT, path)] : [];
  });
}

it("importing every harness module has no side effect", async () => {
  const library = modules(join(PROJECT_ROOT, "harness")).filter((m) => !SCRIPTS.has(m));
  expect(library.length).toBeGreaterThan(40);
  const listeners = () => ["exit", "SIGTERM", "SIGINT", "uncaughtException"].map((e) => process.listenerCount(e));
  const before = { env: { ...process.env }, listeners: listeners() };
  for (const module of library) await import(join(PROJECT_ROOT, module));
  expect(listeners()).toEqual(before.listeners);
  expect(process.env).toEqual(before.env);
});
