// What both demos fire and how they print it: a short list of requests per protocol, and a
// table of where each one went.
import { setTimeout as sleep } from "node:timers/promises";
import type { Answer } from "../clients/version-client.js";

export const DEMO_VERSIONS = ["v1", "v2", "v3"];

export const DEMO_REQUESTS: ReadonlyArray<{ label: string; sent: string[] }> = [
  { label: "valid", sent: ["v2"] },
  { label: "missing", sent: [] },
  { label: "unknown", sent: ["v9"] },
  { label: "wrong case", sent: ["V3"] },
  { label: "repeated", sent: ["v3", "v3"] },
  { label: "repeated, conflicting", sent: ["v2", "v3"] },
];

export const DEMO_HEADINGS = ["protocol", "request", "header sent", "answered by", "header received", "decision"];

// The message of Envoy's "wasm log" line, in Envoy's default log format and in the one
// Istio's bootstrap sets (which appends a tab and the thread).
const DECISION = /wasm log [^:]*: (.* -> \S+ \(\w+\))(?:\t|$)/;

/** The filter's debug line for the request just sent, e.g. `grpcsvc "v9" -> v1 (invalid)`. */
export async function decisionLogged(logs: () => string[], seen: number): Promise<string> {
  for (let i = 0; i < 40; i++) {
    for (const line of logs().slice(seen)) {
      const found = DECISION.exec(line);
      if (found) return found[1] as string;
    }
    await sleep(25);
  }
  return "(no decision logged)";
}

export function show(values: readonly string[] | undefined): string {
  if (!values || values.length === 0) return "(none)";
  return values.map((v) => JSON.stringify(v)).join(", ");
}

export function demoRow(protocol: string, label: string, sent: readonly string[], answer: Answer, decision: string): string[] {
  return [protocol, label, show(sent), answer.version ?? `no version (${answer.status})`, show(answer.received), decision];
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join("  ")
      .trimEnd();
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}
