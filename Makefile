# sqlmig: `make test` is what CI runs (lint, then every test).
CARGO ?= cargo

.PHONY: build test lint reliability tutorial fuzz demo bench clean

build:
	$(CARGO) build --release --locked

# Clippy runs on the workspace (the library, the binary, the macro and the
# example), with all features, with SQLite alone, and on the library without
# any driver (sqlmig-core: the build embed_migrations! runs in the compiler).
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --workspace --exclude sqlmig-core --all-targets -- -D warnings
	$(CARGO) clippy --locked --workspace --exclude sqlmig-core --all-targets --all-features -- -D warnings
	$(CARGO) clippy --locked --all-targets --no-default-features --features sqlite -- -D warnings
	$(CARGO) clippy --locked -p sqlmig-core -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --locked --workspace --exclude sqlmig-core --all-features
	@# The scripts CI and the benchmarks run must at least parse.
	@for script in .ci/run benches/*.sh scripts/*.sh; do bash -n "$$script" || exit 1; done
	@! command -v python3 >/dev/null || python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' benches/measure.py scripts/*.py

# PostgreSQL and MariaDB tests need the servers of SQLMIG_TEST_POSTGRES_URL and
# SQLMIG_TEST_MYSQL_URL; without them they are skipped (and said so loudly),
# except under CI=true, where a missing server fails the run.
#
# The workspace's tests include the tokio API (the example turns the feature
# on) and the trybuild compile-fail test of embed_migrations!; then the SQLite
# tests of a build with SQLite alone, and the example application, run on a
# fresh database.
test: lint
	@scripts/backends.sh
	$(CARGO) test --locked --workspace
	$(CARGO) test --locked --no-default-features --features sqlite
	$(CARGO) build --locked --workspace
	@dir=$$(mktemp -d) && "$${CARGO_TARGET_DIR:-target}/debug/embedded-sqlite" "$$dir/notes.db"; status=$$?; rm -rf "$$dir"; exit $$status
	@CARGO="$(CARGO)" scripts/reliability.sh
	@scripts/backends.sh

# The reliability and security suite (docs/RELIABILITY.md §9: concurrency,
# crashes, tampering, fuzzing, secrets), built with the test-only
# fault-injection feature, then the §9.1 headline figures and
# `N passed, N failed`. CI-sized; SQLMIG_SOAK=1 for the long repeat counts.
reliability:
	@CARGO="$(CARGO)" scripts/reliability.sh

# The README followed literally on a fresh clone: its Install command
# (a release build), then the Tutorial on SQLite, PostgreSQL and MariaDB.
# CI runs it after `make test`.
tutorial:
	scripts/tutorial.sh

# Coverage-guided fuzzing (scripts/fuzz.sh, fuzz/): the parse, fast_path and
# normalize targets, each for FUZZ_SECONDS (60), on the stable toolchain;
# exit 1 on a crash. Installs cargo-fuzz when missing.
fuzz:
	@scripts/fuzz.sh

# Benchmarks (benches/run.sh): builds, writes the corpora, installs the peer
# tools into target/bench/peers, measures, and writes docs/BENCHMARKS.md and
# the README's table. Not part of `test`: it takes minutes and needs the servers.
bench:
	benches/run.sh

# Migrate the example project into SQLite (sqlmig-demo.db) and show its status.
# The build runs first, with cargo's progress, so the first run is not a silence.
demo:
	$(CARGO) build --locked
	$(CARGO) run --quiet --locked -- upgrade
	$(CARGO) run --quiet --locked -- status
	$(CARGO) run --quiet --locked -- check --schema-file

clean:
	$(CARGO) clean
	rm -f sqlmig-demo.db sqlmig-demo.db-*
