// The fenced blocks of the README and docs/, with the kind each one declares in its info string
// (```yaml chart-values): the kind says how doc-snippets.test.ts runs it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../harness/paths.js";

/** What a block is, and so what runs it. */
export const SNIPPET_KINDS = {
  local: "commands run on this machine: each make target exists and `make -n` accepts it",
  cluster:
    "commands against a cluster: helm becomes helm template with the same values and flags, the others are checked for what they name",
  "plugin-config": "a plugin configuration the filter accepts",
  "plugin-config-refused": "a plugin configuration the filter refuses",
  "filter-log": "log lines the filter wrote for the refused configurations of the same file",
  "chart-values": "chart values helm template renders, every object valid and every pluginConfig accepted",
  k8s: "Kubernetes and Istio objects: schemas, istioctl analyze, a WasmPlugin's pluginConfig accepted",
  "envoy-bootstrap": "an Envoy bootstrap that Envoy's --mode validate accepts, the filter loaded and configured",
  "helm-error": "a message one of the chart's fail calls writes",
  diagram: "a Mermaid picture, which runs nothing",
} as const;

export type SnippetKind = keyof typeof SNIPPET_KINDS;

export interface Snippet {
  /** The file, relative to the project root. */
  file: string;
  /** The line of the opening fence, from 1. */
  line: number;
  lang: string;
  kind: string;
  /** The block's text, without the fence's indentation. */
  text: string;
  /** A chart-values block's `# file: <name>` first line: the name commands give it by. */
  fileName?: string;
}

export function documentationFiles(): string[] {
  const docs = readdirSync(join(PROJECT_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...docs];
}

const FENCE = /^(\s*)```(.*)$/;

export function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(join(PROJECT_ROOT, file), "utf8").split("\n");
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const [lang = "", kind = lang === "mermaid" ? "diagram" : ""] = open[2]!.trim().split(/\s+/);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a fence that is never closed`);
    const text = `${body.join("\n")}\n`;
    const fileName = /^# file: (\S+)/.exec(body[0] ?? "")?.[1];
    snippets.push({ file, line: i + 1, lang, kind, text, ...(fileName ? { fileName } : {}) });
    i = j;
  }
  return snippets;
}

/**
 * A block's shell commands: continuation lines and lines inside an open single quote joined
 * (a newline in a quoted JSON patch is whitespace), comments and blank lines dropped.
 */
export function commandsOf(text: string): string[] {
  const commands: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    const joined = pending === "" ? line : `${pending} ${line}`;
    const openQuote = (joined.match(/'/g)?.length ?? 0) % 2 === 1;
    if (openQuote) pending = joined;
    else if (joined.endsWith("\\")) pending = joined.slice(0, -1).trimEnd();
    else {
      commands.push(joined.replace(/\s+#\s.*$/, ""));
      pending = "";
    }
  }
  if (pending !== "") throw new Error(`a command that never ends: ${pending}`);
  return commands;
}

/** Shell words of one command: quotes removed, and no expansion but of the variables given. */
export function shellWords(command: string, variables: Readonly<Record<string, string>>): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === " ") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const end = command.indexOf('"', i + 1);
      word = (word ?? "") + expand(command.slice(i + 1, end), variables);
      i = end;
    } else {
      const end = /[ '"]/.exec(command.slice(i))?.index ?? command.length - i;
      word = (word ?? "") + expand(command.slice(i, i + end), variables);
      i += end - 1;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function expand(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (_, name: string) => {
    const value = variables[name];
    if (value === undefined) throw new Error(`the command uses $${name}, which the snippet test gives no value`);
    return value;
  });
}
