// `make image`: the filter's OCI image, read back with other tools than the ones that wrote it
// (the system's tar and gzip, node's sha256), and its reproducibility. That Istio's agent pulls
// it, checks its digest and Envoy runs it is test/istio/oci-module.test.ts.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { buildWasmImage, writeOciLayout } from "../../harness/oci/wasm-image.js";
import { FILTER_WASM, PROJECT_ROOT } from "../../harness/paths.js";

const exec = promisify(execFile);
const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

describe("make image: the WasmPlugin's OCI image", () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "wasm-image-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it("an OCI layout whose manifest names its config and one layer by their own digests and sizes", async () => {
    const dir = await tempDir();
    await writeOciLayout(dir, await buildWasmImage(await readFile(FILTER_WASM)), "version-router:0.1.0");
    const blob = (d: string) => readFile(join(dir, "blobs/sha256", d.slice("sha256:".length)));
    const index = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as { manifests: Array<Descriptor & { annotations: object }> };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]!.annotations).toEqual({ "org.opencontainers.image.ref.name": "version-router:0.1.0" });
    const manifestBytes = await blob(index.manifests[0]!.digest);
    expect(sha256(manifestBytes)).toBe(index.manifests[0]!.digest);
    const manifest = JSON.parse(manifestBytes.toString()) as { mediaType: string; config: Descriptor; layers: Descriptor[] };
    expect(manifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(["application/vnd.oci.image.layer.v1.tar+gzip"]);
    for (const d of [manifest.config, ...manifest.layers]) {
      const bytes = await blob(d.digest);
      expect(sha256(bytes)).toBe(d.digest);
      expect(bytes.length).toBe(d.size);
    }
    // The config's diff_id is the digest of the uncompressed layer, as registries and runtimes check.
    const config = JSON.parse((await blob(manifest.config.digest)).toString()) as { rootfs: { diff_ids: string[] } };
    const layerPath = join(dir, "blobs/sha256", manifest.layers[0]!.digest.slice("sha256:".length));
    const { stdout: tar } = await exec("gzip", ["-dc", layerPath], { encoding: "buffer", maxBuffer: 1 << 26 });
    expect(config.rootfs.diff_ids).toEqual([sha256(tar)]);
  });

  it("its one layer holds only plugin.wasm, byte for byte build/filter.wasm", async () => {
    const dir = await tempDir();
    const image = await buildWasmImage(await readFile(FILTER_WASM));
    await writeFile(join(dir, "layer.tar.gz"), image.layer.bytes);
    const root = join(dir, "rootfs");
    await exec("mkdir", ["-p", root]);
    await exec("tar", ["-xzf", join(dir, "layer.tar.gz"), "-C", root]);
    expect(await readdir(root)).toEqual(["plugin.wasm"]);
    expect(Buffer.compare(await readFile(join(root, "plugin.wasm")), await readFile(FILTER_WASM))).toBe(0);
  });

  it("the same module gives the same digest, and another module another", async () => {
    const wasm = await readFile(FILTER_WASM);
    const [a, b] = await Promise.all([buildWasmImage(wasm), buildWasmImage(Buffer.from(wasm))]);
    expect(a.manifest.digest).toBe(b.manifest.digest);
    const changed = Buffer.from(wasm);
    const last = changed.length - 1;
    changed.writeUInt8(changed.readUInt8(last) ^ 1, last);
    expect((await buildWasmImage(changed)).manifest.digest).not.toBe(a.manifest.digest);
  });

  it("make image prints the digest of the manifest it wrote, as wasm.sha256 takes it", async () => {
    const { stdout } = await exec("npx", ["tsx", "harness/oci/make-image.ts", "image", "version-router:test"], { cwd: PROJECT_ROOT });
    const hex = /wasm\.sha256: ([0-9a-f]{64})$/m.exec(stdout)?.[1];
    expect(hex, stdout).toBeDefined();
    const index = JSON.parse(await readFile(join(PROJECT_ROOT, "build/image/index.json"), "utf8")) as { manifests: Descriptor[] };
    const manifest = await readFile(join(PROJECT_ROOT, "build/image/blobs/sha256", index.manifests[0]!.digest.slice("sha256:".length)));
    expect(sha256(manifest)).toBe(`sha256:${hex}`);
  });
});
