//! Integration tests: they run the `sqlmig` binary against real files and databases.
//!
//! Built with fewer drivers (`--no-default-features --features sqlite`), the
//! server-only modules are left out and the tests that ask for a server of a
//! driver not built skip themselves (`TestDb::postgres`, `TestDb::mysql`).
#![allow(
    clippy::print_stderr,
    reason = "tests report skipped backends on stderr"
)]

mod support;

/// The tokio API (feature `tokio`).
#[cfg(feature = "tokio")]
mod asynchronous;
/// The commands that need no database.
mod cli;
/// `sqlmig diff`: the DDL between two schemas, replayed on the servers.
mod diff;
/// Offline scripts run by each dialect's own client.
mod emit;
/// The online engine, the same tests on every backend.
mod engine;
/// The first hour of a new user: config, flags, completions.
mod first_hour;
/// The fixture corpus: invalid files and graphs, golden checksums.
mod fixtures;
/// Fleets: many databases and schemas in one run.
mod fleet;
/// `sqlmig import` from other tools, and `--adopt`.
mod import;
/// `--json` on every command, on success and on failure.
mod json;
/// `sqlmig lint` and `lint --trace`.
mod lint;
/// MySQL/MariaDB-only behaviour.
#[cfg(feature = "mysql")]
mod mysql;
/// PostgreSQL-only behaviour.
#[cfg(feature = "postgres")]
mod postgres;
/// The schema model and its canonical dump.
mod schema;
/// Scratch databases: Ctrl-C or SIGTERM during a replay drops them.
mod scratch;
/// SQLite-only behaviour.
mod sqlite;
/// `sqlmig test`: the staircase on every dialect.
mod stairway;
