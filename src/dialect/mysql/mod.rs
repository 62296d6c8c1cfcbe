//! MySQL and MariaDB: names, quoting, which statements commit implicitly,
//! the state table's SQL, and offline scripts for the mariadb/mysql client.

mod lint;
mod offline;

use super::{ColumnType, GuardCheck, Guards, Profile, ServerVersion, TransactionRule};
use crate::lint::statement::Kind;
use crate::lint::{Context, Hit};
use crate::revision::Statement;
use crate::sql::{Sql, Value};

/// MySQL's and MariaDB's profile.
pub(super) struct Mysql;

impl Profile for Mysql {
    fn name(&self) -> &'static str {
        "mysql"
    }

    fn title(&self) -> &'static str {
        "MySQL/MariaDB"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["mariadb"]
    }

    fn url_schemes(&self) -> &'static [&'static str] {
        &["mysql", "mariadb"]
    }

    fn url_needs_authority(&self) -> bool {
        true
    }

    /// `` `name` `` with `` ` `` doubled.
    fn quote_identifier(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    fn quote_literal(&self, text: &str) -> String {
        quote_literal(text)
    }

    fn placeholder(&self, _number: usize) -> String {
        String::from("?")
    }

    /// MySQL and MariaDB commit implicitly before and after each DDL statement.
    fn transactional_ddl(&self) -> bool {
        false
    }

    fn rolls_back(&self, words: &str) -> bool {
        rolls_back(words)
    }

    fn transaction_rules(&self) -> &'static [TransactionRule] {
        TRANSACTION_RULES
    }

    fn begin(&self) -> &'static str {
        "START TRANSACTION"
    }

    fn oldest_supported_version(&self) -> ServerVersion {
        ServerVersion::new(5, 7)
    }

    fn server_version_query(&self) -> &'static str {
        "SELECT VERSION()"
    }

    fn name_limit(&self) -> (usize, &'static str) {
        (64, "MySQL names are at most 64 characters")
    }

    fn column_type(&self, column: ColumnType) -> &'static str {
        match column {
            // Ids are case-sensitive: `A` and `a` are different revisions.
            ColumnType::RevisionId => {
                "VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY"
            }
            ColumnType::Checksum => "CHAR(64) NOT NULL",
            ColumnType::OptionalChecksum => "CHAR(64)",
            ColumnType::Word => "VARCHAR(16) NOT NULL",
            ColumnType::Text => "TEXT NOT NULL",
            ColumnType::OptionalText => "TEXT",
            ColumnType::Count => "BIGINT NOT NULL",
            ColumnType::OptionalCount => "BIGINT",
            ColumnType::ShortText => "VARCHAR(100) NOT NULL",
            ColumnType::CreatedAt => "TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)",
        }
    }

    fn table_options(&self) -> &'static str {
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
    }

    fn table_exists_query(&self, _schema: Option<&str>, name: &str) -> Sql {
        Sql {
            text: String::from(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
            ),
            params: vec![Value::text(name)],
        }
    }

    fn applied_at_text(&self) -> &'static str {
        "DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%s.%f')"
    }

    fn client_instructions(&self) -> &'static [&'static str] {
        offline::INSTRUCTIONS
    }

    fn literal_setup(&self) -> Option<&'static str> {
        Some("SET NAMES utf8mb4;")
    }

    fn guard(&self, checks: &[GuardCheck], _guards: &mut Guards) -> Vec<String> {
        offline::guard(checks)
    }

    fn terminated(&self, statement: &Statement) -> String {
        offline::terminated(statement)
    }

    fn classify(&self, sql: &str) -> Kind {
        lint::classify_statement(sql)
    }

    fn lint(&self, context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
        lint::lint(context, kind, hits);
    }
}

/// A literal that means the same text under every `sql_mode`: plain quotes
/// for text without quotes, backslashes or control characters, otherwise a
/// hex literal converted to utf8mb4 (with `NO_BACKSLASH_ESCAPES` on or off,
/// doubling quotes alone is not safe: docs/RELIABILITY.md §5.3).
fn quote_literal(text: &str) -> String {
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
fn rolls_back(words: &str) -> bool {
    let first = words.split(' ').next().unwrap_or_default();
    TRANSACTIONAL_FIRST_WORDS.contains(&first)
        && !words.starts_with("SET TRANSACTION")
        && !words.starts_with("SET AUTOCOMMIT")
}

/// MySQL and MariaDB refuse no statement inside a transaction: DDL commits
/// the transaction implicitly instead, so a revision holding any statement
/// that [`rolls_back`] does not accept runs statement by statement.
const TRANSACTION_RULES: &[TransactionRule] = &[];
