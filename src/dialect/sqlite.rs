//! SQLite: quoting, and the statements that cannot run in a transaction.

use super::version::TransactionRule;

/// `"name"` with `"` doubled.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with `'` doubled: SQLite has no backslash escapes. NUL would end
/// the text early in the C API and is dropped.
pub(super) fn quote_literal(text: &str) -> String {
    super::quote_standard_literal(text)
}

/// Every statement SQLite refuses inside a transaction, on every version.
pub(super) const TRANSACTION_RULES: &[TransactionRule] = &[
    TransactionRule {
        statement: "VACUUM",
        allowed_since: None,
        reference: "VACUUM: \"cannot VACUUM from within a transaction\"",
        matches: |words, _| words == "VACUUM" || words.starts_with("VACUUM "),
    },
    TransactionRule {
        statement: "PRAGMA journal_mode = WAL",
        allowed_since: None,
        reference: "PRAGMA journal_mode: \"cannot change into wal mode from within a transaction\"",
        matches: |words, upper| {
            let compact: String = upper.chars().filter(|c| !c.is_whitespace()).collect();
            words.starts_with("PRAGMA")
                && (compact.contains("JOURNAL_MODE=WAL") || compact.contains("JOURNAL_MODE='WAL'"))
        },
    },
];
