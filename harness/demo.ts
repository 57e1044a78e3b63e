// make demo: build/filter.wasm in real Envoy in front of three versions; fires a short
// list of requests over HTTP/1.1, HTTP/2 and gRPC and prints where each one went.
import { setTimeout as sleep } from "node:timers/promises";
import { openClient, PROTOCOLS, type Answer } from "./clients/version-client.js";
import { envoyVersion } from "./envoy/admin.js";
import { startEnvoy, type Envoy } from "./envoy/start-envoy.js";

const VERSIONS = ["v1", "v2", "v3"];
const PLUGIN_CONFIG = { header: "grpcsvc", versions: VERSIONS, default: "v1", scope: "all" };
const REQUESTS: Array<{ label: string; sent: string[] }> = [
  { label: "valid", sent: ["v2"] },
  { label: "missing", sent: [] },
  { label: "unknown", sent: ["v9"] },
  { label: "wrong case", sent: ["V3"] },
  { label: "repeated", sent: ["v3", "v3"] },
  { label: "repeated, conflicting", sent: ["v2", "v3"] },
];

/** The filter's debug line for the request just sent, e.g. `grpcsvc "v9" -> v1 (invalid)`. */
async function decisionLogged(envoy: Envoy, seen: number): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const line = envoy.logs().slice(seen).find((l) => l.includes("[debug][wasm]") && / -> \S+ \(\w+\)$/.test(l));
    if (line) return line.replace(/^.*wasm log [^:]*: /, "");
    await sleep(25);
  }
  return "(no decision logged)";
}

function show(values: readonly string[] | undefined): string {
  if (!values || values.length === 0) return "(none)";
  return values.map((v) => JSON.stringify(v)).join(", ");
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  const line = (r: string[]) => r.map((cell, col) => cell.padEnd(widths[col]!)).join("  ").trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

const envoy = await startEnvoy({ versions: VERSIONS, pluginConfig: PLUGIN_CONFIG, filterLogLevel: "debug" });
let failed = false;
try {
  console.log(`Envoy ${await envoyVersion(envoy.adminUrl)}, admin ${envoy.adminUrl}`);
  console.log(`filter: build/filter.wasm, configuration ${JSON.stringify(PLUGIN_CONFIG)}\n`);
  const rows = [["protocol", "request", "header sent", "answered by", "header received", "decision"]];
  for (const protocol of PROTOCOLS) {
    const client = openClient(protocol, envoy.url);
    for (const { label, sent } of REQUESTS) {
      const seen = envoy.logs().length;
      const answer: Answer = await client.send(sent);
      if (!answer.version) failed = true;
      rows.push([protocol, label, show(sent), answer.version ?? `no version (${answer.status})`, show(answer.received), await decisionLogged(envoy, seen)]);
    }
    await client.close();
  }
  console.log(table(rows));
  const errors = envoy.errors();
  if (errors.length > 0) {
    failed = true;
    console.log(`\nEnvoy logged errors:\n${errors.join("\n")}`);
  }
} finally {
  await envoy.stop();
}
process.exit(failed ? 1 : 0);
