//! The SQL dialects sqlmig speaks: their names, and how their lexical rules
//! differ when a section is split into statements.

mod mysql;
mod postgres;
mod sqlite;
mod version;

pub use version::{InvalidServerVersion, ServerVersion, TransactionRule};

use std::fmt;
use std::str::FromStr;

/// A database dialect. It decides how statements are split (MySQL backslash
/// escapes and `#` comments, PostgreSQL dollar quotes, `E''` strings and nested
/// comments, SQLite `[bracket]` identifiers) and, for the backends, the SQL that
/// sqlmig itself writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
    /// SQLite.
    Sqlite,
}

impl Dialect {
    /// Every dialect, in a stable order.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    /// The canonical name, as accepted by `--dialect` and printed by `status --json`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The human name, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL/MariaDB",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// Whether DDL can be rolled back (PostgreSQL, SQLite); MySQL and MariaDB
    /// commit implicitly before and after each DDL statement.
    pub fn transactional_ddl(self) -> bool {
        !matches!(self, Dialect::Mysql)
    }

    /// An identifier quoted for the dialect.
    pub fn quote_identifier(self, name: &str) -> String {
        match self {
            Dialect::Postgres => postgres::quote_identifier(name),
            Dialect::Mysql => mysql::quote_identifier(name),
            Dialect::Sqlite => sqlite::quote_identifier(name),
        }
    }

    /// A string literal that means exactly `text` in the dialect, whatever
    /// the quotes, backslashes or newlines inside it.
    pub fn quote_literal(self, text: &str) -> String {
        match self {
            Dialect::Postgres => postgres::quote_literal(text),
            Dialect::Mysql => mysql::quote_literal(text),
            Dialect::Sqlite => sqlite::quote_literal(text),
        }
    }

    /// The statement that opens a transaction. SQLite takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so two runners queue instead of failing later.
    pub fn begin_transaction(self) -> &'static str {
        match self {
            Dialect::Postgres => "BEGIN",
            Dialect::Mysql => "START TRANSACTION",
            Dialect::Sqlite => "BEGIN IMMEDIATE",
        }
    }

    /// The oldest server version sqlmig supports: what offline scripts and
    /// `verify` assume unless told the version, so that they never assume a
    /// newer server than the one the script meets.
    pub fn oldest_supported_version(self) -> ServerVersion {
        match self {
            Dialect::Postgres => ServerVersion::new(11, 0),
            Dialect::Mysql => ServerVersion::new(5, 7),
            Dialect::Sqlite => ServerVersion::new(3, 35),
        }
    }

    /// The query whose one value is the server's version.
    pub fn server_version_query(self) -> &'static str {
        match self {
            Dialect::Postgres => "SELECT current_setting('server_version_num')",
            Dialect::Mysql => "SELECT VERSION()",
            Dialect::Sqlite => "SELECT sqlite_version()",
        }
    }

    /// The version in the answer to [`Dialect::server_version_query`].
    pub fn parse_server_version(self, text: &str) -> Result<ServerVersion, InvalidServerVersion> {
        match self {
            Dialect::Postgres => text
                .trim()
                .parse::<u32>()
                .map(ServerVersion::from_postgres_number)
                .map_err(|_| InvalidServerVersion(text.chars().take(40).collect())),
            Dialect::Mysql | Dialect::Sqlite => text.parse(),
        }
    }

    /// Every statement the dialect refuses inside a transaction block, with
    /// the versions that refuse it.
    pub fn transaction_rules(self) -> &'static [TransactionRule] {
        match self {
            Dialect::Postgres => postgres::TRANSACTION_RULES,
            Dialect::Mysql => mysql::TRANSACTION_RULES,
            Dialect::Sqlite => sqlite::TRANSACTION_RULES,
        }
    }

    /// The rule by which a server of `version` refuses `sql` inside a
    /// transaction block (`CREATE INDEX CONCURRENTLY`, `VACUUM`, `ALTER TYPE
    /// ... ADD VALUE` before PostgreSQL 12...), if any.
    pub fn transaction_refusal(
        self,
        sql: &str,
        version: ServerVersion,
    ) -> Option<&'static TransactionRule> {
        let rules = self.transaction_rules();
        if rules.is_empty() {
            return None;
        }
        let words = leading_words(sql);
        let mut upper = None;
        rules.iter().find(|rule| {
            rule.refuses_on(version)
                && (rule.matches)(
                    &words,
                    upper.get_or_insert_with(|| sql.to_ascii_uppercase()),
                )
        })
    }

    /// Whether `sql` may end or change the transaction it runs in, or wait
    /// for the client mid-statement (`COMMIT`, `ROLLBACK`, `SAVEPOINT`,
    /// `COPY`...): such a statement is never sent ahead of the answer to the
    /// one before it (see `Backend::execute_pipelined`).
    pub(crate) fn may_end_transaction(self, sql: &str) -> bool {
        const WORDS: [&str; 11] = [
            "BEGIN",
            "START",
            "COMMIT",
            "END",
            "ROLLBACK",
            "ABORT",
            "SAVEPOINT",
            "RELEASE",
            "PREPARE",
            "COPY",
            "DISCARD",
        ];
        let words = leading_words(sql);
        let first = words.split([' ', '(', ';']).next().unwrap_or_default();
        WORDS.contains(&first)
    }

    /// Whether `sql` can be rolled back on this dialect: always on
    /// PostgreSQL and SQLite; on MySQL only DML.
    pub fn is_transactional(self, sql: &str) -> bool {
        self != Dialect::Mysql || mysql::is_transactional(&leading_words(sql))
    }
}

/// `'text'` with `'` doubled and NUL dropped: the literal of PostgreSQL
/// (standard_conforming_strings) and SQLite. One pass: offline scripts quote
/// several values per revision.
fn quote_standard_literal(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('\'');
    let mut rest = text;
    while let Some(position) = rest.find(['\'', '\0']) {
        quoted.push_str(&rest[..position]);
        if rest.as_bytes()[position] == b'\'' {
            quoted.push_str("''");
        }
        rest = &rest[position + 1..];
    }
    quoted.push_str(rest);
    quoted.push('\'');
    quoted
}

/// The first few words of a statement, upper-cased and single-spaced, with
/// leading comments skipped: enough to recognise its kind.
fn leading_words(sql: &str) -> String {
    let mut rest = sql.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after
                .split_once('\n')
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after
                .split_once("*/")
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else {
            break;
        }
    }
    rest.split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A dialect name that sqlmig does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dialect `{0}` (expected postgres, mysql or sqlite)")]
pub struct UnknownDialect(pub String);

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            _ => Err(UnknownDialect(name.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_that_may_end_a_transaction_are_recognised() {
        for sql in [
            "COMMIT",
            "commit work",
            "END",
            "ROLLBACK TO SAVEPOINT a",
            "abort",
            "-- why\nBEGIN",
            "/* c */ start transaction",
            "SAVEPOINT a",
            "RELEASE a",
            "PREPARE TRANSACTION 'x'",
            "COPY t FROM STDIN",
            "DISCARD ALL",
        ] {
            assert!(Dialect::Postgres.may_end_transaction(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE commit_log (x INT)",
            "INSERT INTO t VALUES ('COMMIT')",
            "ENDPOINT",
            "DO $$ BEGIN NULL; END $$",
            "UPDATE t SET x = 1",
        ] {
            assert!(!Dialect::Postgres.may_end_transaction(sql), "{sql}");
        }
    }

    #[test]
    fn only_postgres_and_sqlite_refuse_statements_in_a_transaction() {
        let version = |dialect: Dialect| dialect.oldest_supported_version();
        for sql in ["VACUUM", "-- c\nvacuum main"] {
            for dialect in [Dialect::Postgres, Dialect::Sqlite] {
                assert!(
                    dialect.transaction_refusal(sql, version(dialect)).is_some(),
                    "{sql}"
                );
            }
            assert!(
                Dialect::Mysql
                    .transaction_refusal(sql, version(Dialect::Mysql))
                    .is_none()
            );
        }
        let wal = "PRAGMA journal_mode = 'wal'";
        assert!(
            Dialect::Sqlite
                .transaction_refusal(wal, version(Dialect::Sqlite))
                .is_some()
        );
        assert!(
            Dialect::Sqlite
                .transaction_refusal("PRAGMA journal_mode = TRUNCATE", version(Dialect::Sqlite))
                .is_none()
        );
        assert!(
            Dialect::Sqlite
                .transaction_refusal(
                    "CREATE INDEX CONCURRENTLY i ON t (a)",
                    version(Dialect::Sqlite)
                )
                .is_none()
        );
    }

    #[test]
    fn only_dml_is_transactional_on_mysql() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "update t set a = 1",
            "DELETE FROM t",
            "-- c\nSELECT 1",
        ] {
            assert!(Dialect::Mysql.is_transactional(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE t (a INT)",
            "ALTER TABLE t ADD b INT",
            "DROP TABLE t",
            "SET autocommit = 1",
        ] {
            assert!(!Dialect::Mysql.is_transactional(sql), "{sql}");
            assert!(Dialect::Postgres.is_transactional(sql), "{sql}");
        }
    }

    #[test]
    fn literals_cannot_break_out() {
        let hostile = "it's \"quoted\"; \\ and a\nnewline";
        assert_eq!(
            Dialect::Sqlite.quote_literal(hostile),
            "'it''s \"quoted\"; \\ and a\nnewline'"
        );
        assert_eq!(Dialect::Postgres.quote_literal("O'Brien"), "'O''Brien'");
        let mysql = Dialect::Mysql.quote_literal(hostile);
        assert!(
            mysql.starts_with("CONVERT(X'") && mysql.ends_with("' USING utf8mb4)"),
            "{mysql}"
        );
        assert!(
            mysql[10..mysql.len() - 16]
                .chars()
                .all(|c| c.is_ascii_hexdigit()),
            "{mysql}"
        );
        assert_eq!(
            Dialect::Mysql.quote_literal("plain text 1.2"),
            "'plain text 1.2'"
        );
        assert_eq!(Dialect::Mysql.quote_identifier("a`b"), "`a``b`");
        assert_eq!(
            Dialect::Postgres.quote_identifier("my\"hist"),
            "\"my\"\"hist\""
        );
    }

    #[test]
    fn names_and_aliases_parse() {
        for (name, dialect) in [
            ("postgres", Dialect::Postgres),
            ("PostgreSQL", Dialect::Postgres),
            ("mysql", Dialect::Mysql),
            ("mariadb", Dialect::Mysql),
            ("sqlite", Dialect::Sqlite),
            ("sqlite3", Dialect::Sqlite),
        ] {
            assert_eq!(name.parse::<Dialect>(), Ok(dialect));
        }
        assert!("oracle".parse::<Dialect>().is_err());
        for dialect in Dialect::ALL {
            assert_eq!(dialect.name().parse::<Dialect>(), Ok(dialect));
        }
    }
}
