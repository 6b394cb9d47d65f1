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

.PHONY: build build-ConnectFunction build-DisconnectFunction build-EmitFunction build-StreamFunction \
        agentbridge dev test test-moto lint fuzz bench deploy deploy-localstack clean deps

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
	$(GO) build -o "$(BIN)/agentbridge" ./cmd/agentbridge

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NPM_STAMP)
	$(GO) mod download

# dev: the whole stack locally (WebSocket API, @connections, Lambda Invoke and Runtime APIs, dynalite).
dev: deps agentbridge
	"$(BIN)/agentbridge" dev $(DEV_FLAGS)

# test: every test with the race detector; integration tests start their own DynamoDB-compatible
# server (dynalite by default) and must not skip (AGENTBRIDGE_REQUIRE_INTEGRATION=1).
test: deps
	AGENTBRIDGE_REQUIRE_INTEGRATION=1 $(GO) test -race -count=1 -timeout 12m ./...
	$(MAKE) fuzz FUZZTIME=5s

# test-moto: the same suite against moto_server instead of dynalite.
test-moto: deps
	AGENTBRIDGE_REQUIRE_INTEGRATION=1 AGENTBRIDGE_DYNAMODB=moto $(GO) test -race -count=1 -timeout 12m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	cfn-lint template.yaml

# fuzz: each fuzz target for FUZZTIME (go test runs one -fuzz target per invocation).
fuzz:
	@set -e; for target in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/^func //' | sort -u); do \
		pkg=$$(grep -rlE "^func $$target\(" --include='*_test.go' . | head -1 | xargs dirname); \
		echo "fuzz $$target in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	done

bench: deps
	$(GO) run ./cmd/agentbridge-bench $(BENCH_FLAGS)

deploy:
	sam build && sam deploy

deploy-localstack:
	sam build && sam deploy --config-env localstack

clean:
	rm -rf .build bin .aws-sam
