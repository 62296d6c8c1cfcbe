//! Offline scripts for the mariadb / mysql client: how to run them, guards
//! that `SIGNAL`, and bodies wrapped in `DELIMITER`.

use std::fmt::Write as _;

use crate::dialect::GuardCheck;
use crate::revision::Statement;

/// How to run a script (comment lines of its header).
pub(super) const INSTRUCTIONS: &[&str] = &[
    "-- Run with: mariadb DATABASE < script.sql (or mysql; never with --force).",
    "-- Each revision checks that the database holds what it needs and stops the",
    "-- script otherwise: run twice, it changes nothing.",
];

/// A prepared `SIGNAL` carrying the message of the first check that holds
/// (a plain `SIGNAL` cannot sit outside a stored program).
pub(super) fn guard(checks: &[GuardCheck]) -> Vec<String> {
    let mut case = String::from("SET @sqlmig_guard = CASE");
    for check in checks {
        let _ = write!(
            case,
            "\n    WHEN {} THEN {}",
            check.condition,
            super::quote_literal(&check.message)
        );
    }
    case.push_str("\n    ELSE NULL END;");
    vec![
        case,
        String::from(
            "SET @sqlmig_guard = IF(@sqlmig_guard IS NULL, 'DO 0', CONCAT('SIGNAL SQLSTATE ''45000'' SET MESSAGE_TEXT = ', QUOTE(@sqlmig_guard)));",
        ),
        String::from("PREPARE sqlmig_guard FROM @sqlmig_guard;"),
        String::from("EXECUTE sqlmig_guard;"),
        String::from("DEALLOCATE PREPARE sqlmig_guard;"),
    ]
}

/// A statement with a body (bare `;` inside) between `DELIMITER` lines,
/// with a delimiter the body does not contain; others end in `;`.
pub(super) fn terminated(statement: &Statement) -> String {
    if statement.delimited || statement.sql.contains(';') {
        let delimiter = ["//", "$$", ";;", "@@", "%%"]
            .into_iter()
            .find(|candidate| !statement.sql.contains(candidate))
            .unwrap_or("//");
        format!(
            "DELIMITER {delimiter}\n{}{delimiter}\nDELIMITER ;",
            statement.sql
        )
    } else {
        format!("{};", statement.sql)
    }
}
