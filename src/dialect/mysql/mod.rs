//! MySQL and MariaDB: names, quoting, which statements commit implicitly,
//! the state table's SQL, and offline scripts for the mariadb/mysql client.

mod inspect;
mod offline;

use super::{ColumnType, GuardCheck, Guards, Names, Profile, ServerVersion, TransactionRule};
use crate::backend::{Backend, DbError};
use crate::dialect::Dialect;
mod lint;

use crate::lint::statement::Kind;
use crate::lint::{Context, Hit};
use crate::revision::Statement;
use crate::schema::{
    Change, Column, Constraint, ConstraintKind, DumpKind, Index, Routine, Schema, Table, Trigger,
    View, alter_in_place, column_clause,
};
use crate::sql::{Sql, Value};
use crate::state_table::StateTable;

/// MySQL's and MariaDB's profile.
pub(super) struct Mysql;

/// MySQL's and MariaDB's names.
const NAMES: Names = Names {
    name: "mysql",
    title: "MySQL/MariaDB",
    aliases: &["mariadb"],
    url_schemes: &["mysql", "mariadb"],
    url_needs_authority: true,
};

impl Profile for Mysql {
    fn names(&self) -> &'static Names {
        &NAMES
    }

    /// `` `name` `` with `` ` `` doubled.
    fn quote_identifier(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    fn push_literal(&self, text: &str, out: &mut String) {
        out.push_str(&quote_literal(text));
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

    /// MySQL and MariaDB number a release series `major.minor` (8.0, 8.4,
    /// 10.11, 11.4).
    fn same_release(&self, a: ServerVersion, b: ServerVersion) -> bool {
        a == b
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
        // A TIMESTAMP reads in the session's time zone: turned to UTC and
        // printed to the millisecond with `Z`, as the other dialects do.
        "CONCAT(LEFT(DATE_FORMAT(CONVERT_TZ(applied_at, @@session.time_zone, '+00:00'), '%Y-%m-%dT%H:%i:%s.%f'), 23), 'Z')"
    }

    fn client_instructions(&self) -> &'static [&'static str] {
        offline::INSTRUCTIONS
    }

    fn literal_setup(&self) -> Option<&'static str> {
        Some("SET NAMES utf8mb4;")
    }

    fn guard(&self, checks: &[GuardCheck], _guards: &Guards) -> Vec<String> {
        offline::guard(checks)
    }

    fn push_terminated(&self, statement: &Statement, out: &mut String) {
        out.push_str(&offline::terminated(statement));
    }

    fn inspect(
        &self,
        backend: &mut dyn Backend,
        state_table: &StateTable,
    ) -> Result<Schema, DbError> {
        inspect::inspect(backend, state_table)
    }

    /// A view's functions exist before it, its tables' keys before their
    /// foreign keys.
    fn dump_order(&self) -> &'static [DumpKind] {
        &[
            DumpKind::Tables,
            DumpKind::Indexes,
            DumpKind::ForeignKeys,
            DumpKind::Routines,
            DumpKind::Views,
            DumpKind::Triggers,
        ]
    }

    fn render_table(&self, table: &Table) -> String {
        let options = format!(" {}", table.options.join(" "));
        crate::schema::create_table(Dialect::Mysql, table, options.trim_end())
    }

    fn render_view(&self, view: &View) -> String {
        format!(
            "CREATE VIEW {} AS {};",
            Dialect::Mysql.quote_identifier(&view.name),
            view.definition
        )
    }

    fn alter_table(
        &self,
        old: &Table,
        new: &Table,
        _to: &Schema,
    ) -> Result<Vec<Change>, Vec<String>> {
        alter_in_place(Dialect::Mysql, old, new)
    }

    /// Anywhere: `FIRST` or `AFTER` the column before it.
    fn add_column(
        &self,
        table: &Table,
        column: &Column,
        after: Option<&str>,
        appended: bool,
    ) -> Option<String> {
        let place = match (after, appended) {
            (_, true) => String::new(),
            (Some(after), false) => format!(" AFTER {}", quote(after)),
            (None, false) => String::from(" FIRST"),
        };
        Some(format!(
            "ALTER TABLE {} ADD COLUMN {}{place}",
            quote(&table.name),
            column_clause(Dialect::Mysql, column)
        ))
    }

    /// `MODIFY COLUMN` with the whole new definition.
    fn alter_column(
        &self,
        table: &Table,
        _old: &Column,
        new: &Column,
    ) -> Result<Vec<String>, String> {
        Ok(vec![format!(
            "ALTER TABLE {} MODIFY COLUMN {}",
            quote(&table.name),
            column_clause(Dialect::Mysql, new)
        )])
    }

    fn add_constraint(&self, table: &Table, constraint: &Constraint) -> String {
        match constraint.kind {
            ConstraintKind::PrimaryKey => {
                format!(
                    "ALTER TABLE {} ADD {}",
                    quote(&table.name),
                    constraint.definition
                )
            }
            _ => format!(
                "ALTER TABLE {} ADD CONSTRAINT {} {}",
                quote(&table.name),
                quote(&constraint.name),
                constraint.definition
            ),
        }
    }

    fn drop_constraint(&self, table: &Table, constraint: &Constraint) -> String {
        let what = match constraint.kind {
            ConstraintKind::PrimaryKey => String::from("PRIMARY KEY"),
            ConstraintKind::Unique => format!("INDEX {}", quote(&constraint.name)),
            ConstraintKind::ForeignKey => format!("FOREIGN KEY {}", quote(&constraint.name)),
            ConstraintKind::Check | ConstraintKind::Exclusion => {
                format!("CONSTRAINT {}", quote(&constraint.name))
            }
        };
        format!("ALTER TABLE {} DROP {what}", quote(&table.name))
    }

    fn drop_index(&self, table: &Table, index: &Index) -> String {
        format!(
            "DROP INDEX {} ON {}",
            quote(&index.name),
            quote(&table.name)
        )
    }

    /// `arguments` holds `FUNCTION` or `PROCEDURE` on MySQL.
    fn drop_routine(&self, routine: &Routine) -> String {
        format!("DROP {} {}", routine.arguments, quote(&routine.name))
    }

    fn drop_trigger(&self, trigger: &Trigger) -> String {
        format!("DROP TRIGGER {}", quote(&trigger.name))
    }

    /// `KILL QUERY` for each session using the database: the statement
    /// fails, the session stays.
    fn cancel_queries(&self, admin: &mut dyn Backend, name: &str) -> Result<(), DbError> {
        let sessions = crate::schema::catalog::column(
            admin,
            &format!(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = {} AND ID <> CONNECTION_ID()",
                quote_literal(name)
            ),
        )?;
        for id in sessions {
            // Only digits reach the statement: the id is a number.
            if !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit()) {
                admin.execute(&format!("KILL QUERY {id}"))?;
            }
        }
        Ok(())
    }

    fn classify(&self, sql: &str) -> Kind {
        lint::classify_statement(sql)
    }

    fn lint(&self, context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
        lint::lint(context, kind, hits);
    }
}

/// An identifier quoted for MySQL.
fn quote(name: &str) -> String {
    Dialect::Mysql.quote_identifier(name)
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
