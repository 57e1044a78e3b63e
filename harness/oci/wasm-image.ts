// The filter as an OCI image for Istio's WasmPlugin, in the "compat" variant Istio's agent
// pulls (pkg/wasm/imagefetcher.go): an image manifest whose one layer, a gzipped tar, holds one
// file, /plugin.wasm. Built here byte for byte reproducibly (fixed times, owner and mode), so the
// manifest digest, which `wasm.sha256` pins, follows from build/filter.wasm alone.
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

export const MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
const CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
const LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

export interface Blob {
  mediaType: string;
  /** sha256:<hex> */
  digest: string;
  bytes: Buffer;
}

export interface WasmImage {
  manifest: Blob;
  config: Blob;
  layer: Blob;
}

const blob = (mediaType: string, bytes: Buffer): Blob => ({ mediaType, digest: sha256(bytes), bytes });
const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.bytes.length });

/** A tar of one file, plugin.wasm, with nothing in it that changes from one build to the next. */
async function pluginTar(wasm: Buffer): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => tar.on("end", resolve).on("error", reject));
  tar.entry({ name: "plugin.wasm", size: wasm.length, mode: 0o444, mtime: new Date(0), uid: 0, gid: 0, uname: "", gname: "" }, wasm);
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function buildWasmImage(wasm: Buffer): Promise<WasmImage> {
  const tar = await pluginTar(wasm);
  // zlib writes no time or name into the gzip header: the same tar gives the same bytes.
  const layer = blob(LAYER_MEDIA_TYPE, gzipSync(tar, { level: 9 }));
  const config = blob(
    CONFIG_MEDIA_TYPE,
    Buffer.from(JSON.stringify({ architecture: "wasm", os: "wasip1", rootfs: { type: "layers", diff_ids: [sha256(tar)] }, config: {} })),
  );
  const manifest = blob(
    MANIFEST_MEDIA_TYPE,
    Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPE, config: descriptor(config), layers: [descriptor(layer)] }),
    ),
  );
  return { manifest, config, layer };
}

/** Writes the image as an OCI image layout (what skopeo, crane and oras read: `oci:<dir>`). */
export async function writeOciLayout(dir: string, image: WasmImage, refName?: string): Promise<void> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  for (const b of [image.layer, image.config, image.manifest]) {
    await writeFile(join(dir, "blobs", "sha256", b.digest.slice("sha256:".length)), b.bytes);
  }
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const annotations = refName ? { annotations: { "org.opencontainers.image.ref.name": refName } } : {};
  await writeFile(
    join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...descriptor(image.manifest), ...annotations }] }),
  );
}
