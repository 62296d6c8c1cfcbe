//! PostgreSQL: names, quoting, transactions, the state table's SQL, and
//! offline scripts for psql.

mod inspect;
mod lint;
mod offline;
mod trace;
mod transaction;

use super::{ColumnType, GuardCheck, Guards, InvalidServerVersion, Names, Profile, ServerVersion};
use crate::backend::{Backend, DbError};
use crate::dialect::{Dialect, TransactionRule};
use crate::lint::statement::Kind;
use crate::lint::trace::Tracer;
use crate::lint::{Context, Hit};
use crate::schema::{
    Change, Column, Constraint, DumpKind, Index, Routine, Schema, Table, Trigger, View,
    alter_in_place, qualified, qualified_name, routine_kind,
};
use crate::sql::{Sql, Value};
use crate::state_table::StateTable;

/// PostgreSQL's profile.
pub(super) struct Postgres;

/// PostgreSQL's names.
const NAMES: Names = Names {
    name: "postgres",
    title: "PostgreSQL",
    aliases: &["postgresql"],
    url_schemes: &["postgres", "postgresql"],
    url_needs_authority: true,
};

impl Profile for Postgres {
    fn names(&self) -> &'static Names {
        &NAMES
    }

    fn quote_identifier(&self, name: &str) -> String {
        super::quote_standard_identifier(name)
    }

    /// `'text'` with `'` doubled. Offline scripts pin
    /// `standard_conforming_strings = on`, under which backslashes are plain
    /// characters; NUL cannot occur in PostgreSQL text and is dropped.
    fn push_literal(&self, text: &str, out: &mut String) {
        super::push_standard_literal(text, out);
    }

    fn placeholder(&self, number: usize) -> String {
        format!("${number}")
    }

    fn transactional_ddl(&self) -> bool {
        true
    }

    fn transaction_rules(&self) -> &'static [TransactionRule] {
        transaction::TRANSACTION_RULES
    }

    fn begin(&self) -> &'static str {
        "BEGIN"
    }

    /// Two runners that both got past the advisory lock (a pooler in
    /// transaction mode) still cannot apply one revision twice
    /// (docs/RELIABILITY.md C-4).
    fn locks_state_table_in_transaction(&self) -> bool {
        true
    }

    fn oldest_supported_version(&self) -> ServerVersion {
        ServerVersion::new(11, 0)
    }

    fn server_version_query(&self) -> &'static str {
        "SELECT current_setting('server_version_num')"
    }

    /// `server_version_num`: `150004` is 15.4.
    fn parse_server_version(&self, text: &str) -> Result<ServerVersion, InvalidServerVersion> {
        text.trim()
            .parse::<u32>()
            .map(ServerVersion::from_postgres_number)
            .map_err(|_| InvalidServerVersion(text.chars().take(40).collect()))
    }

    fn default_schema(&self) -> Option<&'static str> {
        Some("public")
    }

    fn name_limit(&self) -> (usize, &'static str) {
        (63, "PostgreSQL names are at most 63 bytes")
    }

    fn column_type(&self, column: ColumnType) -> &'static str {
        match column {
            ColumnType::RevisionId => "VARCHAR(64) NOT NULL PRIMARY KEY",
            ColumnType::Checksum => "CHAR(64) NOT NULL",
            ColumnType::OptionalChecksum => "CHAR(64)",
            ColumnType::Word => "VARCHAR(16) NOT NULL",
            ColumnType::Text => "TEXT NOT NULL",
            ColumnType::OptionalText => "TEXT",
            ColumnType::Count => "BIGINT NOT NULL",
            ColumnType::OptionalCount => "BIGINT",
            ColumnType::ShortText => "VARCHAR(100) NOT NULL",
            ColumnType::CreatedAt => "TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP",
        }
    }

    fn table_exists_query(&self, schema: Option<&str>, name: &str) -> Sql {
        // The catalog itself, not information_schema.tables: that view
        // joins and checks privileges on every relation, which a fleet of
        // small databases pays on every target (the relkinds are the ones
        // it lists).
        Sql {
            text: String::from(
                "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
            ),
            params: vec![Value::text(schema.unwrap_or_default()), Value::text(name)],
        }
    }

    fn applied_at_text(&self) -> &'static str {
        "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    fn client_instructions(&self) -> &'static [&'static str] {
        offline::INSTRUCTIONS
    }

    fn fail_stop(&self) -> Option<&'static str> {
        Some("\\set ON_ERROR_STOP on")
    }

    fn literal_setup(&self) -> Option<&'static str> {
        Some("SET standard_conforming_strings = on;")
    }

    fn quit_on_error(&self) -> &'static [&'static str] {
        offline::QUIT_ON_ERROR
    }

    fn guard(&self, checks: &[GuardCheck], _guards: &Guards) -> Vec<String> {
        offline::guard(checks)
    }

    fn inspect(
        &self,
        backend: &mut dyn Backend,
        state_table: &StateTable,
    ) -> Result<Schema, DbError> {
        inspect::inspect(backend, state_table)
    }

    fn dump_order(&self) -> &'static [DumpKind] {
        &[
            DumpKind::Schemas,
            DumpKind::Extensions,
            DumpKind::Enums,
            DumpKind::Sequences,
            DumpKind::Routines,
            DumpKind::Tables,
            DumpKind::SequenceOwners,
            DumpKind::Indexes,
            DumpKind::Views,
            DumpKind::ForeignKeys,
            DumpKind::Triggers,
            DumpKind::Comments,
        ]
    }

    /// Function bodies read tables created after them.
    fn dump_preamble(&self) -> &'static [&'static str] {
        &["SET check_function_bodies = false;"]
    }

    fn render_table(&self, table: &Table) -> String {
        crate::schema::create_table(Dialect::Postgres, table, "")
    }

    fn render_view(&self, view: &View) -> String {
        format!(
            "CREATE VIEW {} AS\n{};",
            crate::schema::qualified_name(Dialect::Postgres, view.schema.as_deref(), &view.name),
            view.definition
        )
    }

    fn alter_table(
        &self,
        old: &Table,
        new: &Table,
        _to: &Schema,
    ) -> Result<Vec<Change>, Vec<String>> {
        alter_in_place(Dialect::Postgres, old, new)
    }

    /// Only after every existing column: PostgreSQL cannot place a column.
    fn add_column(
        &self,
        table: &Table,
        column: &Column,
        _after: Option<&str>,
        appended: bool,
    ) -> Option<String> {
        appended.then(|| {
            format!(
                "ALTER TABLE {} ADD COLUMN {}",
                qualified(Dialect::Postgres, table),
                crate::schema::column_clause(Dialect::Postgres, column)
            )
        })
    }

    fn alter_column(
        &self,
        table: &Table,
        old: &Column,
        new: &Column,
    ) -> Result<Vec<String>, String> {
        let prefix = format!(
            "ALTER TABLE {} ALTER COLUMN {}",
            qualified(Dialect::Postgres, table),
            Dialect::Postgres.quote_identifier(&new.name)
        );
        if old.generated != new.generated {
            return Err(String::from(
                "its generation expression changes (drop and add it instead)",
            ));
        }
        let mut sql = Vec::new();
        if old.data_type != new.data_type || old.collation != new.collation {
            let collate = new
                .collation
                .as_ref()
                .map_or_else(String::new, |collation| format!(" COLLATE {collation}"));
            sql.push(format!(
                "{prefix} TYPE {}{collate} USING {}::{}",
                new.data_type,
                Dialect::Postgres.quote_identifier(&new.name),
                new.data_type
            ));
        }
        if old.default != new.default {
            sql.push(match &new.default {
                Some(default) => format!("{prefix} SET DEFAULT {default}"),
                None => format!("{prefix} DROP DEFAULT"),
            });
        }
        if old.nullable != new.nullable {
            sql.push(format!(
                "{prefix} {} NOT NULL",
                if new.nullable { "DROP" } else { "SET" }
            ));
        }
        match (&old.identity, &new.identity) {
            (None, Some(identity)) => sql.push(format!("{prefix} ADD {identity}")),
            (Some(_), None) => sql.push(format!("{prefix} DROP IDENTITY")),
            (Some(a), Some(b)) if a != b => return Err(String::from("its identity changes")),
            _ => {}
        }
        Ok(sql)
    }

    fn add_constraint(&self, table: &Table, constraint: &Constraint) -> String {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            qualified(Dialect::Postgres, table),
            Dialect::Postgres.quote_identifier(&constraint.name),
            constraint.definition
        )
    }

    fn drop_constraint(&self, table: &Table, constraint: &Constraint) -> String {
        format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            qualified(Dialect::Postgres, table),
            Dialect::Postgres.quote_identifier(&constraint.name)
        )
    }

    fn drop_index(&self, table: &Table, index: &Index) -> String {
        format!(
            "DROP INDEX {}",
            qualified_name(Dialect::Postgres, table.schema.as_deref(), &index.name)
        )
    }

    /// `CREATE [UNIQUE] INDEX CONCURRENTLY ...`.
    fn create_index_concurrently(&self, definition: &str) -> Option<String> {
        let at = definition.find(" INDEX ")? + " INDEX".len();
        Some(format!(
            "{} CONCURRENTLY{}",
            &definition[..at],
            &definition[at..]
        ))
    }

    /// `IF EXISTS`: a build that failed leaves an invalid index behind, or none.
    fn drop_index_concurrently(&self, table: &Table, index: &Index) -> String {
        format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            qualified_name(Dialect::Postgres, table.schema.as_deref(), &index.name)
        )
    }

    fn drop_routine(&self, routine: &Routine) -> String {
        format!(
            "DROP {} {}({})",
            routine_kind(routine),
            qualified_name(Dialect::Postgres, routine.schema.as_deref(), &routine.name),
            routine.arguments
        )
    }

    fn drop_trigger(&self, trigger: &Trigger) -> String {
        format!(
            "DROP TRIGGER {} ON {}",
            Dialect::Postgres.quote_identifier(&trigger.name),
            qualified_name(Dialect::Postgres, trigger.schema.as_deref(), &trigger.table)
        )
    }

    /// `pg_terminate_backend` first: `DROP DATABASE ... WITH (FORCE)` needs
    /// PostgreSQL 13.
    fn drop_database(&self, name: &str) -> Vec<String> {
        vec![
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {} AND pid <> pg_backend_pid()",
                Dialect::Postgres.quote_literal(name)
            ),
            format!("DROP DATABASE IF EXISTS {}", self.quote_identifier(name)),
        ]
    }

    /// `pg_cancel_backend`: the statement fails, the session stays.
    fn cancel_queries(&self, admin: &mut dyn Backend, name: &str) -> Result<(), DbError> {
        admin.execute(&format!(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = {} AND pid <> pg_backend_pid()",
            Dialect::Postgres.quote_literal(name)
        ))
    }

    fn classify(&self, sql: &str) -> Kind {
        lint::classify_statement(sql)
    }

    fn lint(&self, context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
        lint::lint(context, kind, hits);
    }

    fn tracer(&self) -> Option<&'static dyn Tracer> {
        Some(&trace::PostgresTracer)
    }
}
