{{/* The services this release renders, as a JSON list of template contexts: each has the Values,
Release and Chart a release of that one service would see, and valuesPath, where its values are
(for messages). By default the release is one service (the top-level values). With services (the
shared layout), one per entry, in key order: the top-level values with the entry's merged over
them, in the entry's namespace. */}}
{{- define "version-router.services" -}}
{{- $chart := dict "Name" .Chart.Name "Version" .Chart.Version -}}
{{- $contexts := list -}}
{{- if .Values.services -}}
{{- $base := omit .Values "services" -}}
{{- range $key, $entry := .Values.services -}}
{{- $values := include "version-router.merge" (list $base (omit $entry "namespace")) | fromJson -}}
{{- $release := dict "Name" $.Release.Name "Namespace" $entry.namespace "Service" $.Release.Service -}}
{{- $contexts = append $contexts (dict "Values" $values "Release" $release "Chart" $chart "valuesPath" (printf "services.%s." $key)) -}}
{{- end -}}
{{- else -}}
{{- $release := dict "Name" .Release.Name "Namespace" .Release.Namespace "Service" .Release.Service -}}
{{- $contexts = list (dict "Values" .Values "Release" $release "Chart" $chart "valuesPath" "") -}}
{{- end -}}
{{- toJson $contexts -}}
{{- end -}}

{{/* Values merged as Helm merges values files: maps key by key, anything else replaced. Takes (list
base over); gives JSON. */}}
{{- define "version-router.merge" -}}
{{- $out := deepCopy (index . 0) -}}
{{- range $key, $value := index . 1 -}}
{{- $current := get $out $key -}}
{{- if and (kindIs "map" $value) (kindIs "map" $current) -}}
{{- $_ := set $out $key (include "version-router.merge" (list $current $value) | fromJson) -}}
{{- else -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* Whether the release holds several services on one gateway (services): one WasmPlugin for all. */}}
{{- define "version-router.shared" -}}
{{- if .Values.services }}true{{ end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "version-router.labels" -}}
app.kubernetes.io/name: {{ ternary "version-router" .Values.app (eq (include "version-router.shared" .) "true") }}
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

{{/* The WasmPlugin of a release of one service. */}}
{{- define "version-router.pluginName" -}}
{{ .Release.Namespace }}-{{ .Values.app }}-version-router
{{- end -}}

{{/* The service's name in the filter's counters and logs: <namespace>/<app>. */}}
{{- define "version-router.serviceName" -}}
{{ .Release.Namespace }}/{{ .Values.app }}
{{- end -}}

{{/* The hosts this release routes, as JSON: the gateway's (gateway.hosts, or with routingApi
gatewayApi gatewayApi.hostnames, where none is any host) and the Service's mesh host, in lower case
(hosts match without case). The filter owns exactly these; ["*"] when any is "*". */}}
{{- define "version-router.ownedHosts" -}}
{{- $hosts := list -}}
{{- if eq .Values.routingApi "gatewayApi" -}}
{{- $hosts = .Values.gatewayApi.hostnames | default (list "*") -}}
{{- else if .Values.gateway.enabled -}}
{{- $hosts = .Values.gateway.hosts -}}
{{- end -}}
{{- $hosts = append $hosts (include "version-router.host" .) -}}
{{- if has "*" $hosts }}{{ $hosts = list "*" }}{{ end -}}
{{- $lower := list -}}
{{- range $hosts }}{{ $lower = append $lower (lower .) }}{{ end -}}
{{- toJson (uniq $lower) -}}
{{- end -}}

{{/* The filter's pluginConfig for this service, from the same values as its routes. */}}
{{- define "version-router.pluginConfig" -}}
service: {{ include "version-router.serviceName" . | quote }}
{{- $hosts := include "version-router.ownedHosts" . | fromJsonArray }}
{{- if not (has "*" $hosts) }}
hosts: {{ toJson $hosts }}
{{- end }}
{{- with .Values.pathPrefixes }}
paths: {{ toJson . }}
{{- end }}
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
{{- $restricted := dict }}
{{- range .Values.versions }}
{{- if .restrictedTo }}
{{- $_ := set $restricted .name .restrictedTo }}
{{- end }}
{{- end }}
{{- with $restricted }}
restricted: {{ toJson . }}
{{- end }}
{{- with .Values.decisionHeader }}
decisionHeader: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Whether any version is restricted to an identity. */}}
{{- define "version-router.anyRestricted" -}}
{{- range .Values.versions }}{{ if .restrictedTo }}true{{ end }}{{ end }}
{{- end -}}

{{/* Whether every identity that may reach this version is a JWT claim, which a route can match too. */}}
{{- define "version-router.claimsOnly" -}}
{{- $claims := true }}
{{- range . }}{{ if not .claim }}{{ $claims = false }}{{ end }}{{ end }}
{{- if $claims }}true{{ end }}
{{- end -}}

{{/* One exact-header route per version, then the default: the same for every binding. A restricted
version's route also requires one of its claims (Istio's @request.auth.claims, matched in the
jwt_authn payload as the filter reads it), so that with the filter bypassed (FAIL_OPEN) a request
without the claim still takes the default route. Istio matches claims only at a gateway: bound to
mesh (meshBinding), where no filter runs, a restricted version has no route at all. */}}
{{- define "version-router.httpRoutes" -}}
{{- range .Values.versions }}
{{- if and $.meshBinding .restrictedTo }}{{ continue }}{{ end }}
{{- $version := .name }}
{{- $claims := list (dict) }}
{{- if and .restrictedTo (include "version-router.claimsOnly" .restrictedTo) }}
{{- $claims = list }}
{{- range .restrictedTo }}
{{- $claims = append $claims (dict (printf "@request.auth.claims[%s]" .claim) (dict "exact" (.exact | default .includes))) }}
{{- end }}
{{- end }}
- name: {{ .name }}
  match:
    {{- range ($.Values.pathPrefixes | default (list "")) }}
    {{- $prefix := . }}
    {{- range $claims }}
    - headers:
        {{ $.Values.header }}:
          exact: {{ $version | quote }}
        {{- range $name, $match := . }}
        {{ $name | quote }}:
          exact: {{ $match.exact | quote }}
        {{- end }}
      {{- with $prefix }}
      uri:
        prefix: {{ . | quote }}
      {{- end }}
    {{- end }}
    {{- end }}
  route:
    - destination:
        host: {{ include "version-router.host" $ }}
        subset: {{ .name }}
  {{- with include "version-router.servedHeader" (list $ .name) }}{{ . | trim | nindent 2 }}{{ end }}
  {{- with include "version-router.routeExtras" $ }}{{ . | trim | nindent 2 }}{{ end }}
{{- end }}
# Reached only if the filter is bypassed: the same default it would choose.
- name: default
  {{- with .Values.pathPrefixes }}
  match:
    {{- range . }}
    - uri:
        prefix: {{ . | quote }}
    {{- end }}
  {{- end }}
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
