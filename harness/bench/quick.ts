// Scratch comparison (not part of make bench): Envoy CPU time per request for several filters.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { startEnvoy, type Envoy } from "../envoy/start-envoy.js";
import { runH2load } from "./h2load.js";
const files = process.argv.slice(2);
const proto = (process.env.PROTO ?? "http2") as "http2";
const routes: any[] = ["v1","v2","v3","v4"].map((v) => ({ name: v, header: "grpcsvc", exact: v, directResponse: { status: 200, body: v } }));
routes.push({ name: "default", directResponse: { status: 200, body: "d" } });
const mk = (wasm?: string) => startEnvoy({ versions: [], runtime: "process", routing: () => ({ routes, clusters: [] }), filter: wasm ? "wasm" : "none", ...(wasm ? { wasm } : {}), pluginConfig: { versions: ["v1","v2","v3","v4"] } });
const cpuNs = (pid: number) => readdirSync(`/proc/${pid}/task`).reduce((s, t) => s + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]), 0);
const envoys: Array<[string, Envoy]> = [["none", await mk()]];
for (const f of files) envoys.push([f, await mk(f)]);
for (const [, e] of envoys) execFileSync("taskset", ["-a", "-cp", "1", String(e.pid)]);
const headers = process.env.CASE === "missing" ? [] : ["grpcsvc: v2"];
for (const [, e] of envoys) await runH2load({ url: e.url, protocol: proto, headers, requests: 5000, bodyFile: "build/grpc-who.bin" });
const res = new Map<string, number[]>();
for (let i = 0; i < 8; i++) {
  for (const [k, e] of envoys) {
    const c0 = cpuNs(e.pid!);
    await runH2load({ url: e.url, protocol: proto, headers, requests: 30000, bodyFile: "build/grpc-who.bin" });
    res.set(k, [...(res.get(k) ?? []), (cpuNs(e.pid!) - c0) / 30000 / 1000]);
  }
}
for (const [k, v] of res) { const s = [...v].sort((a, b) => a - b); console.log(k, "median", s[4]!.toFixed(2), "min", s[0]!.toFixed(2), "us/request"); }
for (const [, e] of envoys) await e.stop();
