// The chart's monitoring objects (from renderChart) in the shapes Prometheus and promtool take: the
// alerts of its PrometheusRule, its rule groups as a rule file, and its dashboard's queries with
// Grafana's interval variables replaced, so Prometheus can evaluate each one.
import { stringify } from "yaml";
import type { K8sObject } from "../manifests/helm.js";
import { type GrafanaDashboard, parseDashboard } from "./grafana-dashboard.js";

export interface ChartAlert {
  /** The rule group it is in. */
  group: string;
  name: string;
  expr: string;
  /** How long expr must hold before the alert fires; undefined: at once. */
  for: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PanelQuery {
  /** The panel's title. */
  title: string;
  refId: string;
  legendFormat: string | undefined;
  /** PromQL Prometheus can evaluate as it is. */
  expr: string;
}

interface RuleGroup {
  name: string;
  rules: Array<{
    alert?: string;
    record?: string;
    expr: string;
    for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }>;
}

// Grafana's built-in interval variables, in both spellings ($__x and ${__x}).
const GRAFANA_INTERVAL = /\$(?:__(?:rate_interval|interval|range)\b|\{__(?:rate_interval|interval|range)\})/g;
const ANY_VARIABLE = /\$\{?\w+/;

function ruleGroups(objects: readonly K8sObject[]): RuleGroup[] {
  const rules = objects.filter((o) => o.apiVersion === "monitoring.coreos.com/v1" && o.kind === "PrometheusRule");
  if (rules.length === 0) throw new Error("no PrometheusRule rendered: render the chart with monitoring.rules.enabled");
  return rules.flatMap((rule) => (rule.spec as { groups: RuleGroup[] }).groups);
}

/** Every alert of the rendered PrometheusRule(s), in order. */
export function chartAlerts(objects: readonly K8sObject[]): ChartAlert[] {
  return ruleGroups(objects).flatMap((group) =>
    group.rules
      .filter((rule) => rule.alert !== undefined)
      .map((rule) => ({
        group: group.name,
        name: rule.alert!,
        expr: rule.expr,
        for: rule.for,
        labels: rule.labels ?? {},
        annotations: rule.annotations ?? {},
      })),
  );
}

/** The rendered rule groups as a Prometheus rule file (groups: ...), for promtool or a Prometheus's rule_files. */
export function ruleGroupsYaml(objects: readonly K8sObject[]): string {
  return stringify({ groups: ruleGroups(objects) });
}

/** The dashboard in the rendered dashboard ConfigMap. */
export function chartDashboard(objects: readonly K8sObject[]): GrafanaDashboard {
  const found = objects.flatMap((o) =>
    o.apiVersion === "v1" && o.kind === "ConfigMap"
      ? Object.entries((o.data ?? {}) as Record<string, string>)
          .filter(([file]) => file.endsWith(".json"))
          .map(([file, json]) => parseDashboard(json, `ConfigMap ${o.metadata.name} ${file}`))
      : [],
  );
  if (found.length !== 1)
    throw new Error(`expected one dashboard, found ${found.length}: render the chart with monitoring.dashboard.enabled`);
  return found[0]!;
}

/** The query with Grafana's interval variables ($__rate_interval, $__interval, $__range) set to this window, e.g. "1m". */
export function withWindow(expr: string, window: string): string {
  const concrete = expr.replace(GRAFANA_INTERVAL, window);
  const left = ANY_VARIABLE.exec(concrete);
  if (left) throw new Error(`query uses Grafana variable ${left[0]}, which has no concrete value here: ${expr}`);
  return concrete;
}

/** Every query of every dashboard panel, with Grafana's interval variables set to this window. */
export function dashboardQueries(objects: readonly K8sObject[], window: string): PanelQuery[] {
  return chartDashboard(objects).panels.flatMap((panel) =>
    panel.targets.map((target) => ({
      title: panel.title,
      refId: target.refId,
      legendFormat: target.legendFormat,
      expr: withWindow(target.expr, window),
    })),
  );
}
