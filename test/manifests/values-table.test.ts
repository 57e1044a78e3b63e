// docs/chart.md's values table against values.yaml and values.schema.json: every value listed
// once with the default values.yaml gives it, nothing listed that the chart does not take, and
// every value described by the schema. The table is written by hand; this keeps it from drifting.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CHART_DIR } from "../../harness/manifests/helm.js";
import { PROJECT_ROOT } from "../../harness/paths.js";

interface SchemaNode {
  title?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  description?: string;
  $ref?: string;
}

const values = parseYaml(readFileSync(join(CHART_DIR, "values.yaml"), "utf8")) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8")) as SchemaNode & {
  definitions?: Record<string, SchemaNode>;
};

function resolve(node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node?.$ref) return node;
  return schema.definitions?.[node.$ref.replace("#/definitions/", "")];
}

/**
 * The values a user sets, by path: a map the schema gives properties is walked into, anything
 * else (a scalar, a list, a free-form map such as ingressSelector) is one value, and so is a map
 * whose schema names the Kubernetes type it is (a title: resources, a probe).
 */
function leaves(value: unknown, node: SchemaNode | undefined, path: string[]): Array<{ path: string; value: unknown; node?: SchemaNode }> {
  const resolved = resolve(node);
  const walk = resolved?.properties && (!resolved.title || path.length === 0);
  if (value !== null && typeof value === "object" && !Array.isArray(value) && walk && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([key, v]) => leaves(v, resolved.properties?.[key], [...path, key]));
  }
  return [{ path: path.join("."), value, ...(resolved ? { node: resolved } : {}) }];
}

/** The rows of the table under "## Values": the value's path and its default, parsed as YAML. */
function tableRows(): Map<string, unknown> {
  const text = readFileSync(join(PROJECT_ROOT, "docs/chart.md"), "utf8");
  const section = text.slice(text.indexOf("\n## Values\n"), text.indexOf("\n## ", text.indexOf("\n## Values\n") + 1));
  const rows = new Map<string, unknown>();
  for (const line of section.split("\n")) {
    const cells = /^\| `([^`]+)` \| `(.*?)` \|/.exec(line);
    if (!cells) continue;
    expect(rows.has(cells[1]!), `docs/chart.md lists ${cells[1]} twice`).toBe(false);
    rows.set(cells[1]!, parseYaml(cells[2]!));
  }
  return rows;
}

describe("the chart's values table (docs/chart.md)", () => {
  const all = leaves(values, schema, []);
  const rows = tableRows();

  it("lists every value of values.yaml with its default", () => {
    expect(all.length).toBeGreaterThan(40);
    const missing = all.filter((l) => !rows.has(l.path)).map((l) => l.path);
    expect(missing).toEqual([]);
    for (const leaf of all) expect(rows.get(leaf.path), `the default of ${leaf.path}`).toEqual(leaf.value);
  });

  it("lists nothing values.yaml does not have", () => {
    const paths = new Set(all.map((l) => l.path));
    expect([...rows.keys()].filter((p) => !paths.has(p))).toEqual([]);
  });

  it("every value has a schema entry, and every top-level one a description", () => {
    expect(all.filter((l) => !l.node).map((l) => l.path)).toEqual([]);
    const undescribed = Object.keys(values).filter((key) => !resolve(schema.properties?.[key])?.description);
    expect(undescribed).toEqual([]);
  });
});
