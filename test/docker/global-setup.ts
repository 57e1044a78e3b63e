// Before the docker suites: the local Envoy image must exist (built from the .venv binary,
// nothing pulled), unless ENVOY_IMAGE names another one.
import { dockerAnswers, imageExists } from "../../harness/docker/docker-cli.js";
import { buildEnvoyImage, envoyImage, LOCAL_ENVOY_IMAGE } from "../../harness/docker/images.js";

export default async function setup(): Promise<void> {
  if (!(await dockerAnswers())) return; // the suites themselves skip or fail, and say why
  if (envoyImage() === LOCAL_ENVOY_IMAGE && !(await imageExists(LOCAL_ENVOY_IMAGE))) {
    await buildEnvoyImage();
  }
}
