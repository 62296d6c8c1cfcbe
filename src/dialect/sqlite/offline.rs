//! Offline scripts for the sqlite3 shell: how to run them, and guards that
//! raise through a temporary table's triggers.

use crate::dialect::{GuardCheck, Guards};

/// How to run a script (comment lines of its header).
pub(super) const INSTRUCTIONS: &[&str] = &[
    "-- Run with: sqlite3 -bail DATABASE < script.sql (the script also turns on",
    "-- .bail itself). Each revision checks that the database holds what it needs",
    "-- and stops the script otherwise: run twice, it changes nothing.",
];

/// The temporary table the guards insert into.
pub(super) fn guard_setup(guards: &Guards) -> Vec<String> {
    vec![
        String::new(),
        String::from("-- A guard inserts its number here when a revision must not run; its"),
        String::from("-- trigger turns that into an error that stops the script."),
        format!(
            "CREATE TEMP TABLE {} (guard INTEGER NOT NULL);",
            guards.table
        ),
    ]
}

/// SQLite's `raise()` takes only a literal message, so each check gets a
/// temporary trigger carrying its message, fired by inserting its number.
pub(super) fn guard(checks: &[GuardCheck], guards: &Guards) -> Vec<String> {
    let mut lines = Vec::with_capacity(checks.len() * 2);
    for (number, check) in (guards.count + 1..).zip(checks) {
        lines.push(format!(
            "CREATE TEMP TRIGGER sqlmig_guard_{number} BEFORE INSERT ON {} WHEN NEW.guard = {number}\nBEGIN SELECT raise(ABORT, {}); END;",
            guards.table,
            crate::dialect::Dialect::Sqlite.quote_literal(&check.message)
        ));
        lines.push(format!(
            "INSERT INTO {} (guard) SELECT {number} WHERE {};",
            guards.table, check.condition
        ));
    }
    lines
}
