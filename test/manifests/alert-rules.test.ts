// The chart's alert rules and dashboard queries under promtool: the rule groups it renders are valid,
// each alert fires on synthetic series where it should (with the numbers in its annotations) and stays
// quiet where it should not, and each dashboard query gives the numbers it is meant to.
import { beforeAll, describe, expect, it } from "vitest";
import { type K8sObject, renderChart } from "../../harness/manifests/helm.js";
import { type ChartAlert, chartAlerts, dashboardQueries, ruleGroupsYaml } from "../../harness/monitoring/chart-queries.js";
import { checkRules, testRules } from "../../harness/monitoring/promtool.js";
import {
  counter,
  decisions,
  EVAL_TIME,
  expectedAlerts,
  istioLabels,
  requests,
  ruleTest,
  type Scenario,
} from "../support/rule-test-data.js";
import { helmSuitesEnabled, prometheusSuiteTools } from "../support/suite-gates.js";

const TOOLS = prometheusSuiteTools();
const HELM = await helmSuitesEnabled();

// Defaults, with v1 the default of v1..v3 (v3 restricted to a claim), and a canary split.
const VALUES = {
  monitoring: { rules: { enabled: true }, dashboard: { enabled: true } },
  versions: [
    { name: "v1", tag: "1" },
    { name: "v2", tag: "2" },
    { name: "v3", tag: "3", restrictedTo: [{ claim: "groups", includes: "beta" }] },
  ],
  canary: { weights: { v1: 90, v2: 10 } },
};

const SCENARIOS: Scenario[] = [
  {
    alert: "VersionRouterWrongVersionRate",
    name: "10% invalid headers fire at the 5% threshold",
    series: [decisions("v2", "explicit", 90), decisions("v1", "invalid", 10)],
    fires: [{ value: 0.1 }],
  },
  {
    alert: "VersionRouterWrongVersionRate",
    name: "1% invalid headers do not",
    series: [decisions("v2", "explicit", 99), decisions("v1", "invalid", 1)],
    fires: [],
  },
  {
    alert: "VersionRouterMissingHeaderDefault",
    name: "30% without a header fire at the 20% threshold",
    series: [decisions("v2", "explicit", 70), decisions("v1", "default", 30)],
    fires: [{ value: 0.3 }],
  },
  {
    alert: "VersionRouterMissingHeaderDefault",
    name: "10% without a header do not",
    series: [decisions("v2", "explicit", 90), decisions("v1", "default", 10)],
    fires: [],
  },
  {
    alert: "VersionRouterCanaryErrorRatio",
    name: "v2 failing 5% against v1's 1% fires for v2 alone (v3 is healthy)",
    series: [
      requests("v1", { code: "200" }, 990),
      requests("v1", { code: "503" }, 10),
      requests("v2", { code: "200" }, 95),
      requests("v2", { code: "503" }, 5),
      requests("v3", { code: "200" }, 100),
    ],
    fires: [{ version: "v2", value: 5 }],
  },
  {
    alert: "VersionRouterCanaryErrorRatio",
    name: "v2 failing 1.5% against v1's 1% does not",
    series: [
      requests("v1", { code: "200" }, 990),
      requests("v1", { code: "503" }, 10),
      requests("v2", { code: "200" }, 985),
      requests("v2", { code: "503" }, 15),
    ],
    fires: [],
  },
  {
    alert: "VersionRouterCanaryErrorRatio",
    name: "against a v1 without errors, the 1% floor stands in: v2 at 3% fires",
    series: [requests("v1", { code: "200" }, 1000), requests("v2", { code: "200" }, 97), requests("v2", { code: "503" }, 3)],
    fires: [{ version: "v2", value: 3 }],
  },
  {
    alert: "VersionRouterCanaryErrorRatio",
    name: "against a v1 without errors, v2 at 1.5% does not",
    series: [requests("v1", { code: "200" }, 1000), requests("v2", { code: "200" }, 197), requests("v2", { code: "503" }, 3)],
    fires: [],
  },
  {
    alert: "VersionRouterCanaryErrorRatio",
    name: "with no v1 traffic at all, the floor stands in: v2 at 5% fires",
    series: [requests("v2", { code: "200" }, 95), requests("v2", { code: "503" }, 5)],
    fires: [{ version: "v2", value: 5 }],
  },
  {
    alert: "VersionRouterCanaryErrorRatio",
    name: "gRPC errors come with HTTP 200: UNAVAILABLE counts",
    series: [
      requests("v1", { code: "200", grpc: "0" }, 1000),
      requests("v2", { code: "200", grpc: "0" }, 95),
      requests("v2", { code: "200", grpc: "14" }, 5),
    ],
    fires: [{ version: "v2", value: 5 }],
  },
  {
    alert: "VersionRouterCanaryErrorRatio",
    name: "a 503 with a gRPC error status counts once, and a client error (NOT_FOUND) not at all",
    series: [
      requests("v1", { code: "200", grpc: "0" }, 1000),
      requests("v2", { code: "200", grpc: "0" }, 90),
      requests("v2", { code: "200", grpc: "5" }, 5),
      requests("v2", { code: "503", grpc: "14" }, 5),
    ],
    fires: [{ version: "v2", value: 5 }],
  },
  {
    alert: "VersionRouterRestrictedAttempts",
    name: "20 restricted attempts a minute fire at the threshold of 10",
    series: [decisions("v2", "explicit", 500), decisions("v1", "restricted", 20)],
    fires: [{ value: 20 }],
  },
  {
    alert: "VersionRouterRestrictedAttempts",
    name: "5 a minute do not",
    series: [decisions("v2", "explicit", 500), decisions("v1", "restricted", 5)],
    fires: [],
  },
  {
    alert: "VersionRouterCanaryWeightDrift",
    name: "an 80/20 canary split configured as 90/10 fires for both versions",
    series: [decisions("v1", "canary", 80), decisions("v2", "canary", 20), decisions("v2", "explicit", 500)],
    fires: [
      { version: "v1", value: 0.1 },
      { version: "v2", value: 0.1 },
    ],
  },
  {
    alert: "VersionRouterCanaryWeightDrift",
    name: "an 88/12 split does not",
    series: [decisions("v1", "canary", 88), decisions("v2", "canary", 12)],
    fires: [],
  },
  {
    alert: "VersionRouterCanaryWeightDrift",
    name: "an 80/20 split of 10 canary decisions a minute, too few to judge, does not",
    series: [decisions("v1", "canary", 8), decisions("v2", "canary", 2)],
    fires: [],
  },
];

describe.skipIf(!TOOLS || !HELM)("the chart's alert rules under promtool", () => {
  const promtool = TOOLS?.promtool ?? "";
  let objects: K8sObject[];
  let rules: string;
  let alerts: ChartAlert[];

  beforeAll(async () => {
    objects = await renderChart(VALUES);
    rules = ruleGroupsYaml(objects);
    alerts = chartAlerts(objects);
  });

  it.each([
    { name: "defaults", values: { monitoring: { rules: { enabled: true } } }, count: 4 },
    { name: "canary weights and a restricted version", values: VALUES, count: 7 },
    {
      name: "one version",
      values: { monitoring: { rules: { enabled: true } }, versions: [{ name: "v1", tag: "1" }], defaultVersion: "v1" },
      count: 2,
    },
    {
      name: "a selector, a window and three weights",
      values: {
        monitoring: { rules: { enabled: true }, selector: 'namespace="istio-system", job=~"gw.*"', rateWindow: "90s" },
        canary: { weights: { v1: 1, v2: 1, v3: 1 } },
      },
      count: 7,
    },
  ])("promtool check rules accepts the rule groups ($name)", async ({ values, count }) => {
    const run = await checkRules(promtool, ruleGroupsYaml(await renderChart(values)));
    expect(run.output).toContain(`SUCCESS: ${count} rules found`);
    expect(run.code).toBe(0);
  });

  it.each(SCENARIOS)("$alert: $name", async (scenario) => {
    const run = await testRules(promtool, rules, [ruleTest(alerts, scenario)]);
    expect(run.output).toContain("SUCCESS");
    expect(run.code, run.output).toBe(0);
  });

  it("names the numbers in the annotations: what the wrong-version alert says at 10%", () => {
    expect(expectedAlerts(alerts, SCENARIOS[0]!)[0]!.exp_annotations).toEqual({
      summary: "10% of routing decisions named an unknown version",
      description:
        "Over the last 5m, 10% of the version-router's decisions (threshold 5%) had a version header naming no version it knows, and went to the default, v1. A client sends a removed or misspelled version.",
    });
  });

  it("fails a test whose expectation is wrong, so the passes above mean something", async () => {
    const quiet = SCENARIOS[1]!;
    const run = await testRules(promtool, rules, [ruleTest(alerts, { ...quiet, fires: [{ value: 0.01 }] })]);
    expect(run.code).toBe(1);
    expect(run.output).toContain("FAILED");
    expect(run.output).toContain("alertname: VersionRouterWrongVersionRate");
  });

  it("counts only the series monitoring.selector picks", async () => {
    const scoped = await renderChart({ ...VALUES, monitoring: { rules: { enabled: true }, selector: 'namespace="istio-system"' } });
    const here = { namespace: "istio-system" };
    const elsewhere = { namespace: "other-gateways" };
    const run = await testRules(promtool, ruleGroupsYaml(scoped), [
      {
        name: "half invalid elsewhere, 1% here: quiet",
        interval: "1m",
        input_series: [
          decisions("v2", "explicit", 99, here),
          decisions("v1", "invalid", 1, here),
          decisions("v2", "explicit", 50, elsewhere),
          decisions("v1", "invalid", 50, elsewhere),
        ],
        alert_rule_test: [{ eval_time: EVAL_TIME, alertname: "VersionRouterWrongVersionRate", exp_alerts: [] }],
      },
      {
        name: "10% invalid here, none of many elsewhere: fires",
        interval: "1m",
        input_series: [
          decisions("v2", "explicit", 90, here),
          decisions("v1", "invalid", 10, here),
          decisions("v2", "explicit", 1000, elsewhere),
        ],
        alert_rule_test: [
          {
            eval_time: EVAL_TIME,
            alertname: "VersionRouterWrongVersionRate",
            exp_alerts: expectedAlerts(chartAlerts(scoped), { alert: "VersionRouterWrongVersionRate", fires: [{ value: 0.1 }] }),
          },
        ],
      },
    ]);
    expect(run.output).toContain("SUCCESS");
    expect(run.code, run.output).toBe(0);
  });

  it("counts only this release's service: another service's decisions on the same gateway neither fire nor hide its alerts", async () => {
    const other = { service: "pay/paysvc" };
    const run = await testRules(promtool, rules, [
      {
        name: "half of pay's decisions invalid, 1% of shop's: shop's alert quiet",
        interval: "1m",
        input_series: [
          decisions("v2", "explicit", 99),
          decisions("v1", "invalid", 1),
          decisions("v2", "explicit", 50, other),
          decisions("v1", "invalid", 50, other),
        ],
        alert_rule_test: [{ eval_time: EVAL_TIME, alertname: "VersionRouterWrongVersionRate", exp_alerts: [] }],
      },
      {
        name: "10% of shop's invalid beside many valid of pay's: shop's alert fires at 10%",
        interval: "1m",
        input_series: [decisions("v2", "explicit", 90), decisions("v1", "invalid", 10), decisions("v2", "explicit", 1000, other)],
        alert_rule_test: [
          {
            eval_time: EVAL_TIME,
            alertname: "VersionRouterWrongVersionRate",
            exp_alerts: expectedAlerts(alerts, { alert: "VersionRouterWrongVersionRate", fires: [{ value: 0.1 }] }),
          },
        ],
      },
    ]);
    expect(run.output).toContain("SUCCESS");
    expect(run.code, run.output).toBe(0);
  });

  it("evaluates every dashboard query to the numbers its panel is meant to show", async () => {
    const bucket = (version: string, le: string, perMinute: number) =>
      counter("istio_request_duration_milliseconds_bucket", { ...istioLabels(version), le }, perMinute);
    // 240 decisions a minute (4/s): canary 80/20 against 90/10 configured, 5% invalid, 15% default, 12 restricted a minute.
    const series = [
      decisions("v1", "canary", 96),
      decisions("v2", "canary", 24),
      decisions("v3", "canary", 0),
      decisions("v2", "explicit", 60),
      decisions("v1", "invalid", 12),
      decisions("v1", "default", 36),
      decisions("v1", "restricted", 12),
      requests("v1", { code: "200" }, 594),
      requests("v1", { code: "503" }, 6),
      requests("v2", { code: "200" }, 57),
      requests("v2", { code: "503" }, 3),
      // v1 all between 50 and 100 ms, v2 all under 50 ms.
      bucket("v1", "50", 0),
      bucket("v1", "100", 60),
      bucket("v1", "+Inf", 60),
      bucket("v2", "50", 60),
      bucket("v2", "100", 60),
      bucket("v2", "+Inf", 60),
    ];
    const expected: Record<string, Array<{ labels: string; value: number }>> = {
      "Routing decisions per version and reason/A": [
        { labels: '{version="v1", reason="canary"}', value: 1.6 },
        { labels: '{version="v2", reason="canary"}', value: 0.4 },
        { labels: '{version="v3", reason="canary"}', value: 0 },
        { labels: '{version="v2", reason="explicit"}', value: 1 },
        { labels: '{version="v1", reason="invalid"}', value: 0.2 },
        { labels: '{version="v1", reason="default"}', value: 0.6 },
        { labels: '{version="v1", reason="restricted"}', value: 0.2 },
      ],
      "Canary share per version, observed and configured/A": [
        { labels: '{version="v1"}', value: 0.8 },
        { labels: '{version="v2"}', value: 0.2 },
        { labels: '{version="v3"}', value: 0 },
      ],
      "Canary share per version, observed and configured/B": [
        { labels: '{version="v1"}', value: 0.9 },
        { labels: '{version="v2"}', value: 0.1 },
      ],
      "Wrong version header (share of decisions)/A": [{ labels: "{}", value: 0.05 }],
      "No version header, sent to the default (share of decisions)/A": [{ labels: "{}", value: 0.15 }],
      "Restricted versions named without the identity (per minute)/A": [{ labels: "{}", value: 12 }],
      "Error share per version (HTTP 5xx, gRPC server errors)/A": [
        { labels: '{destination_version="v1"}', value: 0.01 },
        { labels: '{destination_version="v2"}', value: 0.05 },
      ],
      "p99 latency per version/A": [
        { labels: '{destination_version="v1"}', value: 99.5 },
        { labels: '{destination_version="v2"}', value: 49.5 },
      ],
    };
    const queries = dashboardQueries(objects, "5m");
    expect(queries.map((q) => `${q.title}/${q.refId}`)).toEqual(Object.keys(expected));
    const run = await testRules(promtool, rules, [
      {
        name: "dashboard queries",
        interval: "1m",
        input_series: series,
        promql_expr_test: queries.map((q) => ({ expr: q.expr, eval_time: EVAL_TIME, exp_samples: expected[`${q.title}/${q.refId}`]! })),
      },
    ]);
    expect(run.output).toContain("SUCCESS");
    expect(run.code, run.output).toBe(0);
  });
});
