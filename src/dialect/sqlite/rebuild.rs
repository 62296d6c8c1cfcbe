//! Table changes on SQLite: `ALTER TABLE ... ADD COLUMN` where it can, and
//! otherwise the rebuild SQLite documents (create the new table, copy the
//! rows, drop the old one, rename), with foreign keys turned off around it
//! and checked before they are turned back on. The differ then recreates
//! the table's indexes and triggers from the target schema.

use crate::dialect::Dialect;
use crate::schema::{Action, Change, Column, Table, column_renames};

/// The changes that turn `old` into `new`.
pub(super) fn alter(old: &Table, new: &Table) -> Vec<Change> {
    let appended_only = new.columns.len() >= old.columns.len()
        && new.columns[..old.columns.len()] == old.columns[..]
        && old.constraints == new.constraints
        && old.options == new.options;
    if appended_only && new.columns[old.columns.len()..].iter().all(addable) {
        return new.columns[old.columns.len()..]
            .iter()
            .map(|column| Change {
                kind: "column",
                object: format!("{}.{}", new.name, column.name),
                action: Action::Create,
                destructive: false,
                sql: vec![add_column(new, column)],
            })
            .collect();
    }
    vec![rebuild(old, new)]
}

/// `ALTER TABLE ... ADD COLUMN`.
pub(super) fn add_column(table: &Table, column: &Column) -> String {
    let mut single = Table {
        columns: vec![column.clone()],
        constraints: Vec::new(),
        ..table.clone()
    };
    single.name.clear();
    let created = super::render_table(&single);
    let clause = created
        .split_once("(\n    ")
        .and_then(|(_, rest)| rest.rsplit_once("\n)"))
        .map_or_else(String::new, |(clause, _)| clause.to_owned());
    format!(
        "ALTER TABLE {} ADD COLUMN {clause}",
        Dialect::Sqlite.quote_identifier(&table.name)
    )
}

/// Whether SQLite's `ADD COLUMN` can add `column`: not stored-generated,
/// a constant default, and a default if it is `NOT NULL`.
fn addable(column: &Column) -> bool {
    let stored = column
        .generated
        .as_deref()
        .is_some_and(|clause| clause.ends_with("STORED"));
    let constant = column.default.as_deref().is_none_or(|default| {
        !default.contains('(') && !default.to_ascii_uppercase().starts_with("CURRENT_")
    });
    let has_default = column
        .default
        .as_deref()
        .is_some_and(|default| default != "NULL");
    !stored && constant && (column.nullable || has_default || column.generated.is_some())
}

/// The rebuild of `old` as `new`. The revision must run outside a
/// transaction: `PRAGMA foreign_keys` is ignored inside one.
fn rebuild(old: &Table, new: &Table) -> Change {
    let quote = |name: &str| Dialect::Sqlite.quote_identifier(name);
    let name = quote(&new.name);
    let temporary_name = format!("sqlmig_new_{}", new.name);
    let temporary = quote(&temporary_name);
    let created = super::render_table(&Table {
        name: temporary_name.clone(),
        ..new.clone()
    });
    // Rows keep every column both tables have (generated ones excepted); a
    // column that becomes NOT NULL takes its default where it was NULL.
    let copied: Vec<(String, String)> = new
        .columns
        .iter()
        .filter(|column| column.generated.is_none())
        .filter_map(|column| {
            let previous = old
                .columns
                .iter()
                .find(|o| o.name == column.name && o.generated.is_none())?;
            let value = match (&column.default, previous.nullable && !column.nullable) {
                (Some(default), true) => format!("coalesce({}, {default})", quote(&column.name)),
                _ => quote(&column.name),
            };
            Some((quote(&column.name), value))
        })
        .collect();
    let (columns, values): (Vec<String>, Vec<String>) = copied.into_iter().unzip();
    let mut sql: Vec<String> = column_renames(old, new)
        .into_iter()
        .map(|(dropped, added)| {
            format!(
                "-- a rename cannot be told from a drop and an add: if {dropped} became {added}, write ALTER TABLE {name} RENAME COLUMN {} TO {} instead, which keeps its data",
                quote(&dropped),
                quote(&added)
            )
        })
        .collect();
    sql.extend([
        format!("-- rebuild {name}: SQLite cannot make this change with ALTER TABLE"),
        String::from("PRAGMA foreign_keys = OFF"),
        String::from("PRAGMA legacy_alter_table = ON"),
        created.trim_end_matches(';').to_owned(),
        format!(
            "INSERT INTO {temporary} ({}) SELECT {} FROM {name}",
            columns.join(", "),
            values.join(", ")
        ),
    ]);
    if new.columns.iter().any(|column| column.identity.is_some()) {
        sql.push(format!(
            "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = {}) WHERE name = {} AND EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {0})",
            Dialect::Sqlite.quote_literal(&old.name),
            Dialect::Sqlite.quote_literal(&temporary_name),
        ));
    }
    sql.extend([
        format!("DROP TABLE {name}"),
        format!("ALTER TABLE {temporary} RENAME TO {name}"),
        String::from("PRAGMA legacy_alter_table = OFF"),
        String::from("CREATE TEMP TABLE sqlmig_foreign_key_check (violations INTEGER NOT NULL CHECK (violations = 0))"),
        String::from("INSERT INTO sqlmig_foreign_key_check SELECT count(*) FROM pragma_foreign_key_check"),
        String::from("DROP TABLE sqlmig_foreign_key_check"),
        String::from("PRAGMA foreign_keys = ON"),
    ]);
    let dropped = old
        .columns
        .iter()
        .any(|column| !new.columns.iter().any(|n| n.name == column.name));
    let retyped = old.columns.iter().any(|column| {
        new.columns
            .iter()
            .any(|n| n.name == column.name && n.data_type != column.data_type)
    });
    Change {
        kind: "table rebuild",
        object: new.name.clone(),
        action: Action::Alter,
        destructive: dropped || retyped,
        sql,
    }
}
