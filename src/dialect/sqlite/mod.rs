//! SQLite: names, quoting, what its transactions can hold, the state
//! table's SQL, and offline scripts for the sqlite3 shell.

mod inspect;
mod lint;
mod offline;
mod rebuild;
mod table_sql;

use super::{ColumnType, GuardCheck, Guards, Names, Profile, ServerVersion, TransactionRule};
use crate::backend::{Backend, DbError};
use crate::dialect::Dialect;
use crate::lint::statement::Kind;
use crate::lint::{Context, Hit};
use crate::schema::{
    Change, Column, Constraint, ConstraintKind, DumpKind, Index, Routine, Schema, Table, Trigger,
    View,
};
use crate::sql::{Sql, Value};
use crate::state_table::StateTable;

/// SQLite's profile.
pub(super) struct Sqlite;

/// SQLite's names: `sqlite:app.db` and `sqlite::memory:` need no `//`.
const NAMES: Names = Names {
    name: "sqlite",
    title: "SQLite",
    aliases: &["sqlite3"],
    url_schemes: &["sqlite", "sqlite3"],
    url_needs_authority: false,
};

impl Profile for Sqlite {
    fn names(&self) -> &'static Names {
        &NAMES
    }

    fn quote_identifier(&self, name: &str) -> String {
        super::quote_standard_identifier(name)
    }

    /// `'text'` with `'` doubled: SQLite has no backslash escapes. NUL would
    /// end the text early in the C API and is dropped.
    fn push_literal(&self, text: &str, out: &mut String) {
        super::push_standard_literal(text, out);
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

    fn guard(&self, checks: &[GuardCheck], guards: &Guards) -> Vec<String> {
        offline::guard(checks, guards)
    }

    fn inspect(
        &self,
        backend: &mut dyn Backend,
        state_table: &StateTable,
    ) -> Result<Schema, DbError> {
        inspect::inspect(backend, state_table)
    }

    /// Foreign keys stay inside their tables: SQLite resolves them only
    /// when they are used, so the order of tables does not matter.
    fn dump_order(&self) -> &'static [DumpKind] {
        &[
            DumpKind::Tables,
            DumpKind::Indexes,
            DumpKind::Views,
            DumpKind::Triggers,
        ]
    }

    fn render_table(&self, table: &Table) -> String {
        render_table(table)
    }

    /// The view's own text, which holds its name.
    fn render_view(&self, view: &View) -> String {
        format!("{};", view.definition)
    }

    fn foreign_keys_inline(&self) -> bool {
        true
    }

    fn memory_url(&self) -> Option<&'static str> {
        Some("sqlite::memory:")
    }

    /// `ADD COLUMN` where SQLite can; otherwise the documented rebuild.
    fn alter_table(
        &self,
        old: &Table,
        new: &Table,
        _to: &Schema,
    ) -> Result<Vec<Change>, Vec<String>> {
        Ok(rebuild::alter(old, new))
    }

    fn add_column(
        &self,
        table: &Table,
        column: &Column,
        _after: Option<&str>,
        appended: bool,
    ) -> Option<String> {
        appended.then(|| rebuild::add_column(table, column))
    }

    /// Always through a rebuild ([`Profile::alter_table`]).
    fn alter_column(
        &self,
        _table: &Table,
        _old: &Column,
        _new: &Column,
    ) -> Result<Vec<String>, String> {
        Err(String::from(
            "SQLite changes columns by rebuilding their table",
        ))
    }

    /// Always through a rebuild ([`Profile::alter_table`]).
    fn add_constraint(&self, table: &Table, constraint: &Constraint) -> String {
        format!("-- rebuild {} to add {}", table.name, constraint.definition)
    }

    /// Always through a rebuild ([`Profile::alter_table`]).
    fn drop_constraint(&self, table: &Table, constraint: &Constraint) -> String {
        format!(
            "-- rebuild {} to drop {}",
            table.name, constraint.definition
        )
    }

    fn drop_index(&self, _table: &Table, index: &Index) -> String {
        format!(
            "DROP INDEX {}",
            Dialect::Sqlite.quote_identifier(&index.name)
        )
    }

    fn drop_routine(&self, routine: &Routine) -> String {
        format!("-- SQLite has no routines: {}", routine.name)
    }

    fn drop_trigger(&self, trigger: &Trigger) -> String {
        format!(
            "DROP TRIGGER {}",
            Dialect::Sqlite.quote_identifier(&trigger.name)
        )
    }

    fn classify(&self, sql: &str) -> Kind {
        lint::classify_statement(sql)
    }

    fn lint(&self, context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
        lint::lint(context, kind, hits);
    }
}

/// `CREATE TABLE`: a one-column primary key on its column (so an `INTEGER`
/// one stays the rowid, and `AUTOINCREMENT` has its place), every
/// constraint inline, the options after the body.
pub(super) fn render_table(table: &Table) -> String {
    let quote = |name: &str| Dialect::Sqlite.quote_identifier(name);
    let single_key = table
        .constraints
        .iter()
        .find(|constraint| constraint.kind == ConstraintKind::PrimaryKey)
        .filter(|_| {
            table
                .constraints
                .iter()
                .filter(|constraint| constraint.kind == ConstraintKind::PrimaryKey)
                .count()
                == 1
        })
        .and_then(|key| {
            let columns = key
                .definition
                .trim_start_matches("PRIMARY KEY (")
                .trim_end_matches(')');
            (!columns.contains(", ")).then(|| columns.to_owned())
        });
    let mut lines = Vec::new();
    for column in &table.columns {
        let mut line = quote(&column.name);
        if !column.data_type.is_empty() {
            line.push(' ');
            line.push_str(&column.data_type);
        }
        if single_key.as_deref() == Some(quote(&column.name).as_str()) {
            line.push_str(" PRIMARY KEY");
            if let Some(identity) = &column.identity {
                line.push(' ');
                line.push_str(identity);
            }
        }
        if let Some(collation) = &column.collation {
            line.push_str(&format!(" COLLATE {collation}"));
        }
        if let Some(generated) = &column.generated {
            line.push(' ');
            line.push_str(generated);
        }
        if !column.nullable {
            line.push_str(" NOT NULL");
        }
        if let Some(default) = &column.default {
            line.push_str(&format!(" DEFAULT ({default})"));
        }
        lines.push(line);
    }
    for constraint in &table.constraints {
        if constraint.kind == ConstraintKind::PrimaryKey && single_key.is_some() {
            continue;
        }
        if constraint.name.is_empty() {
            lines.push(constraint.definition.clone());
        } else {
            lines.push(format!(
                "CONSTRAINT {} {}",
                quote(&constraint.name),
                constraint.definition
            ));
        }
    }
    let options = if table.options.is_empty() {
        String::new()
    } else {
        format!(" {}", table.options.join(", "))
    };
    format!(
        "CREATE TABLE {} (\n    {}\n){options};",
        quote(&table.name),
        lines.join(",\n    ")
    )
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
        matches: |words, sql| {
            words.starts_with("PRAGMA") && {
                let compact: String = sql
                    .to_ascii_uppercase()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                compact.contains("JOURNAL_MODE=WAL") || compact.contains("JOURNAL_MODE='WAL'")
            }
        },
    },
];
