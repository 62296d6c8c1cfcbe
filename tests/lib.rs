//! Integration tests: they run the `sqlmig` binary against real files and databases.
#![allow(clippy::print_stderr, reason = "tests report skipped backends on stderr")]

mod support;

/// The online engine, the same tests on every backend.
mod engine;
/// SQLite-only behaviour.
mod sqlite;
