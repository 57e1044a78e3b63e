{{/* Labels every object carries. */}}
{{- define "version-router.labels" -}}
app.kubernetes.io/name: {{ .Values.app }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* The Service's fully qualified host, as DestinationRule and VirtualService name it. */}}
{{- define "version-router.host" -}}
{{ .Values.app }}.{{ .Release.Namespace }}.svc.cluster.local
{{- end -}}

{{/* The version names, in order, as a JSON list: the one list everything is built from. */}}
{{- define "version-router.versionNames" -}}
{{- $names := list -}}
{{- range .Values.versions -}}{{- $names = append $names .name -}}{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{/* The filter's pluginConfig, from the same list. */}}
{{- define "version-router.pluginConfig" -}}
header: {{ .Values.header | quote }}
versions: {{ include "version-router.versionNames" . }}
default: {{ .Values.defaultVersion | quote }}
scope: {{ .Values.wasm.scope | default "all" | quote }}
{{- with .Values.stickyBy }}
stickyBy: {{ toJson . }}
{{- end }}
{{- with .Values.cohorts }}
cohorts: {{ toJson . }}
{{- end }}
{{- with .Values.canary }}
canary: {{ toJson . }}
{{- end }}
{{- with .Values.responseHeader }}
responseHeader: {{ . | quote }}
{{- end }}
{{- end -}}
