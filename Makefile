# agentbridge build, test and run targets.
#
# `sam build` calls build-<LogicalId> with ARTIFACTS_DIR set; each leaves a static `bootstrap`
# for provided.al2023 there. GOOS/GOARCH default to Lambda's linux/arm64; the local host sets them
# to its own platform so the very same targets build binaries it can run.

GO          ?= go
GOOS        ?= linux
GOARCH      ?= arm64
GOFLAGS_LAMBDA = -tags lambda.norpc -trimpath -ldflags='-s -w -buildid='
ARTIFACTS_DIR ?= $(CURDIR)/.build/$(GOOS)_$(GOARCH)
BIN         ?= $(CURDIR)/bin
FUZZTIME    ?= 30s
NPM_STAMP   := node_modules/.package-lock.json
WEB_STAMP   := web/node_modules/.package-lock.json

.PHONY: build build-ConnectFunction build-DisconnectFunction build-EmitFunction build-StreamFunction \
        agentbridge dev test test-moto lint fuzz bench bench-smoke deploy deploy-localstack clean deps \
        web-deps console test-web

build-ConnectFunction:
	$(call build-function,connect)
build-DisconnectFunction:
	$(call build-function,disconnect)
build-EmitFunction:
	$(call build-function,emit)
build-StreamFunction:
	$(call build-function,stream)

define build-function
	mkdir -p "$(ARTIFACTS_DIR)"
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) $(GO) build $(GOFLAGS_LAMBDA) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/$(1)
endef

# build: every function for Lambda into .build/, one directory each, as sam build lays them out.
build:
	$(MAKE) build-ConnectFunction ARTIFACTS_DIR=$(CURDIR)/.build/ConnectFunction
	$(MAKE) build-DisconnectFunction ARTIFACTS_DIR=$(CURDIR)/.build/DisconnectFunction
	$(MAKE) build-EmitFunction ARTIFACTS_DIR=$(CURDIR)/.build/EmitFunction
	$(MAKE) build-StreamFunction ARTIFACTS_DIR=$(CURDIR)/.build/StreamFunction

agentbridge:
	@echo "go: building bin/agentbridge (the first build compiles the AWS SDK: about a minute on a cold machine)…"
	$(GO) build -o "$(BIN)/agentbridge" ./cmd/agentbridge

$(NPM_STAMP): package.json package-lock.json
	@echo "npm: installing dynalite, the local DynamoDB (npm ci; about 30 s on a cold machine)…"
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NPM_STAMP)
	@echo "go: downloading modules (go mod download; quiet, up to a minute on a cold machine)…"
	$(GO) mod download

# The browser side (web/): the client package, the AG-UI agent and the console, one lock file.
$(WEB_STAMP): web/package.json web/package-lock.json
	@echo "npm: installing the browser packages in web/ (npm ci; about 30 s on a cold machine)…"
	cd web && npm ci --no-audit --no-fund
	@touch $@

web-deps: $(WEB_STAMP)

# console: the live console the local host serves at / (web/console/dist), rebuilt when a
# source of it or of the packages it uses changed.
CONSOLE_BUILT := web/console/dist/index.html
WEB_SOURCES   := $(shell find web/client/src web/agui/src web/console/src web/console/static web/console/build.mjs -type f 2>/dev/null)

$(CONSOLE_BUILT): $(WEB_STAMP) $(WEB_SOURCES)
	@echo "web: building @agentbridge/client, @agentbridge/ag-ui and the console (tsc, esbuild)…"
	cd web && npm run build --silent

console: $(CONSOLE_BUILT)

# test-web: the TypeScript packages' tests (node:test), then the console in headless Chromium
# against a real `agentbridge dev` (which needs dynalite: deps).
test-web: deps console
	cd web && npm test --silent
	cd web && npm run test:browser --silent

# dev: the whole stack locally (WebSocket API, @connections, Lambda Invoke and Runtime APIs, dynalite).
dev: deps console agentbridge
	"$(BIN)/agentbridge" dev $(DEV_FLAGS)

# test: every test with the race detector; integration tests start their own DynamoDB-compatible
# server (dynalite by default) and must not skip (AGENTBRIDGE_REQUIRE_INTEGRATION=1). The root
# module is the product only; the bench module's smoke run (about 15-30 s) follows it.
test: deps
	AGENTBRIDGE_REQUIRE_INTEGRATION=1 $(GO) test -race -count=1 -timeout 12m ./...
	$(MAKE) bench-smoke
	$(MAKE) fuzz FUZZTIME=200000x
	$(MAKE) test-web

# test-moto: the same suite against moto_server instead of dynalite.
test-moto: deps
	AGENTBRIDGE_REQUIRE_INTEGRATION=1 AGENTBRIDGE_DYNAMODB=moto $(GO) test -race -count=1 -timeout 12m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	cd bench && $(GO) vet ./...
	cfn-lint template.yaml

# fuzz: each fuzz target for FUZZTIME (go test runs one -fuzz target per invocation). make test
# gives a count (200000x) rather than a duration: Go 1.26's fuzz coordinator can fail a target
# with "context deadline exceeded" at the end of a duration, with no failing input
# (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline to race.
fuzz:
	@set -e; for target in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/^func //' | sort -u); do \
		pkg=$$(grep -rlE "^func $$target\(" --include='*_test.go' . | head -1 | xargs dirname); \
		echo "fuzz $$target in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	done

# bench: the benchmark harness, its own module under bench/ (so its plotting and histogram
# dependencies stay out of the product's go.mod); rewrites BENCHMARKS.md and docs/bench/.
bench: deps
	cd bench && $(GO) run . $(BENCH_FLAGS)

# bench-smoke: the harness's own tests, including one run at --quick sizes against a real
# local stack; proves the harness works, says nothing about speed.
bench-smoke: deps
	cd bench && $(GO) test -race -count=1 -timeout 10m ./...

deploy:
	sam build && sam deploy

deploy-localstack:
	sam build && sam deploy --config-env localstack

clean:
	rm -rf .build bin .aws-sam web/*/dist web/*/build-test web/browser/build
