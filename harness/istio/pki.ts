// A throw-away PKI for one Kubernetes API server, made with openssl at start: a CA, the
// API server's serving certificate (127.0.0.1), an admin client certificate in
// system:masters, and the service-account signing key pair.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

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

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export async function makePki(dir: string): Promise<Pki> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => exec("openssl", args, { cwd: dir });
  await openssl("req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=version-router-test-ca");
  const issue = async (name: string, subject: string, extensions: string) => {
    await writeFile(file(`${name}.ext`), extensions);
    await openssl("req", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject);
    await openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  };
  await issue(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n",
  );
  await issue("admin", "/O=system:masters/CN=version-router-admin", "extendedKeyUsage=clientAuth\n");
  await openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "sa.key");
  await openssl("pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub");
  return {
    caCert: file("ca.crt"),
    serverCert: file("apiserver.crt"),
    serverKey: file("apiserver.key"),
    adminCert: file("admin.crt"),
    adminKey: file("admin.key"),
    serviceAccountKey: file("sa.key"),
    serviceAccountPub: file("sa.pub"),
  };
}
