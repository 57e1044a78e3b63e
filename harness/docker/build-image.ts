// make envoy-image / make image IMAGE=name:tag
import { FILTER_WASM } from "../paths.js";
import { buildEnvoyImage, buildPluginImage, imageSize, localEnvoyImage } from "./images.js";

const [what, tag] = process.argv.slice(2);
if (what === "envoy") {
  const image = tag || localEnvoyImage();
  await buildEnvoyImage(image);
  console.log(`built ${image} (${await imageSize(image)} bytes)`);
} else if (what === "plugin" && tag) {
  await buildPluginImage(tag, FILTER_WASM);
  console.log(`built ${tag} (${await imageSize(tag)} bytes) with /plugin.wasm = ${FILTER_WASM}`);
} else {
  console.error("usage: build-image.ts envoy [tag] | plugin <name:tag>");
  process.exit(2);
}
