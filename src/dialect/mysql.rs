//! MySQL and MariaDB: quoting, and which statements commit implicitly.

use super::version::TransactionRule;

/// `` `name` `` with `` ` `` doubled.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A literal that means the same text under every `sql_mode`: plain quotes
/// for text without quotes, backslashes or control characters, otherwise a
/// hex literal converted to utf8mb4 (with `NO_BACKSLASH_ESCAPES` on or off,
/// doubling quotes alone is not safe: RELIABILITY.md §5.3).
pub(super) fn quote_literal(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| !c.is_control() && !matches!(c, '\'' | '"' | '\\' | '`'));
    if plain {
        format!("'{text}'")
    } else {
        let hex: String = text.bytes().map(|byte| format!("{byte:02X}")).collect();
        format!("CONVERT(X'{hex}' USING utf8mb4)")
    }
}

/// Statements that never commit implicitly and can be rolled back, by their
/// first word: a revision made only of these runs in a transaction.
const TRANSACTIONAL_FIRST_WORDS: &[&str] = &[
    "INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "WITH", "DO", "SET",
];

/// Whether a statement starting with `words` (upper-cased) can be rolled back.
pub(super) fn is_transactional(words: &str) -> bool {
    let first = words.split(' ').next().unwrap_or_default();
    TRANSACTIONAL_FIRST_WORDS.contains(&first)
        && !words.starts_with("SET TRANSACTION")
        && !words.starts_with("SET AUTOCOMMIT")
}

/// MySQL and MariaDB refuse no statement inside a transaction: DDL commits
/// the transaction implicitly instead, so a revision holding any statement
/// that [`is_transactional`] does not accept runs statement by statement.
pub(super) const TRANSACTION_RULES: &[TransactionRule] = &[];
