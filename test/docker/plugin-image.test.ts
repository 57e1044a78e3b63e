// The filter as an OCI image for Istio's WasmPlugin: FROM scratch, one file, /plugin.wasm,
// byte-identical to build/filter.wasm.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { docker } from "../../harness/docker/docker-cli.js";
import { buildPluginImage } from "../../harness/docker/images.js";
import { FILTER_WASM } from "../../harness/paths.js";
import { dockerSuitesEnabled } from "../support/suite-gates.js";

const exec = promisify(execFile);
const TAG = `version-router/plugin-test:${process.pid}`;

const DOCKER = await dockerSuitesEnabled();

describe.runIf(DOCKER)("make image: the WasmPlugin OCI image", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await docker(["image", "rm", "--force", TAG]).catch(() => undefined);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("holds only plugin.wasm, identical to build/filter.wasm", async () => {
    await buildPluginImage(TAG, FILTER_WASM);
    const dir = await mkdtemp(join(tmpdir(), "plugin-image-"));
    dirs.push(dir);
    await docker(["image", "save", "--output", join(dir, "image.tar"), TAG]);
    await exec("tar", ["-xf", join(dir, "image.tar"), "-C", dir]);
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Array<{ Layers: string[] }>;
    const layers = manifest[0]!.Layers;
    expect(layers).toHaveLength(1);
    const rootfs = join(dir, "rootfs");
    await exec("mkdir", ["-p", rootfs]);
    await exec("tar", ["-xf", join(dir, layers[0]!), "-C", rootfs]);
    expect(await readdir(rootfs)).toEqual(["plugin.wasm"]);
    expect(Buffer.compare(await readFile(join(rootfs, "plugin.wasm")), await readFile(FILTER_WASM))).toBe(0);
  });
});
