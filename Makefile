# gureum — see README.md. `make run` builds and serves on the embedded store; `make test` runs every test.
GO       ?= go
FUZZTIME ?= 2s
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/gureum/gureum/internal/cli.Version=$(VERSION)

.PHONY: build run test unit fuzz bench docs vet

# bin/gureum, the server, and beside it bin/gureum-bench, the load generator that `gureum bench`
# runs (a binary of its own, so that the server does not link the AWS SDK's clients).
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/gureum ./cmd/gureum-bench ./cmd/gureum-logs ./cmd/gureum-deploy

run: build
	./bin/gureum server

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# All tests: unit, conformance (SQLite; PostgreSQL when GUREUM_TEST_POSTGRES holds a DSN),
# end-to-end against the built binary, the AWS CLI and boto3 compatibility tests, then every fuzz
# target for $(FUZZTIME).
test: vet unit fuzz

unit:
	@if [ -z "$$GUREUM_TEST_POSTGRES" ]; then echo "NOTICE: GUREUM_TEST_POSTGRES is not set; the PostgreSQL suites are skipped."; fi
	$(GO) test -race -count=1 -parallel 4 -timeout 30m ./...
	@# -parallel 4: the store suites' tests wait on fsync and PostgreSQL more than on the cores.
	@# -timeout 30m: the e2e package runs its tests one after another (AWS CLI and boto3 starts).
	@# The embedded store's other SQLite driver (modernc.org/sqlite, chosen where cgo is not):
	@# its suite and the services on it, without the race detector (which needs cgo).
	CGO_ENABLED=0 $(GO) test -count=1 ./internal/store/sqlite/ ./internal/server/ ./internal/sqs/

fuzz:
	./scripts/fuzz-all $(FUZZTIME)

# Benchmarks (figures, not pass/fail). `gureum bench` prints the same figures as a table (through
# bin/gureum-bench).
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...
	./bin/gureum bench
	./bin/gureum bench sqs

docs:
	$(GO) test ./internal/compat -run TestCompatibilityDocIsCurrent -update
