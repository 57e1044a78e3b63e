// `make build` is reproducible: two builds of the same sources are byte-identical, and
// build/filter.wasm is what the current sources give.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../harness/paths.js";
import { requireFilterWasm } from "./load-filter.js";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function buildInto(dir: string): Promise<Buffer> {
  const out = join(dir, "filter.wasm");
  await run(join(PROJECT_ROOT, "node_modules/.bin/asc"), ["assembly/index.ts", "--target", "release", "-o", out], {
    cwd: PROJECT_ROOT,
  });
  return readFile(out);
}

describe("release build", () => {
  it("is byte-identical across builds and matches build/filter.wasm", async () => {
    dirs.push(await mkdtemp(join(tmpdir(), "vr-build-")), await mkdtemp(join(tmpdir(), "vr-build-")));
    const [a, b] = [await buildInto(dirs[0]!), await buildInto(dirs[1]!)];
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, await readFile(requireFilterWasm()))).toBe(0);
  }, 120_000);
});
