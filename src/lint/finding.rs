//! A finding: one rule's verdict on one statement, where it is, and what to
//! do instead.

use std::fmt;

use serde::Serialize;

/// How serious a finding is: errors make `sqlmig lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; does not fail the check.
    Warning,
    /// Fails the check.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding, in the shape `lint --json` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: &'static str,
    /// Its severity after `lint.deny`.
    pub severity: Severity,
    /// The revision's id.
    pub revision: String,
    /// The file, as the user names it.
    pub path: String,
    /// 1-based line of the statement (or marker) concerned.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What happens in production.
    pub message: String,
    /// The safe pattern to use instead.
    pub help: String,
}

impl fmt::Display for Finding {
    /// `file:line:col: severity[rule-id]: message`, then the safe pattern on
    /// an indented line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}\n  help: {}",
            self.path, self.line, self.column, self.severity, self.rule, self.message, self.help
        )
    }
}
