{{/* The values a version's workload objects are rendered from: every workload value of the
service, with the version's own merged over them by version-router.merge (maps key by key,
anything else replaced, null removes). Takes (list .Values version); gives JSON. */}}
{{- define "version-router.workload" -}}
{{- $keys := list "image" "imagePullSecrets" "replicas" "autoscaling" "revisionHistoryLimit" "podAnnotations" "podLabels" "podSecurityContext" "securityContext" "resources" "nodeSelector" "affinity" "tolerations" "topologySpreadConstraints" "livenessProbe" "readinessProbe" "startupProbe" "extraEnv" "strategy" "podDisruptionBudget" -}}
{{- $values := index . 0 -}}
{{- $version := index . 1 -}}
{{- $base := dict -}}
{{- range $keys }}{{ if hasKey $values . }}{{ $_ := set $base . (get $values .) }}{{ end }}{{ end -}}
{{- $over := dict -}}
{{- range $keys }}{{ if hasKey $version . }}{{ $_ := set $over . (get $version .) }}{{ end }}{{ end -}}
{{- include "version-router.merge" (list $base $over) -}}
{{- end -}}

{{/* The ServiceAccount every version of the service runs as. */}}
{{- define "version-router.serviceAccountName" -}}
{{- $sa := .Values.serviceAccount | default dict -}}
{{- if $sa.name }}{{ $sa.name }}{{ else if $sa.create }}{{ .Values.app }}{{ else }}default{{ end -}}
{{- end -}}

{{/* A probe with the service's port filled in where its handler names none: the named port for
tcpSocket and httpGet, the number for grpc (Kubernetes takes no name there). Takes (list probe
service); gives YAML, or nothing for an empty probe. */}}
{{- define "version-router.probe" -}}
{{- $probe := deepCopy (index . 0 | default dict) -}}
{{- $service := index . 1 -}}
{{- if $probe -}}
{{- range $handler, $port := dict "tcpSocket" $service.protocol "httpGet" $service.protocol "grpc" (int $service.port) -}}
{{- if hasKey $probe $handler }}{{ $h := get $probe $handler | default dict }}{{ if not $h.port }}{{ $_ := set $h "port" $port }}{{ end }}{{ $_ := set $probe $handler $h }}{{ end -}}
{{- end -}}
{{- toYaml $probe -}}
{{- end -}}
{{- end -}}

{{/* The labels a version's pods carry and its Deployment, HPA and PDB select by. */}}
{{- define "version-router.versionSelector" -}}
app: {{ index . 0 }}
version: {{ index . 1 }}
{{- end -}}

{{/* Fails on a version's workload values that Kubernetes would refuse or that say two things:
a probe with two handlers (Helm merges a probe given over the default one, so the other handler
must be nulled), an autoscaler without a target or with min above max, a disruption budget with
both or neither bound. Takes the service's context. */}}
{{- define "version-router.validateWorkload" -}}
{{- $at := .valuesPath -}}
{{- range $i, $version := .Values.versions -}}
{{- $w := include "version-router.workload" (list $.Values $version) | fromJson -}}
{{- $where := printf "%sversions[%d] (%s)" $at $i $version.name -}}
{{- range $name := list "livenessProbe" "readinessProbe" "startupProbe" -}}
{{- $probe := get $w $name | default dict -}}
{{- if $probe -}}
{{- $handlers := list -}}
{{- range $h := list "tcpSocket" "httpGet" "grpc" "exec" }}{{ if not (kindIs "invalid" (get $probe $h)) }}{{ if hasKey $probe $h }}{{ $handlers = append $handlers $h }}{{ end }}{{ end }}{{ end -}}
{{- if ne (len $handlers) 1 -}}
{{- fail (printf "%s: %s has %s: give it exactly one of tcpSocket, httpGet, grpc and exec (values merge a probe over the default one: null the handler you replace, e.g. %s.tcpSocket: null)" $where $name (ternary "no handler" (join " and " $handlers) (eq (len $handlers) 0)) $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $label := list "app" "version" -}}
{{- if hasKey ($w.podLabels | default dict) $label -}}
{{- fail (printf "%s: podLabels: %q is the chart's own label, which every version's objects select by" $where $label) -}}
{{- end -}}
{{- end -}}
{{- with $w.autoscaling -}}
{{- if .enabled -}}
{{- if gt (int .minReplicas) (int .maxReplicas) -}}
{{- fail (printf "%s: autoscaling.minReplicas %v is above autoscaling.maxReplicas %v" $where .minReplicas .maxReplicas) -}}
{{- end -}}
{{- if not (or .targetCPUUtilizationPercentage .targetMemoryUtilizationPercentage) -}}
{{- fail (printf "%s: autoscaling is enabled without a target: set autoscaling.targetCPUUtilizationPercentage or autoscaling.targetMemoryUtilizationPercentage above 0" $where) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with $w.podDisruptionBudget -}}
{{- if .enabled -}}
{{- if eq (kindIs "invalid" .minAvailable) (kindIs "invalid" .maxUnavailable) -}}
{{- fail (printf "%s: podDisruptionBudget needs exactly one of minAvailable and maxUnavailable (null the other)" $where) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
