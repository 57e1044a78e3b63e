// A throw-away certificate authority made with openssl: its certificate, and certificates it
// issues with whatever subject and extensions (SANs, key usage) a suite needs. EC P-256, two days.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export interface TestCa {
  caCert: string;
  /** Issues `<name>.crt` and `<name>.key` in the CA's directory; `extensions` as openssl's -extfile takes them. */
  issue(name: string, subject: string, extensions: string): Promise<{ cert: string; key: string }>;
}

export async function makeTestCa(dir: string, commonName = "version-router-test-ca"): Promise<TestCa> {
  const openssl = (...args: string[]) => exec("openssl", args, { cwd: dir });
  await openssl("req", "-x509", ...EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", `/CN=${commonName}`);
  return {
    caCert: join(dir, "ca.crt"),
    issue: async (name, subject, extensions) => {
      await writeFile(join(dir, `${name}.ext`), extensions);
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
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
  };
}
