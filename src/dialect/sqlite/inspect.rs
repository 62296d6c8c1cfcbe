//! Reads a SQLite database's schema: tables from `sqlite_schema` and the
//! `pragma_table_xinfo` / `pragma_index_list` / `pragma_foreign_key_list`
//! functions; what lives only in a table's text (CHECKs, COLLATE,
//! generation expressions, AUTOINCREMENT) from that text (`table_sql`).

use std::collections::BTreeMap;

use super::table_sql::{self, normalize};
use crate::backend::{Backend, DbError};
use crate::dialect::Dialect;
use crate::schema::catalog::{non_empty, rows};
use crate::schema::{Column, Constraint, ConstraintKind, Index, Schema, Table, Trigger, View};
use crate::state_table::StateTable;

/// Reads the schema; `state_table` is left out.
pub(super) fn inspect(
    backend: &mut dyn Backend,
    state_table: &StateTable,
) -> Result<Schema, DbError> {
    let quote = |text: &str| Dialect::Sqlite.quote_literal(text);
    let mut schema = Schema::default();
    let objects = rows(
        backend,
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql IS NOT NULL",
    )?;
    let virtual_tables: Vec<&str> = objects
        .iter()
        .filter(|row| {
            row[0] == "table"
                && row[3]
                    .trim_start()
                    .to_ascii_uppercase()
                    .starts_with("CREATE VIRTUAL")
        })
        .map(|row| row[1].as_str())
        .collect();
    // A virtual table's shadow tables are named `<table>_<suffix>`.
    let is_shadow = |name: &str| {
        virtual_tables.iter().any(|table| {
            name.len() > table.len()
                && name.starts_with(table)
                && name[table.len()..].starts_with('_')
        })
    };
    for row in &objects {
        let (kind, name, table, sql) = (&row[0], &row[1], &row[2], &row[3]);
        if name.eq_ignore_ascii_case(state_table.name())
            || table.eq_ignore_ascii_case(state_table.name())
        {
            continue;
        }
        match kind.as_str() {
            "table" if virtual_tables.contains(&name.as_str()) => {
                schema.not_compared.push(format!("virtual table {name}"));
            }
            "table" if is_shadow(name) => {}
            "table" => schema.tables.push(read_table(backend, name, sql)?),
            "index" => {}
            "view" => schema.views.push(View {
                schema: None,
                name: name.clone(),
                definition: normalize(sql),
            }),
            "trigger" => schema.triggers.push(Trigger {
                schema: None,
                table: table.clone(),
                name: name.clone(),
                definition: normalize(sql),
            }),
            _ => {}
        }
    }
    // Explicit indexes (those with text); constraint indexes come with their table.
    for row in &objects {
        if row[0] != "index" {
            continue;
        }
        if let Some(table) = schema
            .tables
            .iter_mut()
            .find(|table| table.name.eq_ignore_ascii_case(&row[2]))
        {
            let unique = rows(
                backend,
                &format!(
                    "SELECT \"unique\" FROM pragma_index_list({}) WHERE name = {}",
                    quote(&row[2]),
                    quote(&row[1])
                ),
            )?
            .first()
            .is_some_and(|row| row[0] == "1");
            table.indexes.push(Index {
                name: row[1].clone(),
                unique,
                definition: normalize(&row[3]),
            });
        }
    }
    Ok(schema)
}

fn read_table(backend: &mut dyn Backend, name: &str, sql: &str) -> Result<Table, DbError> {
    let quote = |text: &str| Dialect::Sqlite.quote_literal(text);
    let items = table_sql::items(sql);
    let item_of = |column: &str| {
        items.iter().find(|item| {
            item.column_name()
                .is_some_and(|name| name.eq_ignore_ascii_case(column))
        })
    };
    let mut table = Table {
        schema: None,
        name: name.to_owned(),
        columns: Vec::new(),
        constraints: Vec::new(),
        indexes: Vec::new(),
        options: table_options(sql),
    };
    let mut primary_key: Vec<(u32, String)> = Vec::new();
    for row in rows(
        backend,
        &format!(
            "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo({}) ORDER BY cid",
            quote(name)
        ),
    )? {
        let item = item_of(&row[0]);
        let generated = matches!(row[5].as_str(), "2" | "3");
        if let Some(position) = row[4].parse::<u32>().ok().filter(|&position| position > 0) {
            primary_key.push((position, row[0].clone()));
        }
        table.columns.push(Column {
            name: row[0].clone(),
            data_type: row[1].clone(),
            nullable: row[2] != "1",
            default: non_empty(&row[3]).map(|default| normalize(&default)),
            identity: item
                .filter(|item| item.autoincrement())
                .map(|_| String::from("AUTOINCREMENT")),
            generated: if generated {
                item.and_then(table_sql::Item::generated)
            } else {
                None
            },
            collation: item.and_then(table_sql::Item::collation),
        });
    }
    primary_key.sort();
    if !primary_key.is_empty() {
        let columns: Vec<String> = primary_key
            .iter()
            .map(|(_, column)| Dialect::Sqlite.quote_identifier(column))
            .collect();
        table.constraints.push(Constraint {
            kind: ConstraintKind::PrimaryKey,
            name: String::new(),
            definition: format!("PRIMARY KEY ({})", columns.join(", ")),
            references: None,
        });
    }
    for unique in rows(
        backend,
        &format!(
            "SELECT name FROM pragma_index_list({}) WHERE origin = 'u'",
            quote(name)
        ),
    )? {
        let columns: Vec<String> = rows(
            backend,
            &format!(
                "SELECT name FROM pragma_index_info({}) ORDER BY seqno",
                quote(&unique[0])
            ),
        )?
        .into_iter()
        .map(|row| Dialect::Sqlite.quote_identifier(&row[0]))
        .collect();
        table.constraints.push(Constraint {
            kind: ConstraintKind::Unique,
            name: String::new(),
            definition: format!("UNIQUE ({})", columns.join(", ")),
            references: None,
        });
    }
    for item in &items {
        for (name, definition) in item.checks() {
            table.constraints.push(Constraint {
                kind: ConstraintKind::Check,
                name,
                definition,
                references: None,
            });
        }
    }
    let mut keys: BTreeMap<u32, Vec<Vec<String>>> = BTreeMap::new();
    for row in rows(
        backend,
        &format!(
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list({}) ORDER BY id, seq",
            quote(name)
        ),
    )? {
        keys.entry(row[0].parse().unwrap_or_default())
            .or_default()
            .push(row);
    }
    for key in keys.values() {
        let parent = &key[0][2];
        let from: Vec<String> = key
            .iter()
            .map(|row| Dialect::Sqlite.quote_identifier(&row[3]))
            .collect();
        // `REFERENCES p` without columns means p's primary key.
        let to: Vec<String> = if key.iter().all(|row| row[4].is_empty()) {
            rows(
                backend,
                &format!(
                    "SELECT name FROM pragma_table_info({}) WHERE pk > 0 ORDER BY pk",
                    quote(parent)
                ),
            )?
            .into_iter()
            .map(|row| Dialect::Sqlite.quote_identifier(&row[0]))
            .collect()
        } else {
            key.iter()
                .map(|row| Dialect::Sqlite.quote_identifier(&row[4]))
                .collect()
        };
        let mut definition = format!(
            "FOREIGN KEY ({}) REFERENCES {} ({})",
            from.join(", "),
            Dialect::Sqlite.quote_identifier(parent),
            to.join(", ")
        );
        for (clause, action) in [("ON UPDATE", &key[0][5]), ("ON DELETE", &key[0][6])] {
            if action != "NO ACTION" {
                definition.push_str(&format!(" {clause} {action}"));
            }
        }
        table.constraints.push(Constraint {
            kind: ConstraintKind::ForeignKey,
            name: String::new(),
            definition,
            references: Some((None, parent.clone())),
        });
    }
    Ok(table)
}

/// `STRICT` and `WITHOUT ROWID`, from the text after the body.
fn table_options(sql: &str) -> Vec<String> {
    let tail = sql
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let mut options = Vec::new();
    if tail.contains("WITHOUT") {
        options.push(String::from("WITHOUT ROWID"));
    }
    if tail.contains("STRICT") {
        options.push(String::from("STRICT"));
    }
    options
}
