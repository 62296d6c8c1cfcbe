//! The canonical dump: the schema as one DDL script, objects in a fixed
//! order (by kind in the dialect's order, then by schema and name; a view
//! after the views it reads), one statement per object, so two databases
//! with the same schema print the same bytes.

use std::fmt::Write as _;

use super::model::{Column, ConstraintKind, Schema, Table, View};
use crate::dialect::Dialect;

/// A kind of object in a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DumpKind {
    /// `CREATE SCHEMA`.
    Schemas,
    /// `CREATE EXTENSION`.
    Extensions,
    /// `CREATE TYPE ... AS ENUM`.
    Enums,
    /// `CREATE SEQUENCE`.
    Sequences,
    /// Functions and procedures.
    Routines,
    /// `CREATE TABLE`.
    Tables,
    /// `ALTER SEQUENCE ... OWNED BY`.
    SequenceOwners,
    /// `CREATE INDEX`.
    Indexes,
    /// `CREATE VIEW`.
    Views,
    /// Foreign keys, after every table.
    ForeignKeys,
    /// `CREATE TRIGGER`.
    Triggers,
    /// `COMMENT ON`.
    Comments,
}

/// `schema` as a canonical DDL script for `dialect`.
pub fn dump(schema: &Schema, dialect: Dialect) -> String {
    let profile = dialect.profile();
    let quote = |name: &str| dialect.quote_identifier(name);
    let qualified = |schema: Option<&str>, name: &str| match schema {
        Some(schema) => format!("{}.{}", quote(schema), quote(name)),
        None => quote(name),
    };
    let mut statements: Vec<String> = profile
        .dump_preamble()
        .iter()
        .map(|line| (*line).to_owned())
        .collect();
    for kind in profile.dump_order() {
        match kind {
            DumpKind::Schemas => {
                for name in &schema.schemas {
                    statements.push(format!("CREATE SCHEMA {};", quote(name)));
                }
            }
            DumpKind::Extensions => {
                for extension in &schema.extensions {
                    statements.push(format!(
                        "CREATE EXTENSION {} WITH SCHEMA {};",
                        quote(&extension.name),
                        quote(&extension.schema)
                    ));
                }
            }
            DumpKind::Enums => {
                for enumeration in &schema.enums {
                    let values: Vec<String> = enumeration
                        .values
                        .iter()
                        .map(|value| dialect.quote_literal(value))
                        .collect();
                    statements.push(format!(
                        "CREATE TYPE {} AS ENUM ({});",
                        qualified(Some(&enumeration.schema), &enumeration.name),
                        values.join(", ")
                    ));
                }
            }
            DumpKind::Sequences => {
                for sequence in &schema.sequences {
                    statements.push(format!(
                        "CREATE SEQUENCE {} AS {} START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {} CACHE {}{};",
                        qualified(Some(&sequence.schema), &sequence.name),
                        sequence.data_type,
                        sequence.start,
                        sequence.increment,
                        sequence.min,
                        sequence.max,
                        sequence.cache,
                        if sequence.cycle { " CYCLE" } else { "" }
                    ));
                }
            }
            DumpKind::SequenceOwners => {
                for sequence in &schema.sequences {
                    if let Some((owner_schema, table, column)) = &sequence.owned_by {
                        statements.push(format!(
                            "ALTER SEQUENCE {} OWNED BY {}.{};",
                            qualified(Some(&sequence.schema), &sequence.name),
                            qualified(Some(owner_schema), table),
                            quote(column)
                        ));
                    }
                }
            }
            DumpKind::Routines => {
                for routine in &schema.routines {
                    statements.push(format!("{};", routine.definition));
                }
            }
            DumpKind::Tables => {
                for table in &schema.tables {
                    statements.push(profile.render_table(table));
                }
            }
            DumpKind::Indexes => {
                for table in &schema.tables {
                    for index in &table.indexes {
                        statements.push(format!("{};", index.definition));
                    }
                }
            }
            DumpKind::Views => {
                for view in in_dependency_order(&schema.views) {
                    statements.push(profile.render_view(view));
                }
            }
            DumpKind::ForeignKeys => {
                for table in &schema.tables {
                    for constraint in &table.constraints {
                        if constraint.kind == ConstraintKind::ForeignKey {
                            statements.push(format!(
                                "ALTER TABLE {} ADD CONSTRAINT {} {};",
                                qualified(table.schema.as_deref(), &table.name),
                                quote(&constraint.name),
                                constraint.definition
                            ));
                        }
                    }
                }
            }
            DumpKind::Triggers => {
                for trigger in &schema.triggers {
                    statements.push(format!("{};", trigger.definition));
                }
            }
            DumpKind::Comments => {
                for comment in &schema.comments {
                    let target = match &comment.column {
                        Some(column) => format!(
                            "COLUMN {}.{}",
                            qualified(comment.schema.as_deref(), &comment.table),
                            quote(column)
                        ),
                        None => format!(
                            "TABLE {}",
                            qualified(comment.schema.as_deref(), &comment.table)
                        ),
                    };
                    statements.push(format!(
                        "COMMENT ON {target} IS {};",
                        dialect.quote_literal(&comment.text)
                    ));
                }
            }
        }
    }
    let mut text = statements.join("\n\n");
    if !text.is_empty() {
        text.push('\n');
    }
    for object in &schema.not_compared {
        let _ = writeln!(text, "-- not compared: {object}");
    }
    text
}

/// Views sorted by name, each moved after the views its definition names
/// (smallest ready name first), so a dump creates what a view reads first.
pub(crate) fn in_dependency_order(views: &[View]) -> Vec<&View> {
    let reads = |view: &View, other: &View| {
        !std::ptr::eq(view, other) && mentions(&view.definition, &other.name)
    };
    let mut ordered: Vec<&View> = Vec::with_capacity(views.len());
    let mut left: Vec<&View> = views.iter().collect();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|view| !left.iter().any(|other| reads(view, other)))
            // A cycle (only possible through a false mention): keep the order.
            .unwrap_or(0);
        ordered.push(left.remove(ready));
    }
    ordered
}

/// Whether `text` holds `name` as a whole word (case-insensitive).
pub(crate) fn mentions(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let lower = text.to_lowercase();
    let name = name.to_lowercase();
    lower.match_indices(&name).any(|(at, _)| {
        !lower[..at].chars().next_back().is_some_and(word)
            && !lower[at + name.len()..].chars().next().is_some_and(word)
    })
}

/// `schema.name` (or `name`) quoted for `dialect`.
pub(crate) fn qualified_name(dialect: Dialect, schema: Option<&str>, name: &str) -> String {
    match schema {
        Some(schema) => format!(
            "{}.{}",
            dialect.quote_identifier(schema),
            dialect.quote_identifier(name)
        ),
        None => dialect.quote_identifier(name),
    }
}

/// `"name" type [COLLATE c] [GENERATED ...] [identity] [DEFAULT d] [NOT NULL]`.
pub(crate) fn column_clause(dialect: Dialect, column: &Column) -> String {
    let mut clause = format!(
        "{} {}",
        dialect.quote_identifier(&column.name),
        column.data_type
    );
    if let Some(collation) = &column.collation {
        let _ = write!(clause, " COLLATE {collation}");
    }
    if let Some(generated) = &column.generated {
        let _ = write!(clause, " {generated}");
    }
    if let Some(identity) = &column.identity {
        let _ = write!(clause, " {identity}");
    }
    if let Some(default) = &column.default {
        let _ = write!(clause, " DEFAULT {default}");
    }
    if !column.nullable {
        clause.push_str(" NOT NULL");
    }
    clause
}

/// `CREATE TABLE` with the columns and the constraints other than foreign
/// keys (which come after every table), each named; `options` after the
/// closing parenthesis.
pub(crate) fn create_table(dialect: Dialect, table: &Table, options: &str) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|column| column_clause(dialect, column))
        .collect();
    for constraint in &table.constraints {
        if constraint.kind != ConstraintKind::ForeignKey {
            lines.push(format!(
                "CONSTRAINT {} {}",
                dialect.quote_identifier(&constraint.name),
                constraint.definition
            ));
        }
    }
    format!(
        "CREATE TABLE {} (\n    {}\n){options};",
        qualified_name(dialect, table.schema.as_deref(), &table.name),
        lines.join(",\n    ")
    )
}
