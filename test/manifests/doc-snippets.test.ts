// Every fenced block of the README and docs/ runs, by the kind its info string declares
// (test/support/doc-snippets.ts): configurations through the real filter, values through
// helm template, objects through their schemas and istioctl analyze, a bootstrap through real
// Envoy, cluster commands turned into what can run here. A snippet that goes stale fails here.
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { adminGet } from "../../harness/envoy/admin.js";
import { envoyBinary } from "../../harness/envoy/envoy-binary.js";
import { type Envoy, startEnvoy } from "../../harness/envoy/start-envoy.js";
import { versionRoutes } from "../../harness/envoy/version-routes.js";
import { ProxyWasmHost } from "../../harness/host/index.js";
import { analyzeManifests } from "../../harness/istio/analyze.js";
import { DEFAULT_GATEWAY, GATEWAY_POD_ANNOTATIONS } from "../../harness/istio/ingress-gateway.js";
import { CHART_DIR, helm, type K8sObject } from "../../harness/manifests/helm.js";
import { validateObject } from "../../harness/manifests/validate-objects.js";
import { buildWasmImage } from "../../harness/oci/wasm-image.js";
import { FILTER_WASM, PROJECT_ROOT } from "../../harness/paths.js";
import { startUpstreams, type Upstreams } from "../../harness/upstreams/start-upstreams.js";
import { commandsOf, documentationFiles, SNIPPET_KINDS, type Snippet, shellWords, snippetsOf } from "../support/doc-snippets.js";
import { envoySuitesEnabled, helmSuitesEnabled, istioctlSuiteBinary } from "../support/suite-gates.js";

const exec = promisify(execFile);
const HELM = await helmSuitesEnabled();
const ENVOY = envoySuitesEnabled();
const ISTIOCTL = istioctlSuiteBinary();
const RUN = HELM && ENVOY && ISTIOCTL !== undefined;

const FILES = documentationFiles();
const SNIPPETS = FILES.flatMap(snippetsOf);
const byKind = (kind: string) => SNIPPETS.filter((s) => s.kind === kind);
const where = (s: Snippet) => `${s.file}:${s.line}`;

/** What a refused configuration made the filter log, per file. */
const refusedLogs = new Map<string, string[]>();

async function filterVerdict(config: string): Promise<{ accepted: boolean; messages: string[] }> {
  const host = await ProxyWasmHost.load(FILTER_WASM);
  const accepted = host.configure(config);
  return { accepted, messages: host.logs.map((l) => l.message) };
}

function configText(s: Snippet): string {
  return s.lang === "json" ? s.text : JSON.stringify(parseYaml(s.text));
}

async function withTempFiles<T>(files: Record<string, string>, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "doc-snippet-"));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function objectsOf(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

async function expectPluginConfigsAccepted(objects: K8sObject[], at: string): Promise<void> {
  for (const o of objects.filter((x) => x.kind === "WasmPlugin")) {
    const verdict = await filterVerdict(JSON.stringify(o.spec?.pluginConfig));
    expect(verdict.accepted, `${at}: the filter refuses ${o.metadata.name}'s pluginConfig: ${verdict.messages.join("; ")}`).toBe(true);
  }
}

describe.runIf(RUN)("the documentation's snippets", () => {
  it("every fenced block declares a kind that says how it runs", () => {
    expect(SNIPPETS.length).toBeGreaterThan(20);
    const unknown = SNIPPETS.filter((s) => !(s.kind in SNIPPET_KINDS)).map((s) => `${where(s)} (${s.lang} ${s.kind || "—"})`);
    expect(unknown).toEqual([]);
  });

  it("the filter accepts every plugin configuration shown", async () => {
    for (const s of byKind("plugin-config")) {
      const verdict = await filterVerdict(configText(s));
      expect(verdict.accepted, `${where(s)}: ${verdict.messages.join("; ")}`).toBe(true);
    }
  });

  it("the filter refuses every configuration shown as refused, and logs the lines shown", async () => {
    for (const s of byKind("plugin-config-refused")) {
      const verdict = await filterVerdict(configText(s));
      expect(verdict.accepted, `${where(s)} is accepted`).toBe(false);
      refusedLogs.set(s.file, [...(refusedLogs.get(s.file) ?? []), ...verdict.messages]);
    }
    const logs = byKind("filter-log");
    expect(logs.length).toBeGreaterThan(0);
    for (const s of logs) {
      for (const line of s.text.trim().split("\n")) {
        const message = /wasm log version-router version-router: (.*)$/.exec(line)?.[1];
        expect(message, `${where(s)}: not a line of the filter's: ${line}`).toBeDefined();
        expect(refusedLogs.get(s.file) ?? [], `${where(s)}: no refused configuration of ${s.file} logs it`).toContain(message);
      }
    }
  });

  it("helm template renders every values block: objects valid, every pluginConfig accepted", async () => {
    for (const s of byKind("chart-values")) {
      const yaml = await withTempFiles({ "values.yaml": s.text }, (dir) =>
        helm(["template", "docs", CHART_DIR, "--namespace", "shop", "--values", join(dir, "values.yaml")]).catch((e: Error) => {
          throw new Error(`${where(s)}: ${e.message}`);
        }),
      );
      const objects = objectsOf(yaml);
      expect(objects.some((o) => o.kind === "Deployment")).toBe(true);
      for (const o of objects) validateObject(o);
      await expectPluginConfigsAccepted(objects, where(s));
    }
  });

  it("every object shown is valid, and istioctl analyze finds nothing in it", async () => {
    const blocks = byKind("k8s");
    expect(blocks.length).toBeGreaterThan(0);
    for (const s of blocks) {
      const objects = objectsOf(s.text);
      expect(objects.length, where(s)).toBeGreaterThan(0);
      for (const o of objects) if (o.kind === "WasmPlugin") validateObject(o);
      await expectPluginConfigsAccepted(objects, where(s));
      const messages = await analyzeManifests(ISTIOCTL!, s.text);
      expect(messages, where(s)).toEqual([]);
    }
  });

  it("Envoy's --mode validate loads every bootstrap shown, with build/filter.wasm configured", async () => {
    const blocks = byKind("envoy-bootstrap");
    expect(blocks.length).toBeGreaterThan(0);
    for (const s of blocks) {
      expect(s.text, where(s)).toContain("/etc/envoy/filter.wasm");
      const bootstrap = s.text.replaceAll("/etc/envoy/filter.wasm", FILTER_WASM);
      const { stdout, stderr } = await withTempFiles({ "envoy.yaml": bootstrap }, (dir) =>
        exec(envoyBinary(), [
          "--mode",
          "validate",
          "-c",
          join(dir, "envoy.yaml"),
          "-l",
          "info",
          "--component-log-level",
          "wasm:info",
        ]).catch((e: { stderr?: string; message: string }) => {
          throw new Error(`${where(s)}: ${e.stderr ?? e.message}`);
        }),
      );
      expect(`${stdout}${stderr}`, where(s)).toMatch(/configuration '.*' OK/);
      // The filter ran its configure: a refused one is an error line and no OK.
      expect(`${stdout}${stderr}`).not.toMatch(/invalid configuration/);
    }
  });

  it("every helm error shown is what one of the chart's fail calls writes", async () => {
    const formats = await chartFailFormats();
    for (const s of byKind("helm-error")) {
      const text = s.text.replace(/\s+/g, " ").trim();
      expect(
        formats.some((f) => f.test(text)),
        `${where(s)}: no fail call of the chart writes ${text}`,
      ).toBe(true);
    }
  });

  it("every make target a local command names exists, with the variables it sets", async () => {
    const commands = [...byKind("local"), ...byKind("cluster")].flatMap((s) => commandsOf(s.text).map((c) => ({ s, c })));
    const makes = commands.filter(({ c }) => c.startsWith("make "));
    expect(makes.length).toBeGreaterThan(2);
    for (const { s, c } of makes) {
      const words = shellWords(c, VARIABLES).slice(1);
      await exec("make", ["-n", ...words], { cwd: PROJECT_ROOT }).catch((e: { stderr?: string }) => {
        throw new Error(`${where(s)}: make -n ${words.join(" ")}: ${e.stderr}`);
      });
    }
  });

  describe("commands against a cluster", () => {
    let upstreams: Upstreams;
    let envoy: Envoy;
    beforeAll(async () => {
      upstreams = await startUpstreams(["v1", "v2"]);
      envoy = await startEnvoy({
        routing: versionRoutes(upstreams, "grpcsvc"),
        pluginConfig: { versions: ["v1", "v2"] },
        pluginDelivery: "ecds",
      });
    });
    afterAll(async () => {
      await envoy?.stop();
      await upstreams?.stop();
    });

    it("run as helm template with the same flags and values, and name what those releases render", async () => {
      const istioctlHelp = (await exec(ISTIOCTL!, ["proxy-config", "log", "--help"])).stdout;
      const blocks = byKind("cluster");
      expect(blocks.length).toBeGreaterThan(3);
      let checked = 0;
      for (const file of FILES) {
        const releases = new Map<string, Release>();
        let latest: Release | undefined;
        for (const s of blocks.filter((b) => b.file === file)) {
          for (const command of commandsOf(s.text)) {
            const [words = []] = command.split(" | ").map((part) => shellWords(part, VARIABLES));
            const at = `${where(s)}: ${command}`;
            const tool = words[0];
            if (tool === "make") continue; // the make test above
            if (tool === "helm") latest = (await runHelm(words, file, releases, at)) ?? latest;
            else if (tool === "kubectl") await checkKubectl(words, latest, envoy, at);
            else if (tool === "curl") checkCurl(words, latest, at);
            else if (tool === "istioctl") checkIstioctl(words, istioctlHelp, at);
            else throw new Error(`${at}: no check for ${tool} commands`);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(10);
    });
  });
});

/** Values for the variables cluster commands use: the digest is the real one of build/filter.wasm's image. */
const VARIABLES: Record<string, string> = {
  DIGEST: (await buildWasmImage(await readFile(FILTER_WASM).catch(() => Buffer.alloc(0)))).manifest.digest.slice("sha256:".length),
  GATEWAY: "127.0.0.1:8080",
  POD: `${DEFAULT_GATEWAY.podName}`,
  BETA_TOKEN: "a-token",
};
VARIABLES.NEW_DIGEST = VARIABLES.DIGEST!;

interface Release {
  name: string;
  namespace: string;
  /** The values flags it was last installed with, for --reuse-values. */
  flags: string[];
  /** The values files those flags name, by name. */
  files: Record<string, string>;
  objects: K8sObject[];
}

/** helm install / upgrade as helm template with the same values; rollback of a release installed before. */
async function runHelm(words: string[], file: string, releases: Map<string, Release>, at: string): Promise<Release | undefined> {
  const [, verb, ...rest] = words;
  const positional: string[] = [];
  const flags: string[] = [];
  let namespace = "default";
  let reuse = false;
  const valueFiles: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w === "-n" || w === "--namespace") namespace = rest[++i]!;
    else if (w === "--install" || w === "--create-namespace" || w === "--wait") continue;
    else if (w === "--reuse-values") reuse = true;
    else if (w === "--set" || w === "--set-json" || w === "--set-string") flags.push(w, rest[++i]!);
    else if (w === "-f" || w === "--values") {
      const name = rest[++i]!;
      const block = SNIPPETS.find((s) => s.file === file && s.kind === "chart-values" && s.fileName === name);
      if (!block) throw new Error(`${at}: ${file} shows no values block '# file: ${name}'`);
      valueFiles[name] = block.text;
      flags.push("--values", name);
    } else if (w.startsWith("-")) throw new Error(`${at}: the snippet test does not know helm's ${w}`);
    else positional.push(w);
  }
  if (verb === "rollback") {
    const release = releases.get(positional[0]!);
    expect(release, `${at}: rolls back a release the document never installed`).toBeDefined();
    expect(release!.namespace, at).toBe(namespace);
    expect(Number(positional[1]), at).toBeGreaterThan(0);
    return release;
  }
  expect(["install", "upgrade"], at).toContain(verb);
  const [name, chart] = positional;
  expect(chart, `${at}: the chart`).toBe("manifests/version-router");
  const previous = releases.get(name!);
  if (verb === "upgrade" && reuse) expect(previous, `${at}: --reuse-values of a release the document never installed`).toBeDefined();
  const all = [...(reuse && previous ? previous.flags : []), ...flags];
  const files = { ...(previous?.files ?? {}), ...valueFiles };
  const yaml = await withTempFiles(files, (dir) =>
    helm([
      "template",
      name!,
      CHART_DIR,
      "--namespace",
      namespace,
      ...all.map((f, i) => (all[i - 1] === "--values" ? join(dir, f) : f)),
    ]).catch((e: Error) => {
      throw new Error(`${at}: ${e.message}`);
    }),
  );
  const release = { name: name!, namespace, flags: all, files, objects: objectsOf(yaml) };
  await expectPluginConfigsAccepted(release.objects, at);
  releases.set(name!, release);
  return release;
}

/** kubectl against Istio's gateway: its name and namespace, the annotation the tests' gateway has, admin paths real Envoy serves. */
async function checkKubectl(words: string[], release: Release | undefined, envoy: Envoy, at: string): Promise<void> {
  const namespace = words[words.indexOf("-n") + 1];
  const gatewayNamespace = release?.objects.find((o) => o.kind === "WasmPlugin")?.metadata.namespace ?? DEFAULT_GATEWAY.namespace;
  expect(namespace, `${at}: the gateway's namespace`).toBe(gatewayNamespace);
  const verb = words[3];
  if (verb === "patch") {
    expect(words.slice(4, 6), at).toEqual(["deployment", DEFAULT_GATEWAY.labels.app]);
    const patch = JSON.parse(words[words.indexOf("-p") + 1]!) as {
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expectTestedAnnotations(patch.spec.template.metadata.annotations, at);
  } else if (verb === "exec") {
    expect(words[4], at).toBe(`deploy/${DEFAULT_GATEWAY.labels.app}`);
    const [agent, request, method, path] = words.slice(words.indexOf("--") + 1);
    expect([agent, request, method], at).toEqual(["pilot-agent", "request", "GET"]);
    const answer = await adminGet(envoy.adminUrl, `/${path}`);
    expect(answer.status, `${at}: Envoy's admin answers /${path} with ${answer.status}`).toBe(200);
    if (path!.includes("ecds")) expect(answer.body, at).toContain("version-router");
  } else if (verb === "logs") {
    expect(words[4], at).toBe(VARIABLES.POD);
  } else {
    throw new Error(`${at}: no check for kubectl ${verb}`);
  }
}

/**
 * The annotations of the tests' gateway pods (extraStatTags among them), with their values; a
 * stats matcher may keep fewer prefixes than the tests read.
 */
function expectTestedAnnotations(annotations: Record<string, string>, at: string): void {
  expect(Object.keys(annotations), at).toContain("sidecar.istio.io/extraStatTags");
  for (const [key, value] of Object.entries(annotations)) {
    const tested = GATEWAY_POD_ANNOTATIONS[key];
    expect(tested, `${at}: the tests' gateway has no annotation ${key}`).toBeDefined();
    if (key !== "proxy.istio.io/config") {
      expect(value, `${at}: ${key}`).toBe(tested);
      continue;
    }
    type StatsMatcher = { proxyStatsMatcher: { inclusionPrefixes: string[] } };
    const testedPrefixes = (JSON.parse(tested!) as StatsMatcher).proxyStatsMatcher.inclusionPrefixes;
    for (const prefix of (JSON.parse(value) as StatsMatcher).proxyStatsMatcher.inclusionPrefixes)
      expect(testedPrefixes, at).toContain(prefix);
  }
}

/** curl to the gateway: a host the last release routes, and only headers it reads. */
function checkCurl(words: string[], release: Release | undefined, at: string): void {
  expect(release, `${at}: a request before any release`).toBeDefined();
  const headers = words.flatMap((w, i) => (words[i - 1] === "-H" ? [w] : []));
  const routedHosts = release!.objects.filter((o) => o.kind === "VirtualService").flatMap((o) => (o.spec?.hosts as string[]) ?? []);
  const versionHeader = release!.objects.find((o) => o.kind === "WasmPlugin")?.spec?.pluginConfig as { header?: string } | undefined;
  for (const header of headers) {
    const [name, value] = header.split(/:\s*/, 2) as [string, string];
    if (name === "host") expect(routedHosts, `${at}: the release routes no host ${value}`).toContain(value);
    else expect([versionHeader?.header ?? "grpcsvc", "authorization"], `${at}: a header the release does not read`).toContain(name);
  }
  expect(words.at(-1), at).toMatch(new RegExp(`^http://${VARIABLES.GATEWAY}/`));
}

function checkIstioctl(words: string[], help: string, at: string): void {
  expect(words.slice(1, 3), at).toEqual(["proxy-config", "log"]);
  expect(words[3], at).toBe(VARIABLES.POD);
  for (const flag of words.filter((w) => w.startsWith("--"))) expect(help, `${at}: istioctl has no ${flag}`).toContain(`${flag} `);
}

/** Every fail message of the chart's templates, as a pattern: its printf verbs match anything. */
async function chartFailFormats(): Promise<RegExp[]> {
  const dir = join(CHART_DIR, "templates");
  const formats: RegExp[] = [];
  for (const name of await readdir(dir)) {
    const text = await readFile(join(dir, name), "utf8");
    for (const m of text.matchAll(/fail \(printf "((?:[^"\\]|\\.)*)"/g)) {
      const format = m[1]!.replace(/\\"/g, '"').replace(/\s+/g, " ");
      const pattern = format
        .split(/%[sqvd]/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".+?");
      formats.push(new RegExp(`^${pattern}$`));
    }
  }
  expect(formats.length).toBeGreaterThan(0);
  return formats;
}
