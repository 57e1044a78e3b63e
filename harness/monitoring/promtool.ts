// Runs promtool on rule files: `check rules` (do they parse and are they valid) and `test rules`
// (unit tests: synthetic series in, the alerts expected at given times).
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

export interface PromtoolRun {
  /** promtool's exit code: 0 success, 1 a check or test failed. */
  code: number;
  /** stdout then stderr. */
  output: string;
}

/** One promtool unit test (the `tests:` entries of its test file format). */
export interface RuleTest {
  name?: string;
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  alert_rule_test?: Array<{
    eval_time: string;
    alertname: string;
    /** Every alert of that name firing at eval_time, with its labels and annotations exactly. */
    exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
  }>;
  promql_expr_test?: Array<{
    expr: string;
    eval_time: string;
    /** Every sample the query gives at eval_time; labels as a series selector, e.g. {version="v1"}. */
    exp_samples: Array<{ labels: string; value: number }>;
  }>;
}

function run(promtool: string, args: readonly string[], cwd: string): Promise<PromtoolRun> {
  return new Promise((resolve, reject) => {
    execFile(promtool, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!err) return resolve({ code: 0, output });
      if (typeof err.code === "number") return resolve({ code: err.code, output });
      reject(err);
    });
  });
}

async function inTempDir<T>(files: Record<string, string>, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "version-router-promtool-"));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `promtool check rules` on this rule file text. */
export function checkRules(promtool: string, rulesYaml: string): Promise<PromtoolRun> {
  return inTempDir({ "rules.yaml": rulesYaml }, (dir) => run(promtool, ["check", "rules", "rules.yaml"], dir));
}

/** `promtool test rules` of these tests against this rule file text, evaluated every evaluationInterval. */
export function testRules(
  promtool: string,
  rulesYaml: string,
  tests: readonly RuleTest[],
  evaluationInterval = "1m",
): Promise<PromtoolRun> {
  const testFile = stringify({ rule_files: ["rules.yaml"], evaluation_interval: evaluationInterval, tests });
  return inTempDir({ "rules.yaml": rulesYaml, "tests.yaml": testFile }, (dir) => run(promtool, ["test", "rules", "tests.yaml"], dir));
}
