//! Offline scripts for psql: how to run them, and guards that raise.

use std::fmt::Write as _;

use crate::dialect::GuardCheck;

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
    let mut body = String::from("BEGIN\n");
    for check in checks {
        let _ = writeln!(
            body,
            "    IF {} THEN\n        RAISE EXCEPTION USING MESSAGE = {};\n    END IF;",
            check.condition,
            crate::dialect::quote_standard_literal(&check.message)
        );
    }
    body.push_str("END");
    let mut tag = String::from("sqlmig_guard");
    while body.contains(&format!("${tag}$")) {
        tag.push('_');
    }
    let mut lines = vec![format!("DO ${tag}$\n{body}\n${tag}$;")];
    lines.extend(QUIT_ON_ERROR.iter().map(|line| (*line).to_owned()));
    lines
}
