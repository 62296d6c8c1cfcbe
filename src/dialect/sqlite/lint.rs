//! SQLite's lint rules: the `ALTER TABLE` forms it does not support, and
//! `PRAGMA foreign_keys` where it is ignored.

use sqlparser::dialect::SQLiteDialect;

use crate::lint::statement::{Action, Generated, Kind, NewColumn};
use crate::lint::{Context, Hit, classify};

/// Classifies a SQLite statement.
pub(super) fn classify_statement(sql: &str) -> Kind {
    classify(&SQLiteDialect {}, sql)
}

/// SQLite's findings on one statement.
pub(super) fn lint(context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
    match kind {
        Kind::Pragma { name } if name == "foreign_keys" && context.revision.transactional => {
            hits.push(Hit::new(
                "pragma-in-transaction",
                String::from("PRAGMA foreign_keys does nothing inside a transaction, and this revision runs in one: foreign key enforcement stays as it was"),
            ));
        }
        Kind::AlterTable { table, actions } => {
            for action in actions {
                if let Some(why) = unsupported(action) {
                    hits.push(Hit::new(
                        "sqlite-unsupported-alter",
                        format!("SQLite cannot {why} with ALTER TABLE {table}: the revision fails when it runs"),
                    ));
                }
            }
        }
        _ => {}
    }
}

/// What SQLite's `ALTER TABLE` cannot do in `action`, if anything.
fn unsupported(action: &Action) -> Option<String> {
    match action {
        Action::AddColumn(column) => {
            add_column_problem(column).map(|why| format!("add column {} {why}", column.name))
        }
        Action::DropColumn { .. } | Action::RenameColumn { .. } | Action::RenameTable => None,
        Action::ColumnType { column, .. } => Some(format!("change the type of column {column}")),
        Action::SetNotNull { column } => Some(format!("make column {column} NOT NULL")),
        Action::ColumnCatalog => Some(String::from("change a column's default or nullability")),
        Action::AddConstraint(_) => Some(String::from("add a constraint")),
        Action::ValidateConstraint { .. } => Some(String::from("validate a constraint")),
        Action::Other { what } => Some(format!("do `{what}`")),
    }
}

fn add_column_problem(column: &NewColumn) -> Option<&'static str> {
    if column.unique {
        return Some("as PRIMARY KEY or UNIQUE");
    }
    if column.generated == Some(Generated::Stored) {
        return Some("as a STORED generated column");
    }
    match &column.default {
        Some(default) if !default.constant => Some("with a non-constant default"),
        None if column.not_null => Some("NOT NULL without a default"),
        _ => None,
    }
}
