//! MySQL and MariaDB's lint rules: what cannot be done INSTANT or in place
//! copies the table, and DDL commits implicitly.

use sqlparser::dialect::MySqlDialect;

use crate::lint::statement::{Action, Generated, Kind, NewColumn};
use crate::lint::{Context, Hit, classify};

/// Classifies a MySQL or MariaDB statement.
pub(super) fn classify_statement(sql: &str) -> Kind {
    classify(&MySqlDialect {}, sql)
}

/// MySQL's findings on one statement.
pub(super) fn lint(context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
    let mixes = (kind.is_ddl() && context.seen_dml) || (kind.is_dml() && context.seen_ddl);
    if mixes && !context.mixed_reported {
        context.mixed_reported = true;
        hits.push(Hit::new(
            "mixed-ddl-dml",
            String::from("this revision mixes DDL and DML: MySQL commits each DDL statement implicitly, so a failure part-way leaves the revision half applied"),
        ));
    }
    let Kind::AlterTable { table, actions } = kind else {
        return;
    };
    if context.created(table) {
        return;
    }
    for action in actions {
        match action {
            Action::AddColumn(column) => {
                if let Some(why) = copy_reason(column) {
                    hits.push(Hit::new(
                        "add-column-rewrite",
                        format!("adding column {} {why} cannot be done INSTANT or in place: {table} is copied row by row and writes to it wait for the copy, which grows with the table", column.name),
                    ));
                }
            }
            Action::ColumnType { column, new_type } => hits.push(Hit::new(
                "alter-column-type",
                format!("changing {table}.{column} to {new_type} copies {table} (ALGORITHM=COPY): writes to it wait for the whole copy, which grows with the table"),
            )),
            _ => {}
        }
    }
}

/// Why adding `column` copies the table, if it does.
fn copy_reason(column: &NewColumn) -> Option<&'static str> {
    if column.generated == Some(Generated::Stored) {
        return Some("as a stored generated column");
    }
    if column.identity {
        return Some("with AUTO_INCREMENT");
    }
    let default = column.default.as_ref()?;
    let only_now = default.functions.iter().all(|name| {
        matches!(
            name.as_str(),
            "current_timestamp" | "now" | "localtimestamp"
        )
    });
    (!default.constant && !only_now).then_some("with an expression default")
}
