// Pushes an image to a registry over the OCI distribution API (blob uploads, then the manifest
// by tag), from whatever network namespace this process is in: the Istio suites' registry
// listens inside a private namespace that Docker's engine cannot reach. No maintained npm
// client for the distribution API exists; this is the API's four calls over fetch.
import type { Blob, WasmImage } from "./wasm-image.js";

export interface Credentials {
  username: string;
  password: string;
}

/** host[:port]/repository[:tag], split; the tag defaults to latest. */
export function parseReference(reference: string): { registry: string; repository: string; tag: string } {
  const slash = reference.indexOf("/");
  if (slash < 0) throw new Error(`${reference}: name the registry, e.g. 127.0.0.1:5000/version-router:0.1.0`);
  const registry = reference.slice(0, slash);
  const rest = reference.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  return colon < 0
    ? { registry, repository: rest, tag: "latest" }
    : { registry, repository: rest.slice(0, colon), tag: rest.slice(colon + 1) };
}

/** Pushes the image to `reference` over plain HTTP (a loopback registry); resolves with the digest the registry reports. */
export async function pushImage(reference: string, image: WasmImage, credentials?: Credentials): Promise<string> {
  const { registry, repository, tag } = parseReference(reference);
  const base = `http://${registry}/v2/${repository}`;
  const auth: Record<string, string> = credentials
    ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` }
    : {};
  const call = async (method: string, url: string, init: { headers?: Record<string, string>; body?: Buffer } = {}) => {
    const res = await fetch(url, {
      method,
      headers: { ...auth, ...init.headers },
      ...(init.body ? { body: new Uint8Array(init.body) } : {}),
    });
    if (res.status >= 400 && !(method === "HEAD" && res.status === 404)) {
      throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    }
    return res;
  };
  const upload = async (b: Blob) => {
    if ((await call("HEAD", `${base}/blobs/${b.digest}`)).status === 200) return;
    const started = await call("POST", `${base}/blobs/uploads/`);
    const location = new URL(started.headers.get("location") ?? "", `http://${registry}`);
    location.searchParams.set("digest", b.digest);
    await call("PUT", location.toString(), { headers: { "content-type": "application/octet-stream" }, body: b.bytes });
  };
  await upload(image.layer);
  await upload(image.config);
  const put = await call("PUT", `${base}/manifests/${tag}`, {
    headers: { "content-type": image.manifest.mediaType },
    body: image.manifest.bytes,
  });
  return put.headers.get("docker-content-digest") ?? image.manifest.digest;
}
