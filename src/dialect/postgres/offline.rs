//! Offline scripts for psql: how to run them, and guards that raise.

use std::fmt::Write as _;

use crate::dialect::{Dialect, GuardCheck};

/// How to run a script (comment lines of its header).
pub(super) const INSTRUCTIONS: &[&str] = &[
    "-- Run with: psql -X -v ON_ERROR_STOP=1 -f script.sql (psql 11 or later; the",
    "-- script also sets ON_ERROR_STOP itself). Each revision checks that the database",
    "-- holds what it needs and stops the script otherwise: run twice, it changes nothing.",
];

/// Makes a psql that carries on after errors (no `ON_ERROR_STOP`) quit
/// when the statement before failed.
pub(super) const QUIT_ON_ERROR: &[&str] = &["\\if :ERROR", "\\quit", "\\endif"];

/// A `DO` block that raises the message of the first check that holds,
/// then quits a psql that would carry on.
pub(super) fn guard(checks: &[GuardCheck]) -> Vec<String> {
    let mut body = String::with_capacity(
        16 + checks
            .iter()
            .map(|check| check.condition.len() + check.message.len() + 80)
            .sum::<usize>(),
    );
    body.push_str("BEGIN\n");
    for check in checks {
        body.push_str("    IF ");
        body.push_str(&check.condition);
        body.push_str(" THEN\n        RAISE EXCEPTION USING MESSAGE = ");
        Dialect::Postgres.push_literal(&check.message, &mut body);
        body.push_str(";\n    END IF;\n");
    }
    body.push_str("END");
    let mut tag = String::from("$sqlmig_guard");
    while body.contains(&format!("{tag}$")) {
        tag.push('_');
    }
    tag.push('$');
    let mut block = String::with_capacity(body.len() + 2 * tag.len() + 8);
    let _ = write!(block, "DO {tag}\n{body}\n{tag};");
    let mut lines = vec![block];
    lines.extend(QUIT_ON_ERROR.iter().map(|line| (*line).to_owned()));
    lines
}
