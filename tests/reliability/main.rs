//! The reliability and security suite: docs/RELIABILITY.md §9, groups A to F,
//! run through the real binary (built with the `fault-injection` feature)
//! against the machine's PostgreSQL and MariaDB and SQLite files.
//!
//! `make reliability` runs it and prints the §9.1 headline figures, which
//! the tests write under `target/reliability/` (`support::figures`).
//! Repeat counts are CI-sized; `SQLMIG_SOAK=1` runs the long versions.
#![allow(
    clippy::print_stderr,
    reason = "tests report skips, seeds and measurements on stderr"
)]

#[path = "../support/mod.rs"]
#[allow(
    dead_code,
    reason = "shared with the integration tests, which use the rest of it"
)]
mod support;

/// Processes, faults, kills, randomness and per-dialect SQL shared by the groups.
mod harness;

/// Runs each listed test body (`fn(Kind)`) once per dialect, as
/// `<group>::<dialect>::<test>`.
macro_rules! on_each_dialect {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                super::$test(crate::harness::Kind::Sqlite);
            })*
        }
        mod postgres {
            $(#[test]
            fn $test() {
                super::$test(crate::harness::Kind::Postgres);
            })*
        }
        mod mysql {
            $(#[test]
            fn $test() {
                super::$test(crate::harness::Kind::Mysql);
            })*
        }
    };
}

/// A: concurrent runners, the lock's scope and timing, the plan under the lock.
mod concurrency;
/// B: failing statements and where they are reported, crashes at every point.
mod failures;
/// F: MariaDB sql_mode and PostgreSQL search_path variants.
mod modes;
/// D: the malformed-file corpus, the splitter against the servers, fuzzing.
mod parsing;
/// E: the password canary in every output, TLS modes.
mod secrets;
/// A9 poolers (PgBouncer) and B13 servers that stop answering.
mod servers;
/// B10: SIGTERM and SIGINT during a run.
mod signals;
/// C: tampered files and tampered history.
mod tampering;
