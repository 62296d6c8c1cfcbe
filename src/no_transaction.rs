//! Statements that cannot run inside the transaction their revision asks
//! for: `upgrade`, `downgrade` and `emit` refuse a plan holding any (all of
//! them named in one message), and `verify` warns about every one in the
//! directory. Which statements these are is a fact about the server's
//! version ([`Dialect::transaction_rules`]).

use std::fmt;

use crate::dialect::{Dialect, ServerVersion};
use crate::plan::Direction;
use crate::program::section;
use crate::revision::Revision;
use crate::span::Span;

/// A statement that the server refuses inside a transaction block, in a
/// revision that runs in one (no `-- transaction: false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoTransactionStatement {
    /// The revision id.
    pub revision: String,
    /// Where the statement starts.
    pub span: Span,
    /// The statement's first words, as written.
    pub statement: String,
    /// The rule that refuses it, as messages name it (`ALTER TYPE ... ADD VALUE`).
    pub rule: &'static str,
    /// On which versions the rule applies (`before PostgreSQL 12`).
    pub versions: String,
}

impl fmt::Display for NoTransactionStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: revision {}: `{}` cannot run inside a transaction block {} ({}); add `-- transaction: false` to the revision's header",
            self.span, self.revision, self.statement, self.versions, self.rule
        )
    }
}

/// Every statement of `revision`'s section for `direction` that a server of
/// `version` refuses inside a transaction block; none when the revision is
/// `transaction: false`.
pub fn find(
    revision: &Revision,
    direction: Direction,
    dialect: Dialect,
    version: ServerVersion,
) -> Vec<NoTransactionStatement> {
    if !revision.transactional {
        return Vec::new();
    }
    section(revision, direction)
        .iter()
        .filter_map(|statement| {
            let rule = dialect.transaction_refusal(&statement.sql, version)?;
            Some(NoTransactionStatement {
                revision: revision.id.clone(),
                span: Span::new(&revision.path, statement.line, statement.column),
                statement: first_words(&statement.sql),
                rule: rule.statement,
                versions: rule.versions(dialect),
            })
        })
        .collect()
}

/// The first words of a statement, single-spaced, for messages.
fn first_words(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().take(6).collect();
    let more = sql.split_whitespace().nth(6).is_some();
    format!("{}{}", words.join(" "), if more { " ..." } else { "" })
}
