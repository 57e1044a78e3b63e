// `make image` and `make push`: the filter's OCI image (wasm-image.ts) as an OCI layout in
// build/image, with the digest to pin in the chart's wasm.sha256; and its push to a registry.
//   tsx harness/oci/make-image.ts image [<reference>]
//   tsx harness/oci/make-image.ts push <reference>        (REGISTRY_USERNAME, REGISTRY_PASSWORD for a private registry)
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { FILTER_WASM, PROJECT_ROOT } from "../paths.js";
import { pushImage } from "./push-image.js";
import { buildWasmImage, writeOciLayout } from "./wasm-image.js";

const [verb, reference] = process.argv.slice(2);
const image = await buildWasmImage(await readFile(FILTER_WASM));
const hex = image.manifest.digest.slice("sha256:".length);
if (verb === "image") {
  const dir = join(PROJECT_ROOT, "build/image");
  await rm(dir, { recursive: true, force: true });
  await writeOciLayout(dir, image, reference);
  console.log(`build/image: OCI image layout of build/filter.wasm, manifest ${image.manifest.digest}`);
  console.log(`pin it in the chart: wasm.sha256: ${hex}`);
  console.log(`push it: make push IMAGE=<registry>/<name>:<tag> (or skopeo copy oci:build/image docker://<registry>/<name>:<tag>)`);
} else if (verb === "push" && reference) {
  const { REGISTRY_USERNAME: username, REGISTRY_PASSWORD: password } = process.env;
  const digest = await pushImage(reference, image, username && password ? { username, password } : undefined);
  console.log(`pushed ${reference}, digest ${digest}`);
  console.log(`chart values: wasm.url: oci://${reference}, wasm.sha256: ${digest.slice("sha256:".length)}`);
} else {
  console.error("usage: make-image.ts image [<reference>] | push <registry>/<name>:<tag>");
  process.exit(2);
}
