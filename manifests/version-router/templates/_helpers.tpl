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

{{/* The one port of every Service: its name and appProtocol tell Istio the protocol (gRPC or HTTP). */}}
{{- define "version-router.servicePorts" -}}
- name: {{ .Values.service.protocol }}
  port: {{ .Values.service.port }}
  targetPort: {{ .Values.service.protocol }}
  appProtocol: {{ ternary "grpc" "http" (eq .Values.service.protocol "grpc") }}
{{- end -}}

{{/* The Service of one version, <app>-<version>, which the HTTPRoute routes to (routingApi gatewayApi).
Takes (list $ versionName). */}}
{{- define "version-router.versionService" -}}
{{ (index . 0).Values.app }}-{{ index . 1 }}
{{- end -}}

{{/* The Gateway API Gateway the HTTPRoute attaches to: its name and namespace. */}}
{{- define "version-router.gatewayApi.gatewayName" -}}
{{ .Values.gatewayApi.gateway.name | default (printf "%s-gateway" .Values.app) }}
{{- end -}}
{{- define "version-router.gatewayApi.gatewayNamespace" -}}
{{ .Values.gatewayApi.gateway.namespace | default .Release.Namespace }}
{{- end -}}
{{/* The one listener of a Gateway the chart creates. */}}
{{- define "version-router.gatewayApi.listenerName" -}}
http
{{- end -}}

{{/* The gateway pods the filter runs in and the PodMonitor scrapes, as JSON: their namespace and labels.
With routingApi istio, ingressSelector in ingressNamespace; with gatewayApi, the pods Istio deploys for
the Gateway, which it labels gateway.networking.k8s.io/gateway-name: <Gateway name>, in its namespace. */}}
{{- define "version-router.gatewayPods" -}}
{{- if eq .Values.routingApi "gatewayApi" -}}
{{- $labels := dict "gateway.networking.k8s.io/gateway-name" (include "version-router.gatewayApi.gatewayName" .) -}}
{{- toJson (dict "namespace" (include "version-router.gatewayApi.gatewayNamespace" .) "labels" $labels) -}}
{{- else -}}
{{- toJson (dict "namespace" .Values.ingressNamespace "labels" .Values.ingressSelector) -}}
{{- end -}}
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
{{- with .Values.decisionHeader }}
decisionHeader: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* One exact-header route per version, then the default: the same for every binding. */}}
{{- define "version-router.httpRoutes" -}}
{{- range .Values.versions }}
- name: {{ .name }}
  match:
    - headers:
        {{ $.Values.header }}:
          exact: {{ .name | quote }}
  route:
    - destination:
        host: {{ include "version-router.host" $ }}
        subset: {{ .name }}
  {{- with include "version-router.servedHeader" (list $ .name) }}{{ . | trim | nindent 2 }}{{ end }}
  {{- with include "version-router.routeExtras" $ }}{{ . | trim | nindent 2 }}{{ end }}
{{- end }}
# Reached only if the filter is bypassed: the same default it would choose.
- name: default
  route:
    - destination:
        host: {{ include "version-router.host" . }}
        subset: {{ .Values.defaultVersion }}
  {{- with include "version-router.servedHeader" (list . .Values.defaultVersion) }}{{ . | trim | nindent 2 }}{{ end }}
  {{- with include "version-router.routeExtras" . }}{{ . | trim | nindent 2 }}{{ end }}
{{- end -}}

{{/* The response header naming the version that served: each route knows its version. */}}
{{- define "version-router.servedHeader" -}}
{{- $root := index . 0 -}}
{{- with $root.Values.responseHeader }}
headers:
  response:
    set:
      {{ . }}: {{ index $ 1 | quote }}
{{- end }}
{{- end -}}

{{/* Where an HTTPRoute rule sends a request: the version's Service, and (with responseHeader) that
version named in the response, as the VirtualService routes name it. Takes (list $ versionName). */}}
{{- define "version-router.httpRouteRuleTarget" -}}
{{- $root := index . 0 -}}
{{- $version := index . 1 -}}
backendRefs:
  - name: {{ include "version-router.versionService" (list $root $version) }}
    port: {{ $root.Values.service.port }}
{{- with $root.Values.responseHeader }}
filters:
  - type: ResponseHeaderModifier
    responseHeaderModifier:
      set:
        - name: {{ . }}
          value: {{ $version | quote }}
{{- end }}
{{- end -}}

{{/* Istio-native extras every route carries: fault injection and mirroring. */}}
{{- define "version-router.routeExtras" -}}
{{- with .Values.fault }}
fault:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.mirror.version }}
mirror:
  host: {{ include "version-router.host" $ }}
  subset: {{ . }}
mirrorPercentage:
  value: {{ $.Values.mirror.percent | default 100 }}
{{- end }}
{{- end -}}

{{/* Labels of the monitoring objects: every object's, and monitoring.labels (what a Prometheus selects by). */}}
{{- define "version-router.monitoringLabels" -}}
{{ include "version-router.labels" . }}
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* A constant as Prometheus's alert templates print a percentage, e.g. 0.05 as 5%. */}}
{{- define "version-router.alertPercentage" -}}
{{ printf "{{ %v | humanizePercentage }}" . }}
{{- end -}}
