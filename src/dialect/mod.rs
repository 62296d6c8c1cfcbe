//! The SQL dialects sqlmig speaks. Everything about one database lives in
//! its folder (`postgres/`, `mysql/`, `sqlite/`), behind one trait,
//! `Profile`: names and URL schemes, quoting and placeholders, what its
//! transactions can hold, the state table's column types and queries, and
//! how an offline script makes its client stop at the first error.
//! `Dialect::profile` is the one place that picks a dialect's profile; the
//! rest of sqlmig asks `Dialect` (or the profile) and never matches on a
//! variant, so a new dialect is a new folder, one backend, the grammar's
//! lexical rules and one line here.

mod mysql;
mod postgres;
mod sqlite;
mod version;

use std::fmt;
use std::str::FromStr;

pub use version::{InvalidServerVersion, ServerVersion, TransactionRule};

use crate::backend::{Backend, DbError};
use crate::lint::statement::Kind;
use crate::lint::trace::Tracer;
use crate::lint::{Context, Hit};
use crate::revision::Statement;
use crate::schema::{
    Change, Column, Constraint, DumpKind, Index, Routine, Schema, Table, Trigger, View,
};
use crate::sql::Sql;
use crate::state_table::StateTable;

/// A database dialect. It decides how statements are split (MySQL backslash
/// escapes and `#` comments, PostgreSQL dollar quotes, `E''` strings and nested
/// comments, SQLite `[bracket]` identifiers) and, for the backends, the SQL that
/// sqlmig itself writes.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
    /// SQLite.
    Sqlite,
}

/// Everything sqlmig knows about one dialect. Each dialect's folder
/// implements it once; `Dialect`'s public methods and the state table, the
/// SQL builder and the offline renderer ask it.
pub(crate) trait Profile: Sync {
    // --- Names ---

    /// Its names and URL schemes.
    fn names(&self) -> &'static Names;

    // --- Quoting and placeholders ---

    /// An identifier quoted for the dialect.
    fn quote_identifier(&self, name: &str) -> String;
    /// Appends a string literal that means exactly `text` to `out`.
    fn push_literal(&self, text: &str, out: &mut String);
    /// The placeholder of the `number`th (1-based) bound value.
    fn placeholder(&self, number: usize) -> String;

    // --- Transactions ---

    /// Whether DDL can be rolled back.
    fn transactional_ddl(&self) -> bool;
    /// Without transactional DDL: whether a statement starting with `words`
    /// (upper-cased) can be rolled back.
    fn rolls_back(&self, words: &str) -> bool {
        let _ = words;
        self.transactional_ddl()
    }
    /// The statements the dialect refuses inside a transaction block.
    fn transaction_rules(&self) -> &'static [TransactionRule];
    /// The statement that opens a transaction.
    fn begin(&self) -> &'static str;
    /// The statement that commits one.
    fn commit(&self) -> &'static str {
        "COMMIT"
    }
    /// The statement that rolls one back.
    fn rollback(&self) -> &'static str {
        "ROLLBACK"
    }
    /// Whether each revision's transaction locks the state table (so two
    /// runners past a broken session lock still cannot both apply it).
    fn locks_state_table_in_transaction(&self) -> bool {
        false
    }

    // --- Servers ---

    /// The oldest server version sqlmig supports.
    fn oldest_supported_version(&self) -> ServerVersion;
    /// The query whose one value is the server's version.
    fn server_version_query(&self) -> &'static str;
    /// Whether two servers are of the same major release, whose catalogs
    /// print the same object the same way (PostgreSQL: the major number).
    fn same_release(&self, a: ServerVersion, b: ServerVersion) -> bool {
        a.major == b.major
    }
    /// The version in the answer to that query.
    fn parse_server_version(&self, text: &str) -> Result<ServerVersion, InvalidServerVersion> {
        text.parse()
    }

    // --- The state table ---

    /// The schema the state table lives in by default; `None` where the
    /// dialect has no schemas.
    fn default_schema(&self) -> Option<&'static str> {
        None
    }
    /// The longest name in bytes, and what to say about a longer one.
    fn name_limit(&self) -> (usize, &'static str);
    /// The SQL type of a state-table column.
    fn column_type(&self, column: ColumnType) -> &'static str;
    /// What follows `CREATE TABLE (...)`.
    fn table_options(&self) -> &'static str {
        ""
    }
    /// A query that returns one row when table `name` (in `schema`) exists.
    fn table_exists_query(&self, schema: Option<&str>, name: &str) -> Sql;
    /// The expression that reads the `applied_at` column as ISO 8601 text.
    fn applied_at_text(&self) -> &'static str;

    // --- Offline scripts ---

    /// How to run a script with the dialect's own client (comment lines).
    fn client_instructions(&self) -> &'static [&'static str];
    /// The client command that makes it stop at the first error.
    fn fail_stop(&self) -> Option<&'static str> {
        None
    }
    /// The statement that fixes how the script's literals are read.
    fn literal_setup(&self) -> Option<&'static str> {
        None
    }
    /// Client commands that quit when the statement before failed, for a
    /// client that carries on after errors.
    fn quit_on_error(&self) -> &'static [&'static str] {
        &[]
    }
    /// What a script writes once before its guards.
    fn guard_setup(&self, guards: &Guards) -> Vec<String> {
        let _ = guards;
        Vec::new()
    }
    /// A guard: stops the script when any check's condition holds, with its message.
    fn guard(&self, checks: &[GuardCheck], guards: &Guards) -> Vec<String>;
    /// Appends a statement as the client must read it, terminator included.
    fn push_terminated(&self, statement: &Statement, out: &mut String) {
        out.push_str(&statement.sql);
        out.push(';');
    }

    // --- The schema model ---

    /// Reads the live schema from the catalog, `state_table` left out.
    fn inspect(
        &self,
        backend: &mut dyn Backend,
        state_table: &StateTable,
    ) -> Result<Schema, DbError>;
    /// The order of object kinds in a canonical dump.
    fn dump_order(&self) -> &'static [DumpKind];
    /// Session settings a dump starts with, so it applies in its order.
    fn dump_preamble(&self) -> &'static [&'static str] {
        &[]
    }
    /// A table's `CREATE TABLE` statement.
    fn render_table(&self, table: &Table) -> String;
    /// A view's `CREATE VIEW` statement.
    fn render_view(&self, view: &View) -> String;

    // --- Schema changes (the differ) ---

    /// The URL of a database in memory, where scratch replays need no
    /// server (SQLite).
    fn memory_url(&self) -> Option<&'static str> {
        None
    }
    /// Whether foreign keys live inside their tables (SQLite), never added
    /// or dropped on their own.
    fn foreign_keys_inline(&self) -> bool {
        false
    }
    /// The changes that turn table `old` into `new` (`to` is the whole
    /// target schema), or why they cannot be made.
    fn alter_table(
        &self,
        old: &Table,
        new: &Table,
        to: &Schema,
    ) -> Result<Vec<Change>, Vec<String>>;
    /// `ALTER TABLE ... ADD COLUMN`, after column `after` (`None`: first);
    /// `appended`: it comes after every existing column. `None` where the
    /// dialect cannot put it there.
    fn add_column(
        &self,
        table: &Table,
        column: &Column,
        after: Option<&str>,
        appended: bool,
    ) -> Option<String>;
    /// The statements that change column `old` into `new`, or why not.
    fn alter_column(
        &self,
        table: &Table,
        old: &Column,
        new: &Column,
    ) -> Result<Vec<String>, String>;
    /// Adds a constraint to an existing table.
    fn add_constraint(&self, table: &Table, constraint: &Constraint) -> String;
    /// Drops a constraint of a table.
    fn drop_constraint(&self, table: &Table, constraint: &Constraint) -> String;
    /// Drops an index of a table.
    fn drop_index(&self, table: &Table, index: &Index) -> String;
    /// `definition` built without blocking writes, where the dialect can.
    fn create_index_concurrently(&self, definition: &str) -> Option<String> {
        let _ = definition;
        None
    }
    /// Drops an index without blocking writes (where
    /// [`Profile::create_index_concurrently`] builds one).
    fn drop_index_concurrently(&self, table: &Table, index: &Index) -> String {
        self.drop_index(table, index)
    }
    /// Drops a function or procedure.
    fn drop_routine(&self, routine: &Routine) -> String;
    /// Drops a trigger.
    fn drop_trigger(&self, trigger: &Trigger) -> String;

    // --- Scratch databases ---

    /// The statements that drop scratch database `name`, ending the
    /// connections still open to it first where the dialect needs that.
    fn drop_database(&self, name: &str) -> Vec<String> {
        vec![format!(
            "DROP DATABASE IF EXISTS {}",
            self.quote_identifier(name)
        )]
    }
    /// Cancels the statements running on scratch database `name` (a replay
    /// interrupted by Ctrl-C), through `admin`, a connection to another
    /// database of the server.
    fn cancel_queries(&self, admin: &mut dyn Backend, name: &str) -> Result<(), DbError> {
        let _ = (admin, name);
        Ok(())
    }

    // --- Lint ---

    /// What `sql` is, for the lint rules.
    fn classify(&self, sql: &str) -> Kind;
    /// The dialect's own lint findings on one statement of a revision's up
    /// section (the shared rules are in `crate::lint`).
    fn lint(&self, context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>);
    /// How to trace the locks a revision takes, where the dialect can.
    fn tracer(&self) -> Option<&'static dyn Tracer> {
        None
    }
}

/// What a dialect is called, and how its URLs start.
#[derive(Debug)]
pub(crate) struct Names {
    /// The canonical name, as `--dialect` takes it and `status --json` prints it.
    pub(crate) name: &'static str,
    /// The human name, for messages.
    pub(crate) title: &'static str,
    /// Other names `--dialect` and `dialect` accept.
    pub(crate) aliases: &'static [&'static str],
    /// The URL schemes that name this dialect, lower-case.
    pub(crate) url_schemes: &'static [&'static str],
    /// Whether its URLs need `scheme://` (else `scheme:` is enough).
    pub(crate) url_needs_authority: bool,
}

/// The logical types of the state table's columns; each dialect names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    /// The revision id: the primary key, compared case-sensitively.
    RevisionId,
    /// A checksum that is always there (64 hex digits).
    Checksum,
    /// A checksum that may be missing.
    OptionalChecksum,
    /// A short word (`applied`, `up`).
    Word,
    /// Text that is always there.
    Text,
    /// Text that may be missing.
    OptionalText,
    /// A count or a duration that is always there.
    Count,
    /// A count that may be missing.
    OptionalCount,
    /// A program's name and version.
    ShortText,
    /// When the row was written, set by the database.
    CreatedAt,
}

/// One check of an offline guard: when `condition` holds, the revision must
/// not run and the script stops with `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GuardCheck {
    /// A SQL condition.
    pub(crate) condition: String,
    /// The error the script stops with.
    pub(crate) message: String,
}

/// What the guards of one offline script share: how many checks came
/// before, and the temporary table SQLite raises its errors through.
#[derive(Debug, Clone)]
pub(crate) struct Guards {
    /// The checks of the script's guards before this one: the first check
    /// of this guard is number `count + 1` (SQLite names a trigger by it).
    pub(crate) count: usize,
    /// The temporary guard table's name (never the state table's).
    pub(crate) table: String,
}

impl Guards {
    /// The guards of a script whose state table is `state_table`.
    pub(crate) fn new(state_table: &str) -> Self {
        // SQLite looks an unqualified name up in `temp` first: the temporary
        // guard table must not hide a state table of the same name.
        let mut table = String::from("sqlmig_guard");
        while table.eq_ignore_ascii_case(state_table) {
            table.push('_');
        }
        Guards { count: 0, table }
    }
}

impl Default for Dialect {
    /// PostgreSQL: whose lexical rules split statements when nothing names a dialect.
    fn default() -> Self {
        Dialect::Postgres
    }
}

impl Dialect {
    /// Every dialect, in a stable order.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    /// The dialect's profile: the one place a variant is matched.
    pub(crate) fn profile(self) -> &'static dyn Profile {
        match self {
            Dialect::Postgres => &postgres::Postgres,
            Dialect::Mysql => &mysql::Mysql,
            Dialect::Sqlite => &sqlite::Sqlite,
        }
    }

    /// The canonical name, as accepted by `--dialect` and printed by `status --json`.
    pub fn name(self) -> &'static str {
        self.profile().names().name
    }

    /// The human name, for messages.
    pub fn title(self) -> &'static str {
        self.profile().names().title
    }

    /// Whether SQL is replayed on a scratch database on a server (created
    /// beside `dev_url`), not in memory.
    pub fn replays_on_server(self) -> bool {
        self.profile().memory_url().is_none()
    }

    /// The dialect whose URLs start with `scheme` (case-insensitive);
    /// `authority`: the scheme is followed by `//`.
    pub fn from_url_scheme(scheme: &str, authority: bool) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|dialect| {
            let names = dialect.profile().names();
            (authority || !names.url_needs_authority)
                && names
                    .url_schemes
                    .iter()
                    .any(|known| known.eq_ignore_ascii_case(scheme))
        })
    }

    /// Whether DDL can be rolled back (PostgreSQL, SQLite); MySQL and MariaDB
    /// commit implicitly before and after each DDL statement.
    pub fn transactional_ddl(self) -> bool {
        self.profile().transactional_ddl()
    }

    /// An identifier quoted for the dialect.
    pub fn quote_identifier(self, name: &str) -> String {
        self.profile().quote_identifier(name)
    }

    /// A string literal that means exactly `text` in the dialect, whatever
    /// the quotes, backslashes or newlines inside it.
    pub fn quote_literal(self, text: &str) -> String {
        let mut quoted = String::with_capacity(text.len() + 2);
        self.push_literal(text, &mut quoted);
        quoted
    }

    /// [`Dialect::quote_literal`] appended to `out`: offline scripts write
    /// several literals per revision straight into their text.
    pub(crate) fn push_literal(self, text: &str, out: &mut String) {
        self.profile().push_literal(text, out);
    }

    /// The statement that opens a transaction. SQLite takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so two runners queue instead of failing later.
    pub fn begin_transaction(self) -> &'static str {
        self.profile().begin()
    }

    /// The statement that commits a transaction.
    pub fn commit_transaction(self) -> &'static str {
        self.profile().commit()
    }

    /// The statement that rolls a transaction back.
    pub fn rollback_transaction(self) -> &'static str {
        self.profile().rollback()
    }

    /// The oldest server version sqlmig supports: what offline scripts and
    /// `verify` assume unless told the version, so that they never assume a
    /// newer server than the one the script meets.
    pub fn oldest_supported_version(self) -> ServerVersion {
        self.profile().oldest_supported_version()
    }

    /// Whether two servers are of the same major release (PostgreSQL 15.2
    /// and 15.8; MySQL 8.0.x; MariaDB 10.11.x): when the dev server's and the
    /// live server's are not, their catalogs may print the same view,
    /// default or routine differently (`check --drift` warns).
    pub fn same_release(self, a: ServerVersion, b: ServerVersion) -> bool {
        self.profile().same_release(a, b)
    }

    /// The query whose one value is the server's version.
    pub fn server_version_query(self) -> &'static str {
        self.profile().server_version_query()
    }

    /// The version in the answer to [`Dialect::server_version_query`].
    pub fn parse_server_version(self, text: &str) -> Result<ServerVersion, InvalidServerVersion> {
        self.profile().parse_server_version(text)
    }

    /// Every statement the dialect refuses inside a transaction block, with
    /// the versions that refuse it.
    pub fn transaction_rules(self) -> &'static [TransactionRule] {
        self.profile().transaction_rules()
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
        rules
            .iter()
            .find(|rule| rule.refuses_on(version) && (rule.matches)(&words, sql))
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

    /// Whether `sql` can be rolled back on this dialect: always where DDL is
    /// transactional; on MySQL only DML.
    pub fn is_transactional(self, sql: &str) -> bool {
        let profile = self.profile();
        profile.transactional_ddl() || profile.rolls_back(&leading_words(sql))
    }
}

/// `'text'` with `'` doubled and NUL dropped, appended to `out`: the literal
/// of PostgreSQL (standard_conforming_strings) and SQLite. Offline scripts
/// quote several values per revision: the searches for either character are
/// `memchr` scans, and most text holds neither.
fn push_standard_literal(text: &str, out: &mut String) {
    out.reserve(text.len() + 2);
    out.push('\'');
    for (index, piece) in text.split('\'').enumerate() {
        if index > 0 {
            out.push_str("''");
        }
        if piece.contains('\0') {
            piece.split('\0').for_each(|part| out.push_str(part));
        } else {
            out.push_str(piece);
        }
    }
    out.push('\'');
}

/// `"name"` with `"` doubled: the quoted identifier of PostgreSQL and SQLite.
fn quote_standard_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
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
    // One string, upper-cased in place: every statement of a directory
    // comes here (`verify`, `emit`). Words are split at ASCII whitespace,
    // as the servers' lexers split them (and without decoding characters).
    let mut words = String::with_capacity(rest.len().min(64));
    for word in rest.split_ascii_whitespace().take(6) {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(word);
    }
    words.make_ascii_uppercase();
    words
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
        Dialect::ALL
            .into_iter()
            .find(|dialect| {
                let names = dialect.profile().names();
                std::iter::once(names.name)
                    .chain(names.aliases.iter().copied())
                    .any(|known| known.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| UnknownDialect(name.to_owned()))
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
    fn a_major_release_is_postgres_major_and_mysql_major_minor() {
        let v = ServerVersion::new;
        assert!(Dialect::Postgres.same_release(v(15, 2), v(15, 8)));
        assert!(!Dialect::Postgres.same_release(v(14, 9), v(15, 2)));
        assert!(!Dialect::Postgres.same_release(v(15, 2), v(16, 0)));
        assert!(Dialect::Mysql.same_release(v(8, 0), v(8, 0)));
        assert!(!Dialect::Mysql.same_release(v(8, 0), v(8, 4)));
        assert!(!Dialect::Mysql.same_release(v(10, 6), v(10, 11)));
        assert!(!Dialect::Mysql.same_release(v(10, 11), v(11, 4)));
        assert!(Dialect::Sqlite.same_release(v(3, 40), v(3, 54)));
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
