{{- /*
PromQL for the monitoring objects. Alerts pass monitoring.rateWindow as the window, the dashboard
passes Grafana's $__rate_interval: a panel shows what its alert evaluates. Helpers that take a dict
read root (the chart's top context, $), window, and what they name.
*/ -}}

{{/* The filter's one counter family, as Envoy's /stats/prometheus names it (see assembly/reporting.ts).
A gateway counts the decisions of every service it routes for in it, each under its own service
label, <namespace>/<app>: every query of a release selects its own (decisionRate). */}}
{{- define "version-router.promql.decisions" -}}
version_router_requests_total
{{- end -}}

{{/* Istio's standard metrics, as the gateway reports them. */}}
{{- define "version-router.promql.requests" -}}
istio_requests_total
{{- end -}}
{{- define "version-router.promql.durationBuckets" -}}
istio_request_duration_milliseconds_bucket
{{- end -}}

{{/* An error, as Istio labels a response: HTTP 5xx, or a gRPC status that maps to 5xx (gRPC errors
come with HTTP 200). Each is a matcher on one series; errorShare counts a series matching both once. */}}
{{- define "version-router.promql.httpErrors" -}}
response_code=~"5.."
{{- end -}}
{{- define "version-router.promql.grpcErrors" -}}
grpc_response_status=~"2|4|12|13|14|15"
{{- end -}}

{{/* A selector: dict matchers (a list) plus monitoring.selector, in braces; empty when there are none. */}}
{{- define "version-router.promql.selector" -}}
{{- $matchers := compact (append .matchers .root.Values.monitoring.selector) -}}
{{- with $matchers }}{{ printf "{%s}" (join ", " .) }}{{ end -}}
{{- end -}}

{{/* This service's decisions per second with these matchers, summed (dict by: the labels to keep, optional). */}}
{{- define "version-router.promql.decisionRate" -}}
{{- $service := printf "service=%q" (include "version-router.serviceName" .root) -}}
{{- $selector := include "version-router.promql.selector" (dict "root" .root "matchers" (prepend .matchers $service)) -}}
sum{{ with .by }} by ({{ . }}) {{ end }}(rate({{ include "version-router.promql.decisions" .root }}{{ $selector }}[{{ .window }}]))
{{- end -}}

{{/* The share of the decisions matching among that match of too. With by, one share per group. */}}
{{- define "version-router.promql.decisionShare" -}}
{{- $of := include "version-router.promql.decisionRate" (dict "root" .root "window" .window "matchers" .of "by" .by) -}}
{{- $among := include "version-router.promql.decisionRate" (dict "root" .root "window" .window "matchers" .among) -}}
{{ $of }} / {{ if .by }}on() group_left {{ end }}{{ $among }}
{{- end -}}

{{/* Istio's selector for this release's Service, as the gateway reports it, plus dict matchers. With
routingApi gatewayApi the gateway routes to one Service per version instead: those Services. */}}
{{- define "version-router.promql.requestSelector" -}}
{{- $name := printf "destination_service_name=%q" .root.Values.app -}}
{{- if eq .root.Values.routingApi "gatewayApi" -}}
{{- $services := list -}}
{{- range .root.Values.versions }}{{ $services = append $services (include "version-router.versionService" (list $.root .name)) }}{{ end -}}
{{- $name = printf "destination_service_name=~%q" (join "|" $services) -}}
{{- end -}}
{{- $service := list `reporter="source"` $name (printf "destination_service_namespace=%q" .root.Release.Namespace) -}}
{{- include "version-router.promql.selector" (dict "root" .root "matchers" (concat $service .matchers)) -}}
{{- end -}}

{{/* The share of requests that failed, of one version (dict version) or per version (dict by).
A version with requests but no error series yet has a share of 0 rather than none. */}}
{{- define "version-router.promql.errorShare" -}}
{{- $matchers := list -}}
{{- with .version }}{{ $matchers = list (printf "destination_version=%q" .) }}{{ end -}}
{{- $metric := include "version-router.promql.requests" .root -}}
{{- $all := include "version-router.promql.requestSelector" (dict "root" .root "matchers" $matchers) -}}
{{- $http := include "version-router.promql.requestSelector" (dict "root" .root "matchers" (append $matchers (include "version-router.promql.httpErrors" .root))) -}}
{{- $grpc := include "version-router.promql.requestSelector" (dict "root" .root "matchers" (append $matchers (include "version-router.promql.grpcErrors" .root))) -}}
{{- $sum := "sum" }}{{ with .by }}{{ $sum = printf "sum by (%s) " . }}{{ end -}}
(
  {{ $sum }}(rate({{ $metric }}{{ $http }}[{{ .window }}]) or rate({{ $metric }}{{ $grpc }}[{{ .window }}]))
  or 0 * {{ $sum }}(rate({{ $metric }}{{ $all }}[{{ .window }}]))
)
/ {{ $sum }}(rate({{ $metric }}{{ $all }}[{{ .window }}]))
{{- end -}}

{{/* The 99th percentile request duration per version, in milliseconds. */}}
{{- define "version-router.promql.p99Latency" -}}
{{- $selector := include "version-router.promql.requestSelector" (dict "root" .root "matchers" (list)) -}}
histogram_quantile(0.99, sum by (le, destination_version) (rate({{ include "version-router.promql.durationBuckets" .root }}{{ $selector }}[{{ .window }}])))
{{- end -}}

{{/* Each weighted version's configured canary share, weight / sum of weights, as a JSON object. */}}
{{- define "version-router.canaryShares" -}}
{{- $sum := 0 -}}
{{- range $_, $weight := .Values.canary.weights }}{{ $sum = add $sum $weight }}{{ end -}}
{{- $shares := dict -}}
{{- range $version, $weight := .Values.canary.weights }}{{ $_ := set $shares $version (divf $weight $sum) }}{{ end -}}
{{- toJson $shares -}}
{{- end -}}
