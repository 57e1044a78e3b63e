// A throw-away PKI for one Kubernetes API server, made with openssl at start: a CA, the
// API server's serving certificate (127.0.0.1), an admin client certificate in
// system:masters, and the service-account signing key pair.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeTestCa } from "../tls/test-ca.js";

const exec = promisify(execFile);

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export async function makePki(dir: string): Promise<Pki> {
  const ca = await makeTestCa(dir);
  const server = await ca.issue(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n",
  );
  const admin = await ca.issue("admin", "/O=system:masters/CN=version-router-admin", "extendedKeyUsage=clientAuth\n");
  const openssl = (...args: string[]) => exec("openssl", args, { cwd: dir });
  await openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "sa.key");
  await openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub");
  return {
    caCert: ca.caCert,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
}
