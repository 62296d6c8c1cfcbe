//! SQLite: names, quoting, what its transactions can hold, the state
//! table's SQL, and offline scripts for the sqlite3 shell.

mod lint;
mod offline;

use super::{ColumnType, GuardCheck, Guards, Profile, ServerVersion, TransactionRule};
use crate::lint::statement::Kind;
use crate::lint::{Context, Hit};
use crate::sql::{Sql, Value};

/// SQLite's profile.
pub(super) struct Sqlite;

impl Profile for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn title(&self) -> &'static str {
        "SQLite"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["sqlite3"]
    }

    fn url_schemes(&self) -> &'static [&'static str] {
        &["sqlite", "sqlite3"]
    }

    /// `sqlite:app.db` and `sqlite::memory:` need no `//`.
    fn url_needs_authority(&self) -> bool {
        false
    }

    fn quote_identifier(&self, name: &str) -> String {
        super::quote_standard_identifier(name)
    }

    /// `'text'` with `'` doubled: SQLite has no backslash escapes. NUL would
    /// end the text early in the C API and is dropped.
    fn quote_literal(&self, text: &str) -> String {
        super::quote_standard_literal(text)
    }

    fn placeholder(&self, number: usize) -> String {
        format!("?{number}")
    }

    fn transactional_ddl(&self) -> bool {
        true
    }

    fn transaction_rules(&self) -> &'static [TransactionRule] {
        TRANSACTION_RULES
    }

    /// Takes the write lock at once, so two runners queue instead of
    /// failing later.
    fn begin(&self) -> &'static str {
        "BEGIN IMMEDIATE"
    }

    fn oldest_supported_version(&self) -> ServerVersion {
        ServerVersion::new(3, 35)
    }

    fn server_version_query(&self) -> &'static str {
        "SELECT sqlite_version()"
    }

    fn name_limit(&self) -> (usize, &'static str) {
        (128, "it is longer than 128 bytes")
    }

    fn column_type(&self, column: ColumnType) -> &'static str {
        match column {
            ColumnType::RevisionId => "TEXT NOT NULL PRIMARY KEY",
            ColumnType::Checksum | ColumnType::Word | ColumnType::Text | ColumnType::ShortText => {
                "TEXT NOT NULL"
            }
            ColumnType::OptionalChecksum | ColumnType::OptionalText => "TEXT",
            ColumnType::Count => "INTEGER NOT NULL",
            ColumnType::OptionalCount => "INTEGER",
            ColumnType::CreatedAt => {
                "TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
            }
        }
    }

    fn table_exists_query(&self, _schema: Option<&str>, name: &str) -> Sql {
        Sql {
            text: String::from("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"),
            params: vec![Value::text(name)],
        }
    }

    /// Stored as ISO 8601 text already.
    fn applied_at_text(&self) -> &'static str {
        "applied_at"
    }

    fn client_instructions(&self) -> &'static [&'static str] {
        offline::INSTRUCTIONS
    }

    fn fail_stop(&self) -> Option<&'static str> {
        Some(".bail on")
    }

    fn guard_setup(&self, guards: &Guards) -> Vec<String> {
        offline::guard_setup(guards)
    }

    fn guard(&self, checks: &[GuardCheck], guards: &mut Guards) -> Vec<String> {
        offline::guard(checks, guards)
    }

    fn classify(&self, sql: &str) -> Kind {
        lint::classify_statement(sql)
    }

    fn lint(&self, context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
        lint::lint(context, kind, hits);
    }
}

/// Every statement SQLite refuses inside a transaction, on every version.
const TRANSACTION_RULES: &[TransactionRule] = &[
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
