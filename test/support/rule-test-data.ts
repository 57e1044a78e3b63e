// Synthetic series and expected alerts for promtool's rule unit tests, in the shapes the chart's
// queries read: the filter's decision counter and Istio's request metrics as a gateway reports them.
import type { ChartAlert } from "../../harness/monitoring/chart-queries.js";
import type { RuleTest } from "../../harness/monitoring/promtool.js";

/** How long every synthetic counter runs, in samples one minute apart. */
export const MINUTES = 40;

type Series = { series: string; values: string };

const selector = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([name, value]) => `${name}="${value}"`)
    .join(",")}}`;

/** A counter growing by perMinute every minute from 0. */
export const counter = (metric: string, labels: Record<string, string>, perMinute: number): Series => ({
  series: `${metric}${selector(labels)}`,
  values: `0+${perMinute}x${MINUTES}`,
});

/** The service the chart's default release is, as its counters name it: grpcsvc in shop. */
export const SERVICE = "shop/grpcsvc";

/** A service's decisions of one version and reason (the chart's default service unless extra names one), perMinute of them a minute. */
export const decisions = (version: string, reason: string, perMinute: number, extra: Record<string, string> = {}): Series =>
  counter("version_router_requests_total", { service: SERVICE, ...extra, version, reason }, perMinute);

/** The labels Istio gives a gateway's requests to one version of a Service in shop (the chart's default Service, grpcsvc). */
export const istioLabels = (version: string, service = "grpcsvc"): Record<string, string> => ({
  reporter: "source",
  destination_service_name: service,
  destination_service_namespace: "shop",
  destination_version: version,
});

/** The gateway's view of requests to one version of a Service (the chart's default, grpcsvc in shop). */
export const requests = (version: string, response: { code?: string; grpc?: string }, perMinute: number, service = "grpcsvc"): Series =>
  counter(
    "istio_requests_total",
    {
      ...istioLabels(version, service),
      response_code: response.code ?? "200",
      ...(response.grpc === undefined ? {} : { grpc_response_status: response.grpc }),
    },
    perMinute,
  );

// Past every alert's for: (15m at most) plus its window (5m).
export const EVAL_TIME = "30m";

/** Synthetic series for one alert, and the alerts of that name expected firing. */
export interface Scenario {
  alert: string;
  name: string;
  series: Series[];
  /** The alerts of that name expected firing: the version label (if the alert has one) and $value. */
  fires: Array<{ version?: string; value: number }>;
}

/** What promtool must see firing: each expected alert's rendered labels and its annotations at that value. */
export function expectedAlerts(alerts: ChartAlert[], scenario: Pick<Scenario, "alert" | "fires">) {
  return scenario.fires.map(({ version, value }) => {
    const alert = alerts.find((a) => a.name === scenario.alert && a.labels.version === version);
    if (!alert) throw new Error(`no ${scenario.alert} rendered for version ${version}`);
    return { exp_labels: alert.labels, exp_annotations: expandedAnnotations(alert, value) };
  });
}

/** The scenario as one promtool rule unit test, evaluated at EVAL_TIME. */
export function ruleTest(alerts: ChartAlert[], scenario: Scenario): RuleTest {
  return {
    name: scenario.name,
    interval: "1m",
    input_series: scenario.series,
    alert_rule_test: [{ eval_time: EVAL_TIME, alertname: scenario.alert, exp_alerts: expectedAlerts(alerts, scenario) }],
  };
}

/** Go's %.4g, as Prometheus's humanize functions print, for the magnitudes these tests use. */
function fourDigits(x: number): string {
  const text = x.toPrecision(4);
  if (text.includes("e")) throw new Error(`${x}: outside what these tests print`);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

const humanizePercentage = (x: number) => `${fourDigits(x * 100)}%`;

function humanize(x: number): string {
  if (Math.abs(x) < 1 || Math.abs(x) >= 1000) throw new Error(`${x}: humanize prints an SI prefix here, which these tests do not use`);
  return fourDigits(x);
}

/**
 * The annotations Prometheus makes of the alert's templates when it fires with this value: the
 * chart's annotations use $value and constants through humanize and humanizePercentage only.
 */
export function expandedAnnotations(alert: ChartAlert, value: number): Record<string, string> {
  const expand = (template: string) => {
    // Only what a template uses is printed: humanize takes no shares.
    const text = template
      .replace(/\{\{ \$value \| humanizePercentage \}\}/g, () => humanizePercentage(value))
      .replace(/\{\{ \$value \| humanize \}\}/g, () => humanize(value))
      .replace(/\{\{ ([\d.]+) \| humanizePercentage \}\}/g, (_, constant: string) => humanizePercentage(Number(constant)));
    if (text.includes("{{")) throw new Error(`a template these tests cannot expand: ${template}`);
    return text;
  };
  return Object.fromEntries(Object.entries(alert.annotations).map(([name, template]) => [name, expand(template)]));
}
