//! PostgreSQL's lint rules: which statements take which lock, and which
//! rewrite or scan the table (docs/SCHEMA-DESIGN §6's lock table).

use sqlparser::dialect::PostgreSqlDialect;

use crate::lint::statement::{Action, ConstraintKind, Generated, Kind, NewColumn};
use crate::lint::{Context, Hit, classify};

/// Classifies a PostgreSQL statement.
pub(super) fn classify_statement(sql: &str) -> Kind {
    classify(&PostgreSqlDialect {}, sql)
}

/// Functions whose value changes per row: a default calling one rewrites the table.
const VOLATILE: [&str; 9] = [
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "clock_timestamp",
    "timeofday",
    "nextval",
];

/// PostgreSQL's findings on one statement.
pub(super) fn lint(context: &mut Context<'_>, kind: &Kind, hits: &mut Vec<Hit>) {
    let transactional = context.revision.transactional;
    match kind {
        Kind::CreateIndex {
            table,
            concurrently,
        } => {
            if *concurrently && transactional {
                hits.push(in_transaction("CREATE INDEX CONCURRENTLY"));
            }
            if !concurrently && !context.created(table) {
                hits.push(Hit::new(
                    "create-index-blocking",
                    format!("CREATE INDEX takes a SHARE lock on {table} for the whole build: every INSERT, UPDATE and DELETE on it waits, for as long as reading and sorting the whole table takes"),
                ));
            }
        }
        Kind::Concurrently { .. } if transactional => {
            hits.push(in_transaction("this CONCURRENTLY statement"));
        }
        Kind::AlterTable { table, actions } if !context.created(table) => {
            for action in actions {
                alter_action(context, table, action, hits);
            }
            if takes_access_exclusive(actions) {
                missing_lock_timeout(context, &format!("ALTER TABLE {table}"), hits);
            }
        }
        Kind::DropTable { tables } if tables.iter().any(|t| !context.created(t)) => {
            missing_lock_timeout(context, "DROP TABLE", hits);
        }
        Kind::Truncate { .. } => missing_lock_timeout(context, "TRUNCATE", hits),
        _ => {}
    }
}

fn in_transaction(what: &str) -> Hit {
    Hit::new(
        "concurrently-in-transaction",
        format!(
            "{what} cannot run inside a transaction block: PostgreSQL refuses it and the revision fails, because the revision has no `-- transaction: false`"
        ),
    )
}

fn alter_action(context: &Context<'_>, table: &str, action: &Action, hits: &mut Vec<Hit>) {
    match action {
        Action::AddColumn(column) => {
            if let Some(why) = rewrite_reason(column) {
                hits.push(Hit::new(
                    "add-column-rewrite",
                    format!("adding column {} {why}: the whole of {table} is rewritten under an ACCESS EXCLUSIVE lock, blocking reads and writes for as long as copying the table takes", column.name),
                ));
            }
        }
        Action::ColumnType { column, new_type } => hits.push(Hit::new(
            "alter-column-type",
            format!("changing {table}.{column} to {new_type} rewrites {table} and its indexes under an ACCESS EXCLUSIVE lock (unless the old type is binary-compatible): no reads or writes for as long as the copy takes"),
        )),
        Action::SetNotNull { column }
            if !context
                .known
                .not_null
                .contains(&(table.to_owned(), column.clone())) =>
        {
            hits.push(Hit::new(
                "set-not-null-scan",
                format!("SET NOT NULL on {table}.{column} scans the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes for the scan, because no validated CHECK ({column} IS NOT NULL) proves it first"),
            ));
        }
        Action::AddConstraint(constraint) => match &constraint.kind {
            ConstraintKind::ForeignKey { references } if !constraint.not_valid => hits.push(Hit::new(
                "constraint-not-valid",
                format!("adding a foreign key to {table} without NOT VALID scans {table} under a SHARE ROW EXCLUSIVE lock on both {table} and {references}: writes to both wait for the whole scan"),
            )),
            ConstraintKind::Check { .. } if !constraint.not_valid => hits.push(Hit::new(
                "constraint-not-valid",
                format!("adding a CHECK constraint to {table} without NOT VALID scans the whole table under an ACCESS EXCLUSIVE lock: no reads or writes for the scan"),
            )),
            ConstraintKind::Unique | ConstraintKind::PrimaryKey if !constraint.using_index => hits.push(Hit::new(
                "unique-without-index",
                format!("adding a {} constraint to {table} builds a unique index under an ACCESS EXCLUSIVE lock: no reads or writes for the whole build", if constraint.kind == ConstraintKind::Unique { "UNIQUE" } else { "PRIMARY KEY" }),
            )),
            _ => {}
        },
        _ => {}
    }
}

/// Why adding `column` rewrites the table, if it does.
fn rewrite_reason(column: &NewColumn) -> Option<String> {
    if column.generated == Some(Generated::Stored) {
        return Some(String::from("as a stored generated column"));
    }
    if column.identity {
        return Some(String::from("as an identity or serial column"));
    }
    let default = column.default.as_ref()?;
    default
        .functions
        .iter()
        .find(|name| VOLATILE.contains(&name.as_str()))
        .map(|name| format!("with the volatile default {name}()"))
}

/// Whether an `ALTER TABLE` with these actions takes an ACCESS EXCLUSIVE
/// lock: everything but adding a foreign key (SHARE ROW EXCLUSIVE) and
/// validating a constraint (SHARE UPDATE EXCLUSIVE).
fn takes_access_exclusive(actions: &[Action]) -> bool {
    actions.iter().any(|action| match action {
        Action::ValidateConstraint { .. } => false,
        Action::AddConstraint(constraint) => {
            !matches!(constraint.kind, ConstraintKind::ForeignKey { .. })
        }
        _ => true,
    })
}

fn missing_lock_timeout(context: &mut Context<'_>, what: &str, hits: &mut Vec<Hit>) {
    if context.lock_timeout || context.lock_timeout_reported {
        return;
    }
    context.lock_timeout_reported = true;
    hits.push(Hit::new(
        "missing-lock-timeout",
        format!("{what} waits for an ACCESS EXCLUSIVE lock behind every running query on the table, and every new query queues behind it: without lock_timeout a single long query blocks all traffic to the table"),
    ));
}
