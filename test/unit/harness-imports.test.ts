// The harness is a library: importing any of its modules starts nothing (no child process, no
// server, socket, timer or open file), registers no process handler and changes no environment
// variable. (Its scripts, which make runs, are the exception by design.)
import { readdirSync, readFileSync, statSync } from "node:fs";
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
  "harness/oci/make-image.ts",
  "harness/netns/run-in-private-netns.ts",
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
  // Child processes (ProcessWrap), servers and sockets (TCP*Wrap, PipeWrap), timers (Timeout,
  // Immediate) and the like, as Node counts what keeps it running.
  const resources = () => process.getActiveResourcesInfo().sort();
  const openFiles = () => readdirSync("/proc/self/fd").length;
  // From /proc, so that looking spawns no child of its own.
  const children = () =>
    readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          // The fourth field of /proc/<pid>/stat, after the command in parentheses, is the parent.
          return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1] === String(process.pid);
        } catch {
          return false;
        }
      });
  const before = { env: { ...process.env }, listeners: listeners(), resources: resources(), files: openFiles(), children: children() };
  for (const module of library) await import(join(PROJECT_ROOT, module));
  expect(listeners()).toEqual(before.listeners);
  expect(process.env).toEqual(before.env);
  // Nothing the imports added (the test runner's own timers may come and go meanwhile).
  const after = resources();
  expect(
    [...new Set(after)].filter((type) => after.filter((t) => t === type).length > before.resources.filter((t) => t === type).length),
  ).toEqual([]);
  expect(openFiles()).toBe(before.files);
  expect(children()).toEqual(before.children);
});
