//! Reads a MySQL or MariaDB database's schema from `information_schema`
//! and `SHOW CREATE`, with the database's own name taken out of view text
//! (so the same view reads the same in any database), DEFINERs left out,
//! and MariaDB's JSON columns (LONGTEXT with a `json_valid` check) read back
//! as JSON.

use std::collections::BTreeMap;

use crate::backend::{Backend, DbError};
use crate::dialect::Dialect;
use crate::schema::catalog::{column, non_empty, rows};
use crate::schema::{
    Column, Constraint, ConstraintKind, Index, Routine, Schema, Table, Trigger, View,
};
use crate::state_table::StateTable;

/// Reads the schema; `state_table` is left out.
pub(super) fn inspect(
    backend: &mut dyn Backend,
    state_table: &StateTable,
) -> Result<Schema, DbError> {
    let quote = |name: &str| Dialect::Mysql.quote_identifier(name);
    let database = column(backend, "SELECT DATABASE()")?
        .pop()
        .unwrap_or_default();
    let mariadb = column(backend, "SELECT VERSION()")?
        .pop()
        .is_some_and(|version| version.contains("MariaDB"));
    let default_collation = column(
        backend,
        "SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()",
    )?
    .pop()
    .unwrap_or_default();
    let mut schema = Schema::default();

    let mut tables: BTreeMap<String, (Table, String)> = BTreeMap::new();
    for row in rows(
        backend,
        "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
    )? {
        if row[0] == state_table.name() {
            continue;
        }
        let mut options = vec![format!("ENGINE={}", row[1])];
        if row[2] != default_collation {
            options.push(format!("COLLATE={}", row[2]));
        }
        tables.insert(
            row[0].clone(),
            (
                Table {
                    schema: None,
                    name: row[0].clone(),
                    columns: Vec::new(),
                    constraints: Vec::new(),
                    indexes: Vec::new(),
                    options,
                },
                row[2].clone(),
            ),
        );
    }

    for row in rows(
        backend,
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION",
    )? {
        let Some((table, table_collation)) = tables.get_mut(&row[0]) else {
            continue;
        };
        let extra = row[5].to_ascii_lowercase();
        let generated = (extra.contains("generated") && !extra.contains("default_generated"))
            .then(|| {
                format!(
                    "GENERATED ALWAYS AS ({}) {}",
                    row[6],
                    if extra.contains("stored") { "STORED" } else { "VIRTUAL" }
                )
            });
        let mut default = if generated.is_some() {
            None
        } else {
            default_clause(&row[4], &extra, &row[2], mariadb)
        };
        if let Some(on_update) = extra
            .find("on update ")
            .map(|at| row[5][at..].trim().to_owned())
        {
            default = Some(format!("{} {on_update}", default.unwrap_or_default()).trim().to_owned());
        }
        table.columns.push(Column {
            name: row[1].clone(),
            data_type: row[2].clone(),
            nullable: row[3] == "YES",
            default,
            identity: extra
                .contains("auto_increment")
                .then(|| String::from("AUTO_INCREMENT")),
            generated,
            collation: non_empty(&row[7]).filter(|collation| collation != table_collation),
        });
    }

    // Primary keys and unique constraints, with their columns in order.
    let mut keys: BTreeMap<(String, String), (String, Vec<String>)> = BTreeMap::new();
    for row in rows(
        backend,
        "SELECT c.TABLE_NAME, c.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, k.COLUMN_NAME
         FROM information_schema.TABLE_CONSTRAINTS c
         JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.CONSTRAINT_NAME = c.CONSTRAINT_NAME
         WHERE c.CONSTRAINT_SCHEMA = DATABASE() AND c.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE')
         ORDER BY c.TABLE_NAME, c.CONSTRAINT_NAME, k.ORDINAL_POSITION",
    )? {
        keys.entry((row[0].clone(), row[1].clone()))
            .or_insert_with(|| (row[2].clone(), Vec::new()))
            .1
            .push(quote(&row[3]));
    }
    let mut constraint_indexes: Vec<(String, String)> = Vec::new();
    for ((table_name, name), (kind, columns)) in keys {
        let Some((table, _)) = tables.get_mut(&table_name) else {
            continue;
        };
        let (kind, word) = if kind == "PRIMARY KEY" {
            (ConstraintKind::PrimaryKey, "PRIMARY KEY")
        } else {
            (ConstraintKind::Unique, "UNIQUE")
        };
        table.constraints.push(Constraint {
            kind,
            name: name.clone(),
            definition: format!("{word} ({})", columns.join(", ")),
            references: None,
        });
        constraint_indexes.push((table_name, name));
    }

    let checks = if mariadb {
        "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
    } else {
        "SELECT t.TABLE_NAME, t.CONSTRAINT_NAME, c.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS t JOIN information_schema.CHECK_CONSTRAINTS c ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME WHERE t.CONSTRAINT_SCHEMA = DATABASE() AND t.CONSTRAINT_TYPE = 'CHECK'"
    };
    for row in rows(backend, checks)? {
        let Some((table, _)) = tables.get_mut(&row[0]) else {
            continue;
        };
        // MariaDB's JSON is LONGTEXT with this check, named after the column.
        let json = format!("json_valid({})", quote(&row[1]));
        let json_column = table
            .columns
            .iter_mut()
            .find(|column| column.name == row[1] && column.data_type == "longtext")
            .filter(|_| mariadb && row[2] == json);
        if let Some(column) = json_column {
            column.data_type = String::from("json");
            // Its binary collation comes with the type.
            column.collation = None;
            continue;
        }
        table.constraints.push(Constraint {
            kind: ConstraintKind::Check,
            name: row[1].clone(),
            definition: format!("CHECK ({})", row[2]),
            references: None,
        });
    }

    let mut foreign: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for row in rows(
        backend,
        "SELECT r.TABLE_NAME, r.CONSTRAINT_NAME, r.REFERENCED_TABLE_NAME, r.UPDATE_RULE, r.DELETE_RULE, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME
         FROM information_schema.REFERENTIAL_CONSTRAINTS r
         JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.TABLE_NAME = r.TABLE_NAME AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME
         WHERE r.CONSTRAINT_SCHEMA = DATABASE()
         ORDER BY r.TABLE_NAME, r.CONSTRAINT_NAME, k.ORDINAL_POSITION",
    )? {
        let entry = foreign
            .entry((row[0].clone(), row[1].clone()))
            .or_insert_with(|| ForeignKey {
                parent: row[2].clone(),
                on_update: row[3].clone(),
                on_delete: row[4].clone(),
                from: Vec::new(),
                to: Vec::new(),
            });
        entry.from.push(quote(&row[5]));
        entry.to.push(quote(&row[6]));
    }
    for ((table_name, name), key) in foreign {
        let ForeignKey {
            parent,
            on_update,
            on_delete,
            from,
            to,
        } = key;
        let Some((table, _)) = tables.get_mut(&table_name) else {
            continue;
        };
        table.constraints.push(Constraint {
            kind: ConstraintKind::ForeignKey,
            name,
            definition: format!(
                "FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {on_delete} ON UPDATE {on_update}",
                from.join(", "),
                quote(&parent),
                to.join(", ")
            ),
            references: Some((None, parent)),
        });
    }

    let mut indexes: BTreeMap<(String, String), (bool, String, Vec<String>)> = BTreeMap::new();
    for row in rows(
        backend,
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, COLLATION
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
    )? {
        if constraint_indexes.contains(&(row[0].clone(), row[1].clone())) {
            continue;
        }
        let mut part = quote(&row[3]);
        if !row[4].is_empty() {
            part.push_str(&format!("({})", row[4]));
        }
        if row[6] == "D" {
            part.push_str(" DESC");
        }
        indexes
            .entry((row[0].clone(), row[1].clone()))
            .or_insert_with(|| (row[2] == "0", row[5].clone(), Vec::new()))
            .2
            .push(part);
    }
    for ((table_name, name), (unique, kind, parts)) in indexes {
        let Some((table, _)) = tables.get_mut(&table_name) else {
            continue;
        };
        let prefix = match kind.as_str() {
            "FULLTEXT" => "FULLTEXT ",
            "SPATIAL" => "SPATIAL ",
            _ if unique => "UNIQUE ",
            _ => "",
        };
        table.indexes.push(Index {
            name: name.clone(),
            unique,
            definition: format!(
                "CREATE {prefix}INDEX {} ON {} ({})",
                quote(&name),
                quote(&table_name),
                parts.join(", ")
            ),
        });
    }
    schema.tables = tables.into_values().map(|(table, _)| table).collect();

    let own_name = format!("{}.", quote(&database));
    schema.views = rows(
        backend,
        "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()",
    )?
    .into_iter()
    .map(|row| View {
        schema: None,
        name: row[0].clone(),
        definition: row[1].replace(&own_name, ""),
    })
    .collect();

    for row in rows(
        backend,
        "SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
    )? {
        let created = rows(
            backend,
            &format!("SHOW CREATE {} {}", row[0], quote(&row[1])),
        )?;
        let definition = created
            .first()
            .and_then(|created| created.get(2))
            .map(|text| without_definer(text))
            .unwrap_or_default();
        schema.routines.push(Routine {
            schema: None,
            name: row[1].clone(),
            arguments: row[0].clone(),
            definition,
        });
    }

    schema.triggers = rows(
        backend,
        "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
         FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
    )?
    .into_iter()
    .map(|row| Trigger {
        schema: None,
        table: row[0].clone(),
        name: row[1].clone(),
        definition: format!(
            "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}",
            quote(&row[1]),
            row[2],
            row[3],
            quote(&row[0]),
            row[4]
        ),
    })
    .collect();

    schema.not_compared = column(
        backend,
        "SELECT CONCAT('event ', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()",
    )?;
    Ok(schema)
}

/// A foreign key as its rows add up.
struct ForeignKey {
    parent: String,
    on_update: String,
    on_delete: String,
    from: Vec<String>,
    to: Vec<String>,
}

/// A column's `DEFAULT` clause body: MariaDB reports an expression (quoted
/// literals, `NULL` for `DEFAULT NULL`); MySQL a value, quoted here unless
/// it is an expression (`DEFAULT_GENERATED`) or a number on a numeric column.
fn default_clause(default: &str, extra: &str, data_type: &str, mariadb: bool) -> Option<String> {
    if default.is_empty() || default == "NULL" {
        return None;
    }
    if mariadb {
        return Some(default.to_owned());
    }
    let numeric = ["int", "decimal", "float", "double", "bit"]
        .iter()
        .any(|kind| data_type.contains(kind));
    if extra.contains("default_generated") {
        Some(format!("({default})"))
    } else if numeric || default.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
        Some(default.to_owned())
    } else {
        Some(Dialect::Mysql.quote_literal(default))
    }
}

/// `CREATE DEFINER=`u`@`h` PROCEDURE ...` without the `DEFINER=...` part.
fn without_definer(text: &str) -> String {
    let Some(at) = text.find("DEFINER=") else {
        return text.to_owned();
    };
    let rest = &text[at..];
    // The definer is `user`@`host`: up to the first space outside backticks.
    let mut in_quotes = false;
    let end = rest
        .char_indices()
        .find(|&(_, c)| {
            if c == '`' {
                in_quotes = !in_quotes;
            }
            c == ' ' && !in_quotes
        })
        .map_or(rest.len(), |(index, _)| index);
    format!("{}{}", &text[..at], rest[end..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definers_are_left_out() {
        assert_eq!(
            without_definer("CREATE DEFINER=`root`@`local host` PROCEDURE `p`()\nBEGIN END"),
            "CREATE PROCEDURE `p`()\nBEGIN END"
        );
        assert_eq!(
            without_definer("CREATE FUNCTION f()"),
            "CREATE FUNCTION f()"
        );
    }

    #[test]
    fn defaults_read_the_same_from_mysql_and_mariadb() {
        assert_eq!(
            default_clause("'x'", "", "varchar(5)", true).as_deref(),
            Some("'x'")
        );
        assert_eq!(default_clause("NULL", "", "varchar(5)", true), None);
        assert_eq!(default_clause("", "", "int(11)", true), None);
        assert_eq!(
            default_clause("x", "", "varchar(5)", false).as_deref(),
            Some("'x'")
        );
        assert_eq!(default_clause("0", "", "int", false).as_deref(), Some("0"));
        assert_eq!(
            default_clause("uuid()", "default_generated", "char(36)", false).as_deref(),
            Some("(uuid())")
        );
    }
}
