//! The rules every dialect shares: `drop-data`, `rename-breaks-clients`
//! and `not-analysed` (`empty-down` is [`Revision::empty_down`](crate::revision::Revision::empty_down)).

use super::statement::{Action, Kind};
use super::{Context, Hit};

/// The shared rules' findings on one statement.
pub(crate) fn lint(context: &Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
    match kind {
        Kind::DropTable { tables } => {
            for table in tables.iter().filter(|t| !context.created(t)) {
                hits.push(Hit::new(
                    "drop-data",
                    format!("DROP TABLE {table} deletes the table and every row in it for good; clients still reading it fail from this moment"),
                ));
            }
        }
        Kind::Truncate { tables } => hits.push(Hit::new(
            "drop-data",
            format!("TRUNCATE {} deletes every row for good", tables.join(", ")),
        )),
        Kind::Delete {
            table,
            filtered: false,
        } if !context.created(table) => hits.push(Hit::new(
            "drop-data",
            format!("DELETE without WHERE deletes every row of {table}, in one long transaction that locks each row and bloats the table"),
        )),
        Kind::RenameTable { tables } => hits.push(Hit::new(
            "rename-breaks-clients",
            format!("renaming {} breaks every query of the application version still running during the deploy", tables.join(", ")),
        )),
        Kind::AlterTable { table, actions } if !context.created(table) => {
            for action in actions {
                match action {
                    Action::DropColumn { columns } => hits.push(Hit::new(
                        "drop-data",
                        format!("DROP COLUMN {}.{} deletes the column's data for good; clients still selecting it fail from this moment", table, columns.join(", ")),
                    )),
                    Action::RenameColumn { column } => hits.push(Hit::new(
                        "rename-breaks-clients",
                        format!("renaming column {table}.{column} breaks every query of the application version still running during the deploy"),
                    )),
                    Action::RenameTable => hits.push(Hit::new(
                        "rename-breaks-clients",
                        format!("renaming table {table} breaks every query of the application version still running during the deploy"),
                    )),
                    _ => {}
                }
            }
        }
        Kind::NotAnalysed => hits.push(Hit::new(
            "not-analysed",
            String::from("statement not analysed: neither the SQL parser nor its leading words say what it does, so it may take any lock"),
        )),
        _ => {}
    }
}
