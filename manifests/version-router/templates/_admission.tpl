{{- /*
The filter's rules for one service's configuration, in CEL, for the ValidatingAdmissionPolicy in
admission-policy.yaml. Each rule reads the service as `s`; its message names the field and the rule.
They restate assembly/config-validator.ts; test/istio/admission-policy.test.ts requires the API
server's verdict to equal the filter's on thousands of generated configurations.
*/ -}}

{{/* The largest configuration the filter takes (assembly/config-limits.ts holds the same numbers,
and the chart-names test compares them): what keeps the rules within the API server's CEL cost limits. */}}
{{- define "version-router.configLimits" -}}
{{- toJson (dict "services" 16 "versions" 32 "hosts" 16 "paths" 8 "pathLength" 256 "cohorts" 16 "identities" 8) -}}
{{- end -}}

{{/* The policy and its binding: one per release, named for it. */}}
{{- define "version-router.admissionPolicyName" -}}
{{ printf "%s-%s-version-router-config" .Release.Namespace .Release.Name | trunc 253 }}
{{- end -}}

{{/* The label that puts a WasmPlugin under this release's policy. */}}
{{- define "version-router.validatedByLabel" -}}
version-router.io/validated-by: {{ printf "%s.%s" .Release.Namespace .Release.Name | quote }}
{{- end -}}

{{- define "version-router.serviceRules" -}}
{{- $l := include "version-router.configLimits" . | fromJson -}}
{{- /* \x60 is the backquote, which a Go template's raw string cannot hold */ -}}
{{- $token := `(type(X) == string && size(X) <= 256 && X.matches(r"^[A-Za-z0-9!#$%&'*+.^_\x60|~-]+$"))` -}}
{{- $versions := `(has(s.versions) && type(s.versions) == list ? s.versions : [])` -}}
{{- /* A JSON integer arrives as an int, 5.0 as a double: Istio hands the filter both as 5 */ -}}
{{- $weight := `((type(w) == int && w >= 0 && w <= 1000000) || (type(w) == double && w >= 0.0 && w <= 1000000.0 && double(int(w)) == w))` -}}
{{- $weights := printf `(type(W) == map && size(W) <= %v && W.all(k, k in %s && [W[k]].all(w, %s)) && W.map(k, int(W[k])).sum() > 0)` $l.versions $versions $weight -}}
{{- $kinds := `['exact', 'prefix', 'suffix', 'contains']` -}}
{{- $fields := list "service" "hosts" "paths" "header" "versions" "default" "scope" "stickyBy" "cohorts" "canary" "restricted" "decisionHeader" -}}
{{- /* An identity I: one source (a claim, a SAN or a trusted header) and one match its source takes, a value of 1 to 256 characters; includes one word */ -}}
{{- $identity := printf `(type(I) == map && I.all(k, k in ['claim', 'san', 'trustedHeader', 'exact', 'includes', 'prefix']) && I.filter(k, k in ['claim', 'san', 'trustedHeader']).size() == 1 && I.filter(k, k in ['exact', 'includes', 'prefix']).size() == 1 && (has(I.claim) ? type(I.claim) == string && I.claim.matches(r'^[!-~]{1,256}$') && !has(I.prefix) : has(I.san) ? type(I.san) == string && I.san in ['uri', 'dns'] && !has(I.includes) : %s && !has(I.prefix)) && I.filter(k, k in ['exact', 'includes', 'prefix']).all(k, type(I[k]) == string && size(I[k]) >= 1 && size(I[k]) <= 256) && (!has(I.includes) || !I.includes.contains(' ')))` ($token | replace "X" "I.trustedHeader") -}}
{{- $default := printf `(has(s.default) && type(s.default) == string ? s.default : (size(%s) > 0 ? string(%s[0]) : ''))` $versions $versions -}}
{{- $fieldList := toJson $fields | replace "\"" "'" -}}
- name: fields
  rule: {{ printf "s.all(k, k in %s)" $fieldList | quote }}
  message: {{ printf "s.filter(k, !(k in %s))[0] + ': unknown field, not one of [%s]'" $fieldList (join ", " $fields) | quote }}
- name: service
  rule: {{ `!has(s.service) || (type(s.service) == string && size(s.service) <= 253 && s.service.matches(r'^[!-:<>-~]{1,253}$'))` | quote }}
  message: {{ `'service: must be 1 to 253 visible ASCII characters without ";" or "="'` | quote }}
- name: hosts
  rule: {{ printf `!has(s.hosts) || (type(s.hosts) == list && size(s.hosts) > 0 && size(s.hosts) <= %v && s.hosts.all(h, type(h) == string && size(h) <= (h.startsWith('*.') ? 255 : 253) && h.matches(r'^(\*|(\*\.)?[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*)$')) && s.hosts.all(x, s.hosts.indexOf(x) == s.hosts.lastIndexOf(x)))` $l.hosts | quote }}
  message: {{ printf `'hosts: must be 1 to %v host names, *.names or *, without a port, each once'` $l.hosts | quote }}
- name: paths
  rule: {{ printf `!has(s.paths) || (type(s.paths) == list && size(s.paths) > 0 && size(s.paths) <= %v && s.paths.all(p, type(p) == string && size(p) <= %v && p.matches(r'^/[!-~]*$')) && s.paths.all(x, s.paths.indexOf(x) == s.paths.lastIndexOf(x)))` $l.paths $l.pathLength | quote }}
  message: {{ printf `'paths: must be 1 to %v path prefixes, each / and visible ASCII, at most %v characters, each once'` $l.paths $l.pathLength | quote }}
- name: header
  rule: {{ printf "!has(s.header) || %s" ($token | replace "X" "s.header") | quote }}
  message: {{ `'header: must be a token of 1 to 256 characters'` | quote }}
- name: versions
  rule: {{ printf `has(s.versions) && type(s.versions) == list && size(s.versions) > 0 && size(s.versions) <= %v && s.versions.all(v, type(v) == string && size(v) <= 128 && v.matches(r'^[!-+\x2d-~]{1,128}$')) && s.versions.all(x, s.versions.indexOf(x) == s.versions.lastIndexOf(x))` $l.versions | quote }}
  message: {{ printf `'versions: is required: 1 to %v version names, each 1 to 128 visible ASCII characters without ",", each once'` $l.versions | quote }}
- name: default
  rule: {{ printf "!has(s.default) || (type(s.default) == string && s.default in %s)" $versions | quote }}
  message: {{ `'default: must be one of versions'` | quote }}
- name: scope
  rule: {{ `!has(s.scope) || s.scope == 'all' || s.scope == 'grpc'` | quote }}
  message: {{ `'scope: must be "all" or "grpc"'` | quote }}
- name: stickyBy
  rule: {{ printf "!has(s.stickyBy) || (type(s.stickyBy) == map && size(s.stickyBy) == 1 && s.stickyBy.all(k, (k == 'header' || k == 'cookie') && %s))" ($token | replace "X" "s.stickyBy[k]") | quote }}
  message: {{ `'stickyBy: must be {"header": name} or {"cookie": name}, a token of 1 to 256 characters'` | quote }}
- name: cohorts
  rule: {{ printf "!has(s.cohorts) || (type(s.cohorts) == list && size(s.cohorts) <= %v && s.cohorts.all(c, type(c) == map && c.all(k, k in ['match', 'version', 'weights'])))" $l.cohorts | quote }}
  message: {{ printf `'cohorts: must be at most %v cohorts, each an object of match and one of version or weights'` $l.cohorts | quote }}
- name: cohortMatch
  rule: {{ printf "!has(s.cohorts) || type(s.cohorts) != list || size(s.cohorts) > %v || s.cohorts.all(c, type(c) != map || (has(c.match) && type(c.match) == map && ((has(c.match.claim) || has(c.match.san)) ? %s : (c.match.all(k, k in ['header', 'cookie'] || k in %s) && c.match.filter(k, k in ['header', 'cookie']).size() == 1 && c.match.filter(k, k in ['header', 'cookie']).all(k, %s) && c.match.filter(k, k in %s).size() == 1 && c.match.filter(k, k in %s).all(k, type(c.match[k]) == string && size(c.match[k]) > 0)))))" $l.cohorts ($identity | replace "I" "c.match") $kinds ($token | replace "X" "c.match[k]") $kinds $kinds | quote }}
  message: {{ `'cohorts: each match must be one header or cookie (a token of 1 to 256 characters) and one of exact, prefix, suffix or contains (a non-empty string), or a claim (exact or includes) or san (uri or dns; exact or prefix)'` | quote }}
- name: cohortTarget
  rule: {{ printf "!has(s.cohorts) || type(s.cohorts) != list || size(s.cohorts) > %v || s.cohorts.all(c, type(c) != map || (has(c.version) != has(c.weights) && (has(c.version) ? type(c.version) == string && c.version in %s : %s)))" $l.cohorts $versions ($weights | replace "W" "c.weights") | quote }}
  message: {{ `'cohorts: each cohort must have a version (one of versions) or weights ({version: weight}, each an integer from 0 to 1000000, one above 0), not both'` | quote }}
- name: canary
  rule: {{ printf "!has(s.canary) || (type(s.canary) == map && s.canary.all(k, k == 'weights') && has(s.canary.weights) && %s)" ($weights | replace "W" "s.canary.weights") | quote }}
  message: {{ `'canary: must be {"weights": {version: weight}}, each weight an integer from 0 to 1000000, one above 0'` | quote }}
- name: restricted
  rule: {{ printf "!has(s.restricted) || (type(s.restricted) == map && size(s.restricted) <= %v && s.restricted.all(v, v in %s && v != %s && type(s.restricted[v]) == list && size(s.restricted[v]) > 0 && size(s.restricted[v]) <= %v && s.restricted[v].all(i, %s)))" $l.versions $versions $default $l.identities ($identity | replace "I" "i") | quote }}
  message: {{ printf `'restricted: must map versions other than the default to 1 to %v identities, each a claim (exact or includes), a san (uri or dns; exact or prefix) or a trustedHeader (exact or includes), with a value of 1 to 256 characters'` $l.identities | quote }}
- name: decisionHeader
  rule: {{ printf "!has(s.decisionHeader) || (%s && s.decisionHeader.lowerAscii() != (has(s.header) && type(s.header) == string ? s.header.lowerAscii() : 'grpcsvc'))" ($token | replace "X" "s.decisionHeader") | quote }}
  message: {{ `'decisionHeader: must be a token of 1 to 256 characters other than header'` | quote }}
{{- end -}}
