//! The state table (docs/DESIGN.md §3): one row per applied, running or failed revision.
//! Its DDL and every statement that reads or writes it, for each dialect.
//! Online runs bind the values; offline scripts inline them (see [`crate::sql`]).

use std::fmt;

use crate::dialect::{ColumnType, Dialect};
use crate::revision::{Checksum, Revision};
use crate::sql::{Binding, Sql, SqlBuilder, Value};

/// The state table's default name.
pub const DEFAULT_TABLE: &str = "sqlmig_revisions";

/// Where the state table lives, and the SQL that reads and writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateTable {
    dialect: Dialect,
    schema: Option<String>,
    name: String,
    /// The quoted, schema-qualified name, which every statement names.
    qualified_name: String,
}

/// A state-table or schema name that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} name `{name}`: {reason}")]
pub struct InvalidTableName {
    /// `table` or `schema`.
    pub what: &'static str,
    /// The name as given.
    pub name: String,
    /// Why it is refused.
    pub reason: &'static str,
}

/// What a row says about its revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// Applied completely.
    Applied,
    /// Started outside a transaction and not finished: a run in progress, or
    /// one that died.
    Running,
    /// Failed part-way outside a transaction: some statements may have run.
    Failed,
}

impl RowState {
    fn as_str(self) -> &'static str {
        match self {
            RowState::Applied => "applied",
            RowState::Running => "running",
            RowState::Failed => "failed",
        }
    }
}

/// Which way a running or failed row was going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowDirection {
    /// Applying the up section.
    Up,
    /// Reverting through the down section.
    Down,
}

impl RowDirection {
    fn as_str(self) -> &'static str {
        match self {
            RowDirection::Up => "up",
            RowDirection::Down => "down",
        }
    }
}

impl fmt::Display for RowDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the state table, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRow {
    /// The revision id.
    pub revision: String,
    /// The revision checksum recorded when it was applied (`None` if unreadable).
    pub checksum: Option<Checksum>,
    /// The down checksum recorded with it.
    pub down_checksum: Option<Checksum>,
    /// Applied, running or failed.
    pub state: RowState,
    /// The direction of a running or failed row.
    pub direction: RowDirection,
    /// The revision's message when it was applied.
    pub message: String,
    /// The file's path (relative to the migrations directory) when it was applied.
    pub path: String,
    /// How many statements ran (outside a transaction: recorded after each).
    pub statements_run: u32,
    /// Blake3 chained over the statements that ran, to check a resume.
    pub progress_checksum: Option<Checksum>,
    /// The 1-based index of the statement that failed.
    pub failed_statement: Option<u32>,
    /// The file line of the statement that failed.
    pub failed_line: Option<u32>,
    /// The database's error message.
    pub error: Option<String>,
    /// Which program wrote the row (`sqlmig 0.1.0 upgrade`, `... stamp`).
    pub applied_by: String,
    /// When, as text in UTC.
    pub applied_at: String,
    /// How long the revision took, in milliseconds.
    pub execution_ms: i64,
}

/// The columns and their types, in the order every `SELECT` lists them.
const COLUMNS: [(&str, ColumnType); 15] = [
    ("revision", ColumnType::RevisionId),
    ("checksum", ColumnType::Checksum),
    ("down_checksum", ColumnType::OptionalChecksum),
    ("state", ColumnType::Word),
    ("direction", ColumnType::Word),
    ("message", ColumnType::Text),
    ("path", ColumnType::Text),
    ("statements_run", ColumnType::Count),
    ("progress_checksum", ColumnType::OptionalChecksum),
    ("failed_statement", ColumnType::OptionalCount),
    ("failed_line", ColumnType::OptionalCount),
    ("error", ColumnType::OptionalText),
    ("applied_by", ColumnType::ShortText),
    ("applied_at", ColumnType::CreatedAt),
    ("execution_ms", ColumnType::Count),
];

/// A row to insert.
#[derive(Debug, Clone, Copy)]
pub struct NewRow<'a> {
    /// The revision it records.
    pub revision: &'a Revision,
    /// Applied, or running.
    pub state: RowState,
    /// The direction (up unless a revert is running).
    pub direction: RowDirection,
    /// Which program writes it.
    pub applied_by: &'a str,
    /// How long the revision took.
    pub execution_ms: i64,
    /// How many statements ran.
    pub statements_run: u32,
}

/// Per-statement progress of a revision running outside a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Statements that ran.
    pub statements_run: u32,
    /// Blake3 chained over those statements.
    pub checksum: Option<Checksum>,
}

impl Progress {
    /// No statement has run yet.
    pub const START: Progress = Progress {
        statements_run: 0,
        checksum: None,
    };

    /// The progress after `sql` ran too: the checksum chains every statement
    /// so far, so a resume can check that none of them was edited since.
    pub fn advance(self, sql: &str) -> Progress {
        let previous = self.checksum.map(|c| c.to_hex()).unwrap_or_default();
        let chained = format!("{previous}\0{sql}");
        Progress {
            statements_run: self.statements_run + 1,
            checksum: Some(Checksum::of_bytes(chained.as_bytes())),
        }
    }
}

/// Where and why a revision failed part-way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 1-based index of the failing statement.
    pub statement: u32,
    /// Its file line.
    pub line: u32,
    /// The database's message.
    pub error: String,
}

impl StateTable {
    /// The state table `name` (in `schema`, PostgreSQL only) for `dialect`.
    pub fn new(
        dialect: Dialect,
        schema: Option<&str>,
        name: &str,
    ) -> Result<Self, InvalidTableName> {
        check_name("table", name, dialect)?;
        let schema = match dialect.profile().default_schema() {
            Some(default) => {
                let schema = schema.unwrap_or(default);
                check_name("schema", schema, dialect)?;
                Some(schema.to_owned())
            }
            None => None,
        };
        let table = dialect.quote_identifier(name);
        let qualified_name = match &schema {
            Some(schema) => format!("{}.{table}", dialect.quote_identifier(schema)),
            None => table,
        };
        Ok(StateTable {
            dialect,
            schema,
            name: name.to_owned(),
            qualified_name,
        })
    }

    /// The dialect the SQL is written for.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The schema (PostgreSQL only).
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The quoted, schema-qualified name.
    pub fn qualified_name(&self) -> &str {
        &self.qualified_name
    }

    /// The statements that create the table (and its schema) if missing.
    pub fn create_statements(&self) -> Vec<String> {
        let mut statements = Vec::new();
        let profile = self.dialect.profile();
        if let Some(schema) = self
            .schema
            .as_deref()
            .filter(|&schema| Some(schema) != profile.default_schema())
        {
            statements.push(format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                self.dialect.quote_identifier(schema)
            ));
        }
        let columns: Vec<String> = COLUMNS
            .iter()
            .map(|&(column, kind)| format!("    {column} {}", profile.column_type(kind)))
            .collect();
        statements.push(format!(
            "CREATE TABLE IF NOT EXISTS {} (\n{}\n){}",
            self.qualified_name(),
            columns.join(",\n"),
            profile.table_options()
        ));
        statements
    }

    /// A query that returns one row when the table exists.
    pub fn exists_query(&self) -> Sql {
        self.dialect
            .profile()
            .table_exists_query(self.schema.as_deref(), &self.name)
    }

    /// Every row, in the column order [`StateRow::from_values`] expects.
    pub fn select_rows(&self) -> Sql {
        let applied_at = self.dialect.profile().applied_at_text();
        let columns: Vec<&str> = COLUMNS
            .iter()
            .map(|&(column, _)| {
                if column == "applied_at" {
                    applied_at
                } else {
                    column
                }
            })
            .collect();
        Sql {
            text: format!(
                "SELECT {} FROM {} ORDER BY applied_at, revision",
                columns.join(", "),
                self.qualified_name()
            ),
            params: Vec::new(),
        }
    }

    /// The state of one revision's row (no row: not recorded).
    pub fn select_state(&self, revision: &str, binding: Binding) -> Sql {
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push(&format!(
            "SELECT state FROM {} WHERE revision = ",
            self.qualified_name()
        ))
        .value(Value::text(revision));
        sql.finish()
    }

    /// Where the dialect locks the state table inside each revision's
    /// transaction (PostgreSQL): the statement, so that two runners that
    /// both got past the run's lock (a pooler in transaction mode) still
    /// cannot apply one revision twice (docs/RELIABILITY.md C-4).
    pub fn lock_in_transaction(&self) -> Option<String> {
        self.dialect
            .profile()
            .locks_state_table_in_transaction()
            .then(|| {
                format!(
                    "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                    self.qualified_name()
                )
            })
    }

    /// Records a revision: applied, or running before a revision that runs
    /// outside a transaction.
    pub fn insert(&self, row: &NewRow<'_>, binding: Binding) -> Sql {
        let revision = row.revision;
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push("INSERT INTO ")
            .push(&self.qualified_name)
            .push(" (");
        let columns = COLUMNS
            .iter()
            .map(|&(column, _)| column)
            .filter(|&column| column != "applied_at");
        for (index, column) in columns.enumerate() {
            if index > 0 {
                sql.push(", ");
            }
            sql.push(column);
        }
        sql.push(") VALUES (")
            .values([
                Value::text(&revision.id),
                Value::text(revision.checksum.to_hex()),
                Value::Text(revision.down_checksum().map(|checksum| checksum.to_hex())),
                Value::text(row.state.as_str()),
                Value::text(row.direction.as_str()),
                Value::text(&revision.message),
                Value::text(&revision.relative_path),
                Value::integer(i64::from(row.statements_run)),
                Value::Text(None),
                Value::Integer(None),
                Value::Integer(None),
                Value::Text(None),
                Value::text(row.applied_by),
                Value::integer(row.execution_ms),
            ])
            .push(")");
        sql.finish()
    }

    /// Records the progress of a revision running outside a transaction.
    pub fn update_progress(&self, revision: &str, progress: Progress, binding: Binding) -> Sql {
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push(&format!(
            "UPDATE {} SET statements_run = ",
            self.qualified_name()
        ))
        .value(Value::integer(i64::from(progress.statements_run)))
        .push(", progress_checksum = ")
        .value(Value::Text(progress.checksum.map(|c| c.to_hex())))
        .push(" WHERE revision = ")
        .value(Value::text(revision));
        sql.finish()
    }

    /// Marks a running revision failed, with where and why.
    pub fn update_failed(
        &self,
        revision: &str,
        progress: Progress,
        failure: &Failure,
        binding: Binding,
    ) -> Sql {
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push(&format!("UPDATE {} SET state = ", self.qualified_name()))
            .value(Value::text(RowState::Failed.as_str()))
            .push(", statements_run = ")
            .value(Value::integer(i64::from(progress.statements_run)))
            .push(", progress_checksum = ")
            .value(Value::Text(progress.checksum.map(|c| c.to_hex())))
            .push(", failed_statement = ")
            .value(Value::integer(i64::from(failure.statement)))
            .push(", failed_line = ")
            .value(Value::integer(i64::from(failure.line)))
            .push(", error = ")
            .value(Value::text(&failure.error))
            .push(" WHERE revision = ")
            .value(Value::text(revision));
        sql.finish()
    }

    /// Marks a running (or repaired) revision applied, with the checksum of
    /// the statements that ran.
    pub fn update_applied(
        &self,
        revision: &str,
        execution_ms: i64,
        statements_run: u32,
        progress_checksum: Option<Checksum>,
        binding: Binding,
    ) -> Sql {
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push(&format!("UPDATE {} SET state = ", self.qualified_name()))
            .value(Value::text(RowState::Applied.as_str()))
            .push(", direction = ")
            .value(Value::text(RowDirection::Up.as_str()))
            .push(", execution_ms = ")
            .value(Value::integer(execution_ms))
            .push(", statements_run = ")
            .value(Value::integer(i64::from(statements_run)))
            .push(", progress_checksum = ")
            .value(Value::Text(progress_checksum.map(|c| c.to_hex())))
            .push(", failed_statement = NULL, failed_line = NULL, error = NULL WHERE revision = ")
            .value(Value::text(revision));
        sql.finish()
    }

    /// Marks an applied revision as being reverted outside a transaction.
    pub fn update_reverting(&self, revision: &str, binding: Binding) -> Sql {
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push(&format!("UPDATE {} SET state = ", self.qualified_name()))
            .value(Value::text(RowState::Running.as_str()))
            .push(", direction = ")
            .value(Value::text(RowDirection::Down.as_str()))
            .push(", statements_run = 0, progress_checksum = NULL WHERE revision = ")
            .value(Value::text(revision));
        sql.finish()
    }

    /// Accepts the file's current checksums for an applied revision (repair).
    pub fn update_checksums(&self, revision: &Revision, binding: Binding) -> Sql {
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push(&format!("UPDATE {} SET checksum = ", self.qualified_name()))
            .value(Value::text(revision.checksum.to_hex()))
            .push(", down_checksum = ")
            .value(Value::Text(revision.down_checksum().map(|c| c.to_hex())))
            .push(" WHERE revision = ")
            .value(Value::text(&revision.id));
        sql.finish()
    }

    /// Removes a revision's row (reverted, stamped down, or cleared by repair).
    pub fn delete(&self, revision: &str, binding: Binding) -> Sql {
        let mut sql = SqlBuilder::new(self.dialect, binding);
        sql.push(&format!(
            "DELETE FROM {} WHERE revision = ",
            self.qualified_name()
        ))
        .value(Value::text(revision));
        sql.finish()
    }
}

impl StateRow {
    /// Decodes a row selected by [`StateTable::select_rows`].
    pub fn from_values(values: &[Value]) -> Option<StateRow> {
        let text = |index: usize| values.get(index).and_then(Value::as_text);
        let integer = |index: usize| values.get(index).and_then(Value::as_integer);
        let count = |index: usize| integer(index).and_then(|value| u32::try_from(value).ok());
        let checksum = |index: usize| text(index).and_then(|hex| hex.trim().parse().ok());
        let state = match text(3)?.as_str() {
            "applied" => RowState::Applied,
            "running" => RowState::Running,
            _ => RowState::Failed,
        };
        let direction = match text(4).as_deref() {
            Some("down") => RowDirection::Down,
            _ => RowDirection::Up,
        };
        Some(StateRow {
            revision: text(0)?,
            checksum: checksum(1),
            down_checksum: checksum(2),
            state,
            direction,
            message: text(5).unwrap_or_default(),
            path: text(6).unwrap_or_default(),
            statements_run: count(7).unwrap_or(0),
            progress_checksum: checksum(8),
            failed_statement: count(9),
            failed_line: count(10),
            error: text(11),
            applied_by: text(12).unwrap_or_default(),
            applied_at: text(13).unwrap_or_default(),
            execution_ms: integer(14).unwrap_or(0),
        })
    }
}

fn check_name(what: &'static str, name: &str, dialect: Dialect) -> Result<(), InvalidTableName> {
    let invalid = |reason| {
        Err(InvalidTableName {
            what,
            name: name.to_owned(),
            reason,
        })
    };
    let (limit, too_long) = dialect.profile().name_limit();
    if name.is_empty() {
        invalid("it is empty")
    } else if name.chars().any(char::is_control) {
        invalid("control characters are not allowed")
    } else if name.len() > limit {
        invalid(too_long)
    } else {
        Ok(())
    }
}
