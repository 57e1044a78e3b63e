// Before the docker suites: the local Envoy image must exist (built from the .venv binary,
// nothing pulled), unless ENVOY_IMAGE names another one.
import { dockerAnswers, imageExists } from "../../harness/docker/docker-cli.js";
import { buildEnvoyImage, envoyImage, localEnvoyImage } from "../../harness/docker/images.js";

export default async function setup(): Promise<void> {
  if (!(await dockerAnswers())) return; // the suites themselves skip or fail, and say why
  if (envoyImage() === localEnvoyImage() && !(await imageExists(localEnvoyImage()))) {
    await buildEnvoyImage();
  }
}
