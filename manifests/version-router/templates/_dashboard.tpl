{{- /*
The Grafana dashboard, as JSON. The panels are listed in YAML below (title, unit, optional alert
threshold, targets); "version-router.dashboard" adds what every panel needs (id, position, data
source, field config) and the frame. Queries come from _promql.tpl with Grafana's $__rate_interval.
*/ -}}

{{- define "version-router.dashboard.panels" -}}
{{- $window := "$__rate_interval" -}}
{{- $rules := .Values.monitoring.rules -}}
{{- $canary := list `reason="canary"` -}}
- title: Routing decisions per version and reason
  unit: reqps
  targets:
    - expr: {{ include "version-router.promql.decisionRate" (dict "root" . "window" $window "matchers" (list) "by" "version, reason") | toJson }}
      legendFormat: {{ "{{version}} {{reason}}" | toJson }}
{{- with .Values.canary.weights }}
- title: Canary share per version, observed and configured
  unit: percentunit
  targets:
    - expr: {{ include "version-router.promql.decisionShare" (dict "root" $ "window" $window "of" $canary "among" $canary "by" "version") | toJson }}
      legendFormat: {{ "observed {{version}}" | toJson }}
    {{- $configured := list }}
    {{- range $version, $share := include "version-router.canaryShares" $ | fromJson }}
    {{- $configured = append $configured (printf "label_replace(vector(%v), \"version\", %q, \"\", \"\")" $share $version) }}
    {{- end }}
    - expr: {{ join " or " $configured | toJson }}
      legendFormat: {{ "configured {{version}}" | toJson }}
{{- end }}
- title: Wrong version header (share of decisions)
  unit: percentunit
  threshold: {{ $rules.wrongVersion.threshold }}
  targets:
    - expr: {{ include "version-router.promql.decisionShare" (dict "root" . "window" $window "of" (list `reason="invalid"`) "among" (list)) | toJson }}
      legendFormat: invalid
- title: No version header, sent to the default (share of decisions)
  unit: percentunit
  threshold: {{ $rules.missingHeader.threshold }}
  targets:
    - expr: {{ include "version-router.promql.decisionShare" (dict "root" . "window" $window "of" (list `reason="default"`) "among" (list)) | toJson }}
      legendFormat: default
{{- if include "version-router.anyRestricted" . }}
- title: Restricted versions named without the identity (per minute)
  unit: short
  threshold: {{ $rules.restrictedAttempts.perMinute }}
  targets:
    - expr: {{ printf "60 * %s" (include "version-router.promql.decisionRate" (dict "root" . "window" $window "matchers" (list `reason="restricted"`))) | toJson }}
      legendFormat: restricted
{{- end }}
- title: Error share per version (HTTP 5xx, gRPC server errors)
  unit: percentunit
  targets:
    - expr: {{ include "version-router.promql.errorShare" (dict "root" . "window" $window "by" "destination_version") | toJson }}
      legendFormat: {{ "{{destination_version}}" | toJson }}
- title: p99 latency per version
  unit: ms
  targets:
    - expr: {{ include "version-router.promql.p99Latency" (dict "root" . "window" $window) | toJson }}
      legendFormat: {{ "{{destination_version}}" | toJson }}
{{- end -}}

{{- define "version-router.dashboard" -}}
{{- $datasource := dict "type" "prometheus" "uid" "${datasource}" -}}
{{- $panels := list -}}
{{- range $i, $panel := include "version-router.dashboard.panels" . | fromYamlArray -}}
{{- $targets := list -}}
{{- range $j, $target := $panel.targets -}}
{{- $targets = append $targets (merge (dict "refId" (printf "%c" (add 65 $j)) "datasource" $datasource) $target) -}}
{{- end -}}
{{- $defaults := dict "unit" $panel.unit -}}
{{- if hasKey $panel "threshold" -}}
{{- /* The alert's threshold as a red line. */ -}}
{{- $_ := set $defaults "thresholds" (dict "mode" "absolute" "steps" (list (dict "color" "green" "value" nil) (dict "color" "red" "value" $panel.threshold))) -}}
{{- $_ := set $defaults "custom" (dict "thresholdsStyle" (dict "mode" "line")) -}}
{{- end -}}
{{- $panels = append $panels (dict
  "id" (add1 $i)
  "type" "timeseries"
  "title" $panel.title
  "datasource" $datasource
  "gridPos" (dict "h" 8 "w" 12 "x" (mul (mod $i 2) 12) "y" (mul (div $i 2) 8))
  "fieldConfig" (dict "defaults" $defaults "overrides" (list))
  "targets" $targets
) -}}
{{- end -}}
{{- toPrettyJson (dict
  "uid" (printf "vr-%s-%s" .Release.Namespace .Values.app | trunc 40 | trimSuffix "-")
  "title" (printf "version-router: %s (%s)" .Values.app .Release.Namespace)
  "tags" (list "version-router")
  "editable" true
  "schemaVersion" 39
  "time" (dict "from" "now-1h" "to" "now")
  "refresh" "30s"
  "templating" (dict "list" (list (dict "name" "datasource" "label" "Prometheus" "type" "datasource" "query" "prometheus")))
  "panels" $panels
) -}}
{{- end -}}
