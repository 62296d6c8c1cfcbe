//! PostgreSQL: names, quoting, transactions, the state table's SQL, and
//! offline scripts for psql.

mod lint;
mod offline;
mod trace;
mod transaction;

use super::{ColumnType, GuardCheck, Guards, InvalidServerVersion, Profile, ServerVersion};
use crate::dialect::TransactionRule;
use crate::lint::statement::Kind;
use crate::lint::trace::Tracer;
use crate::lint::{Context, Hit};
use crate::sql::{Sql, Value};

/// PostgreSQL's profile.
pub(super) struct Postgres;

impl Profile for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn title(&self) -> &'static str {
        "PostgreSQL"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["postgresql"]
    }

    fn url_schemes(&self) -> &'static [&'static str] {
        &["postgres", "postgresql"]
    }

    fn url_needs_authority(&self) -> bool {
        true
    }

    fn quote_identifier(&self, name: &str) -> String {
        super::quote_standard_identifier(name)
    }

    /// `'text'` with `'` doubled. Offline scripts pin
    /// `standard_conforming_strings = on`, under which backslashes are plain
    /// characters; NUL cannot occur in PostgreSQL text and is dropped.
    fn quote_literal(&self, text: &str) -> String {
        super::quote_standard_literal(text)
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
        Sql {
            text: String::from(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
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

    fn guard(&self, checks: &[GuardCheck], _guards: &mut Guards) -> Vec<String> {
        offline::guard(checks)
    }

    /// `pg_terminate_backend` first: `DROP DATABASE ... WITH (FORCE)` needs
    /// PostgreSQL 13.
    fn drop_database(&self, name: &str) -> Vec<String> {
        vec![
            format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {} AND pid <> pg_backend_pid()",
                self.quote_literal(name)
            ),
            format!("DROP DATABASE IF EXISTS {}", self.quote_identifier(name)),
        ]
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
