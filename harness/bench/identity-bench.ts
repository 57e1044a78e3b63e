// What restricted versions cost: Envoy CPU per request with jwt_authn verifying the same token
// on every request, so the only difference between the rows is the filter's work. A filter
// without restrictions; one with v3 restricted to a claim, for a request whose decision needs
// no identity (it names v2) and for one that does (it names v3: one property read). Writes
// build/bench-identity.json and .md.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createJwtIssuer } from "../auth/jwt-issuer.js";
import { type Envoy, startEnvoy } from "../envoy/start-envoy.js";
import { PROJECT_ROOT } from "../paths.js";
import { DEFAULT_VERSION_HEADER } from "../version-header.js";
import { BENCH_DEFAULT, BENCH_VERSIONS, benchPath, directRoutes, pinToCore1 } from "./bench-envoy.js";
import { cpuNanoseconds } from "./envoy-cpu.js";
import { runH2load } from "./h2load.js";

const RESTRICTION = { v3: [{ claim: "groups", includes: "beta" }] };

export interface IdentityRow {
  name: string;
  cpu_us_per_request: number[];
  rps: number[];
}

const SCENARIOS = [
  { name: "no restrictions, names v2", restricted: false, version: "v2" },
  { name: "v3 restricted, names v2 (no identity needed)", restricted: true, version: "v2" },
  { name: "v3 restricted, names v3 with the claim (one property read)", restricted: true, version: "v3" },
] as const;

export async function measureIdentity(rounds: number, requests: number): Promise<IdentityRow[]> {
  const issuer = createJwtIssuer("https://issuer.example");
  const token = issuer.token({ sub: "bench", groups: ["staff", "beta"] });
  const envoys = new Map<boolean, Envoy>();
  try {
    for (const restricted of [false, true]) {
      const envoy = await startEnvoy({
        runtime: "process",
        routing: { routes: directRoutes(), clusters: [] },
        jwtAuthn: { issuer: issuer.issuer, jwks: issuer.jwks },
        pluginConfig: { versions: BENCH_VERSIONS, default: BENCH_DEFAULT, ...(restricted ? { restricted: RESTRICTION } : {}) },
      });
      pinToCore1(envoy);
      envoys.set(restricted, envoy);
    }
    const rows: IdentityRow[] = SCENARIOS.map((s) => ({ name: s.name, cpu_us_per_request: [], rps: [] }));
    const run = async (s: (typeof SCENARIOS)[number], n: number) => {
      const envoy = envoys.get(s.restricted)!;
      const before = await cpuNanoseconds(envoy.pid!);
      const result = await runH2load({
        url: envoy.url,
        path: benchPath("http2"),
        protocol: "http2",
        headers: [`authorization: Bearer ${token}`, `${DEFAULT_VERSION_HEADER}: ${s.version}`],
        requests: n,
      });
      if (result.failed > 0) throw new Error(`${s.name}: ${result.failed} of ${n} requests failed`);
      return { cpu: ((await cpuNanoseconds(envoy.pid!)) - before) / 1000 / n, rps: result.rps };
    };
    for (const s of SCENARIOS) await run(s, Math.ceil(requests / 10));
    for (let round = 1; round <= rounds; round++) {
      for (const [i, s] of SCENARIOS.entries()) {
        const m = await run(s, requests);
        rows[i]!.cpu_us_per_request.push(m.cpu);
        rows[i]!.rps.push(m.rps);
      }
      console.error(`restricted versions: round ${round}/${rounds} done`);
    }
    for (const [restricted, envoy] of envoys) {
      if (envoy.errors().length > 0) throw new Error(`Envoy (restricted ${restricted}) logged errors:\n${envoy.errors().join("\n")}`);
    }
    await writeIdentityReport(rows);
    return rows;
  } finally {
    await Promise.all([...envoys.values()].map((e) => e.stop()));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function writeIdentityReport(rows: IdentityRow[]): Promise<void> {
  const build = join(PROJECT_ROOT, "build");
  await writeFile(join(build, "bench-identity.json"), `${JSON.stringify(rows, null, 2)}\n`);
  const lines = [
    "| HTTP/2, jwt_authn verifying one token per request | Envoy CPU µs/request (median) | req/s (median) |",
    "|---|---|---|",
    ...rows.map((r) => `| ${r.name} | ${median(r.cpu_us_per_request).toFixed(2)} | ${Math.round(median(r.rps))} |`),
  ];
  await writeFile(join(build, "bench-identity.md"), `${lines.join("\n")}\n`);
  console.log(lines.join("\n"));
}
