// make envoy-image: the pinned Envoy as a local image (the e2e-docker suites' Envoy).
import { buildEnvoyImage, imageSize, localEnvoyImage } from "./images.js";

const image = process.argv[2] || localEnvoyImage();
await buildEnvoyImage(image);
console.log(`built ${image} (${await imageSize(image)} bytes)`);
