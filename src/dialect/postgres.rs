//! PostgreSQL: quoting, and the statements that cannot run in a transaction.

/// `"name"` with `"` doubled.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with `'` doubled. Offline scripts pin
/// `standard_conforming_strings = on`, under which backslashes are plain
/// characters; NUL cannot occur in PostgreSQL text and is dropped.
pub(super) fn quote_literal(text: &str) -> String {
    super::quote_standard_literal(text)
}

/// Statements PostgreSQL refuses inside a transaction block, by their leading
/// words (upper-cased, single-spaced).
const NON_TRANSACTIONAL_PREFIXES: &[&str] = &[
    "CREATE INDEX CONCURRENTLY",
    "CREATE UNIQUE INDEX CONCURRENTLY",
    "DROP INDEX CONCURRENTLY",
    "REINDEX",
    "VACUUM",
    "ALTER SYSTEM",
    "CREATE DATABASE",
    "DROP DATABASE",
    "CREATE TABLESPACE",
    "DROP TABLESPACE",
    "ALTER TYPE", // only `ADD VALUE` (checked below), refused in a transaction before PostgreSQL 12
    "CREATE SUBSCRIPTION",
    "DROP SUBSCRIPTION",
    "ALTER SUBSCRIPTION",
];

/// Whether `words` (the statement's leading words, upper-cased) name a
/// statement that cannot run inside a transaction block.
pub(super) fn needs_no_transaction(words: &str) -> bool {
    NON_TRANSACTIONAL_PREFIXES.iter().any(|prefix| {
        words.starts_with(prefix)
            && (*prefix != "ALTER TYPE" || words.contains(" ADD VALUE"))
            && (*prefix != "REINDEX" || words.contains("CONCURRENTLY"))
            && (!prefix.ends_with("SUBSCRIPTION") || !words.contains("WITH"))
    })
}
