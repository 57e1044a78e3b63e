{{- /*
What each service's filter owns on the gateway (its scope: a name, host patterns and path prefixes),
and the checks that keep scopes apart. Each WasmPlugin on a gateway runs on every request it serves
and acts on the requests its scopes claim: two plugins whose scopes overlap would both act on the
same requests. Within one plugin (the shared layout) the most specific host wins, as in Envoy, so
only one pattern claimed twice is ambiguous.
*/ -}}

{{/* This release's scopes, as a JSON list of dicts name, hosts, paths: one per service. */}}
{{- define "version-router.scopes" -}}
{{- $scopes := list -}}
{{- range include "version-router.services" . | fromJsonArray -}}
{{- $hosts := include "version-router.ownedHosts" . | fromJsonArray -}}
{{- $scopes = append $scopes (dict "name" (include "version-router.serviceName" .) "hosts" $hosts "paths" (.Values.pathPrefixes | default list) "at" .valuesPath) -}}
{{- end -}}
{{- toJson $scopes -}}
{{- end -}}

{{/* The scopes a live WasmPlugin's pluginConfig claims, in the same shape; a plugin without hosts
(an older chart's, or hosts "*") claims every host. */}}
{{- define "version-router.pluginScopes" -}}
{{- $config := .spec.pluginConfig | default dict -}}
{{- $scopes := list -}}
{{- range ($config.services | default (list $config)) -}}
{{- $scopes = append $scopes (dict "name" (.service | default "a service without a name") "hosts" (.hosts | default (list "*")) "paths" (.paths | default list)) -}}
{{- end -}}
{{- toJson $scopes -}}
{{- end -}}

{{/* Whether every request to host pattern b (list a b) is one to a too: "*", the same name, or a
"*." wildcard above it. Case does not matter. */}}
{{- define "version-router.hostCovers" -}}
{{- $a := lower (index . 0) -}}
{{- $b := lower (index . 1) -}}
{{- $suffix := trimPrefix "*" $a -}}
{{- if or (eq $a "*") (eq $a $b) (and (hasPrefix "*." $a) (hasSuffix $suffix $b)) }}true{{ end -}}
{{- end -}}

{{/* Whether some path is under a prefix of each list (list a b): either list empty (every path), or
one prefix starting another. */}}
{{- define "version-router.pathsOverlap" -}}
{{- $a := index . 0 -}}
{{- $b := index . 1 -}}
{{- if or (not $a) (not $b) }}true{{ else -}}
{{- range $p := $a }}{{ range $q := $b }}{{ if or (hasPrefix $p $q) (hasPrefix $q $p) }}true{{ end }}{{ end }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* The first host of scope a that shares requests with scope b (list a b), when a filter for each
runs on the same gateway; empty when none does. */}}
{{- define "version-router.sharedHost" -}}
{{- $a := index . 0 -}}
{{- $b := index . 1 -}}
{{- $found := "" -}}
{{- if include "version-router.pathsOverlap" (list $a.paths $b.paths) -}}
{{- range $h := $a.hosts }}{{ range $k := $b.hosts -}}
{{- if and (not $found) (or (include "version-router.hostCovers" (list $h $k)) (include "version-router.hostCovers" (list $k $h))) }}{{ $found = $h }}{{ end -}}
{{- end }}{{ end -}}
{{- end -}}
{{- $found -}}
{{- end -}}

{{/* The value that names a scope's hosts, for messages. */}}
{{- define "version-router.hostsValue" -}}
{{ .at }}{{ ternary "gatewayApi.hostnames" "gateway.hosts" (eq .routingApi "gatewayApi") }}
{{- end -}}

{{/* The checks of what a release's services share: one Gateway (shared layout), hosts claimed once
in the release, and no host another release's filter claims on the same gateway pods. The last
needs the cluster (helm install, upgrade, template --dry-run=server): it reads the WasmPlugins beside
this release's. */}}
{{- define "version-router.validateShared" -}}
{{- $shared := include "version-router.shared" . -}}
{{- $pinned := regexFind "@sha256:[0-9a-f]{64}$" .Values.wasm.url | trimPrefix "@sha256:" -}}
{{- if and $pinned .Values.wasm.sha256 (ne $pinned .Values.wasm.sha256) -}}
{{- fail (printf "wasm.sha256: %q is not the digest wasm.url pins (%s): give one of them, or the same digest in both" .Values.wasm.sha256 $pinned) -}}
{{- end -}}
{{- $most := (include "version-router.configLimits" . | fromJson).services -}}
{{- if gt (len .Values.services) (int $most) -}}
{{- fail (printf "services: %d services, but one filter takes at most %v" (len .Values.services) $most) -}}
{{- end -}}
{{- if and $shared (eq .Values.routingApi "gatewayApi") -}}
{{- if .Values.gatewayApi.gateway.create -}}
{{- fail "gatewayApi.gateway.create: a release of several services (services) attaches their HTTPRoutes to one existing Gateway: set create false and its name and namespace" -}}
{{- end -}}
{{- if not .Values.gatewayApi.gateway.name -}}
{{- fail "gatewayApi.gateway.name: name the existing Gateway the services share" -}}
{{- end -}}
{{- end -}}
{{- $mine := include "version-router.scopes" . | fromJsonArray -}}
{{- range $i, $a := $mine -}}
{{- range $j, $b := $mine -}}
{{- if lt $j $i -}}
{{- range $h := $a.hosts -}}
{{- if and (has $h $b.hosts) (include "version-router.pathsOverlap" (list $a.paths $b.paths)) -}}
{{- fail (printf "%s: %q is also %s's, with overlapping paths: in one release each host belongs to one service, or to several with pathPrefixes apart" (include "version-router.hostsValue" (dict "at" $a.at "routingApi" $.Values.routingApi)) $h $b.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if .Values.wasm.enabled -}}
{{- $pods := include "version-router.gatewayPods" . | fromJson -}}
{{- $name := ternary (printf "%s-version-router" .Release.Name) (include "version-router.pluginName" .) (eq $shared "true") -}}
{{- $target := include "version-router.gatewayTarget" . -}}
{{- range (lookup "extensions.istio.io/v1alpha1" "WasmPlugin" $pods.namespace "").items -}}
{{- $chart := index (.metadata.labels | default dict) "helm.sh/chart" | default "" -}}
{{- if and (hasPrefix "version-router-" $chart) (ne .metadata.name $name) (eq (include "version-router.gatewayTarget" (dict "Values" (dict "plugin" .spec))) $target) -}}
{{- $other := . -}}
{{- range $b := include "version-router.pluginScopes" . | fromJsonArray -}}
{{- range $a := $mine -}}
{{- with include "version-router.sharedHost" (list $a $b) -}}
{{- fail (printf "%s: %q shares requests with %s (WasmPlugin %s/%s, release %s) on the same gateway pods: each release's filter acts on every request to its hosts, so on a shared gateway give each release hosts of its own (a host \"*\" claims them all), or hold the services in one release (services)" (include "version-router.hostsValue" (dict "at" $a.at "routingApi" $.Values.routingApi)) . $b.name $other.metadata.namespace $other.metadata.name (index $other.metadata.labels "app.kubernetes.io/instance" | default "?")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Which gateway pods a WasmPlugin selects, as one comparable string: its selector's labels or its
targetRefs. Takes the chart's context, or (dict "Values" (dict "plugin" <a WasmPlugin's spec>)). */}}
{{- define "version-router.gatewayTarget" -}}
{{- with .Values.plugin -}}
{{- toJson (dict "labels" ((.selector | default dict).matchLabels | default dict) "refs" (.targetRefs | default list)) -}}
{{- else -}}
{{- $refs := list -}}
{{- $labels := dict -}}
{{- if eq .Values.routingApi "gatewayApi" -}}
{{- $refs = list (dict "group" "gateway.networking.k8s.io" "kind" "Gateway" "name" (include "version-router.gatewayApi.gatewayName" .)) -}}
{{- else -}}
{{- $labels = .Values.ingressSelector -}}
{{- end -}}
{{- toJson (dict "labels" $labels "refs" $refs) -}}
{{- end -}}
{{- end -}}
