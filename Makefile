# sqlmig: `make test` is what CI runs (lint, then every test).
CARGO ?= cargo

.PHONY: build test lint demo clean

build:
	$(CARGO) build --release --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

test: lint
	$(CARGO) test --locked

# Check the example project and show its graph.
demo:
	$(CARGO) run --quiet --locked -- verify
	$(CARGO) run --quiet --locked -- history

clean:
	$(CARGO) clean
	rm -f sqlmig-demo.db sqlmig-demo.db-*
