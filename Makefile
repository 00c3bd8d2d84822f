# hookseal task runner. `make help` lists the targets.
# Everything a fresh Debian machine (Rust, Node 20+, Python 3.10+) lacks is installed here:
# npm packages into bindings-node/node_modules, Python packages into .venv/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT   := $(abspath .)
VENV   := $(ROOT)/.venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
NODE   := bindings-node
PYPKG  := bindings-python
CARGO  ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN{FS=":.*## "}{printf "  make %-16s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- set-up

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.dev-deps: $(PYPKG)/requirements-dev.txt | $(PY)
	$(PIP) install -r $(PYPKG)/requirements-dev.txt
	touch $@

.PHONY: venv
venv: $(VENV)/.dev-deps ## create .venv and install the Python dev tools

$(NODE)/node_modules/.package-lock.json: $(NODE)/package.json $(NODE)/package-lock.json
	cd $(NODE) && npm ci --no-audit --no-fund --loglevel=error

.PHONY: node-deps
node-deps: $(NODE)/node_modules/.package-lock.json ## install the Node dev dependencies

# ---------------------------------------------------------------- build

.PHONY: build
build: build-node build-python build-cli ## build what users get: the napi addon, the Python extension in .venv, the CLI

.PHONY: build-node
build-node: node-deps ## build the release napi addon in bindings-node/
	cd $(NODE) && npm run --silent build

.PHONY: build-python
build-python: venv ## build the release Python extension and install it into .venv
	cd $(PYPKG) && VIRTUAL_ENV=$(VENV) PATH=$(VENV)/bin:$$PATH $(VENV)/bin/maturin develop --release --quiet

.PHONY: build-cli
build-cli: ## build the hookseal command (target/release/hookseal)
	$(CARGO) build --release -p hookseal-cli

# ---------------------------------------------------------------- test

# Redis-backed tests get a throwaway redis-server on a free loopback port (or $$REDIS_URL).
WITH_REDIS := $(ROOT)/scripts/with-redis.sh

.PHONY: test
test: test-rust test-node test-python test-demo ## run every suite: Rust (core, CLI, vectors), Node, Python, the demo
	@echo "make test: every suite passed"

.PHONY: test-rust
test-rust: ## Rust tests: core, conformance vectors, CLI
	$(CARGO) test --quiet

.PHONY: test-node
test-node: build-node ## Node tests (node --test): vectors, differential against @hygraph/utils, wrappers, Redis
	cd $(NODE) && $(WITH_REDIS) npm test --silent

.PHONY: test-python
test-python: build-python ## Python tests (pytest): vectors, properties, FastAPI/Flask, Redis, typing
	$(WITH_REDIS) $(PY) -m pytest -q $(PYPKG)/tests

.PHONY: test-demo
test-demo: build ## the demo's scenarios, as a test
	$(PY) scripts/demo.py --quiet

# ---------------------------------------------------------------- demo, bench, lint

.PHONY: demo
demo: build ## the main job end to end: example servers on loopback, driven by `hookseal send`
	$(PY) scripts/demo.py

.PHONY: bench
bench: build ## benchmarks against the peers (Rust, Node, Python), written to bench/results.md
	$(PY) bench/run.py

.PHONY: leakcheck
leakcheck: build-python ## the core's tests and the Python bad-input catalogue under valgrind --leak-check=full
	scripts/leakcheck.sh

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := strict_header compat_header js_serialization envelope_stream strict_verify simd_escape
# cargo-fuzz needs a nightly compiler; without one, RUSTC_BOOTSTRAP=1 lets stable build it.
FUZZ_CARGO := $(shell rustup toolchain list 2>/dev/null | grep -q nightly && echo "cargo +nightly" || echo "env RUSTC_BOOTSTRAP=1 cargo")

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZ_SECONDS (default 60) each, seeded from tests/vectors
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	python3 fuzz/seed.py
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  echo "== $$t"; \
	  $(FUZZ_CARGO) fuzz run -O $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 2>&1 \
	    | grep -E "^(Done|stat::number_of_executed_units)|ERROR|panicked" ; \
	done

.PHONY: lint
lint: venv node-deps ## rustfmt, clippy -D warnings, cargo deny, ruff, mypy --strict, tsc --noEmit
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	command -v cargo-deny >/dev/null || $(CARGO) install cargo-deny --locked
	$(CARGO) deny --offline check licenses bans sources
	$(VENV)/bin/ruff check $(PYPKG) examples scripts bench tests/gen fuzz/seed.py
	$(VENV)/bin/ruff format --check $(PYPKG) examples scripts bench
	cd $(PYPKG) && $(VENV)/bin/mypy --strict python/hookseal tests/typing_usage.py
	cd $(NODE) && npx --no-install tsc --noEmit -p tests/types
