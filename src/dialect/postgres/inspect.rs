//! Reads a PostgreSQL catalog into the schema model, in one repeatable-read
//! transaction with the session pinned (`search_path = pg_catalog`, ISO
//! dates, UTC), as pg_dump does, so that the server prints every type,
//! default and definition the same way whatever the caller's settings:
//! names outside `pg_catalog` come out schema-qualified.

use std::collections::BTreeMap;

use crate::backend::{Backend, DbError};
use crate::schema::catalog::{column, non_empty, rows};
use crate::schema::{
    Column, Comment, Constraint, ConstraintKind, EnumType, Extension, Index, Routine, Schema,
    Sequence, Table, Trigger, View,
};
use crate::state_table::StateTable;

const PIN_SESSION: &[&str] = &[
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    "SET LOCAL search_path = pg_catalog",
    "SET LOCAL DateStyle = ISO",
    "SET LOCAL IntervalStyle = postgres",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL TimeZone = 'UTC'",
];

/// The namespaces that hold user objects.
const USER_NAMESPACES: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'";

/// Objects that belong to an extension are the extension's, not the schema's.
fn not_from_extension(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{class}'::regclass AND d.objid = {oid} AND d.deptype = 'e')"
    )
}

/// Reads the schema; `state_table` is left out.
pub(super) fn inspect(
    backend: &mut dyn Backend,
    state_table: &StateTable,
) -> Result<Schema, DbError> {
    for statement in PIN_SESSION {
        backend.execute(statement)?;
    }
    let result = read(backend, state_table);
    // Read-only: ending it either way changes nothing.
    let _ = backend.execute("ROLLBACK");
    result
}

fn read(backend: &mut dyn Backend, state_table: &StateTable) -> Result<Schema, DbError> {
    let state = (
        state_table.schema().unwrap_or("public").to_owned(),
        state_table.name().to_owned(),
    );
    let mut schema = Schema::default();

    schema.schemas = column(
        backend,
        &format!(
            "SELECT n.nspname FROM pg_namespace n WHERE {USER_NAMESPACES} AND n.nspname <> 'public' AND {}",
            not_from_extension("pg_namespace", "n.oid")
        ),
    )?;

    schema.extensions = rows(
        backend,
        "SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'",
    )?
    .into_iter()
    .map(|row| Extension {
        name: row[0].clone(),
        schema: row[1].clone(),
    })
    .collect();

    let mut enums: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for row in rows(
        backend,
        &format!(
            "SELECT n.nspname, t.typname, e.enumlabel FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid WHERE {USER_NAMESPACES} AND {} ORDER BY n.nspname, t.typname, e.enumsortorder",
            not_from_extension("pg_type", "t.oid")
        ),
    )? {
        enums
            .entry((row[0].clone(), row[1].clone()))
            .or_default()
            .push(row[2].clone());
    }
    schema.enums = enums
        .into_iter()
        .map(|((schema, name), values)| EnumType {
            schema,
            name,
            values,
        })
        .collect();

    // Sequences, except those behind identity columns (created with them).
    schema.sequences = rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text, s.seqcache::text, s.seqcycle::text,
                    tn.nspname, tc.relname, a.attname
             FROM pg_sequence s
             JOIN pg_class c ON c.oid = s.seqrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
             LEFT JOIN pg_class tc ON tc.oid = d.refobjid
             LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
             LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE {USER_NAMESPACES} AND {} AND (d.deptype IS NULL OR d.deptype = 'a')",
            not_from_extension("pg_class", "c.oid")
        ),
    )?
    .into_iter()
    .map(|row| Sequence {
        schema: row[0].clone(),
        name: row[1].clone(),
        data_type: row[2].clone(),
        start: row[3].clone(),
        increment: row[4].clone(),
        min: row[5].clone(),
        max: row[6].clone(),
        cache: row[7].clone(),
        cycle: row[8] == "true",
        owned_by: (!row[10].is_empty())
            .then(|| (row[9].clone(), row[10].clone(), row[11].clone())),
    })
    .collect();

    let mut tables: BTreeMap<(String, String), Table> = BTreeMap::new();
    for row in rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND NOT c.relispartition AND {USER_NAMESPACES} AND {}",
            not_from_extension("pg_class", "c.oid")
        ),
    )? {
        let key = (row[0].clone(), row[1].clone());
        if key == state {
            continue;
        }
        tables.insert(
            key,
            Table {
                schema: Some(row[0].clone()),
                name: row[1].clone(),
                columns: Vec::new(),
                constraints: Vec::new(),
                indexes: Vec::new(),
                options: Vec::new(),
            },
        );
    }

    for row in rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), (NOT a.attnotnull)::text,
                    CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
                    CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END,
                    CASE WHEN a.attidentity <> '' THEN (SELECT quote_ident(sn.nspname) || '.' || quote_ident(sc.relname) FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i' AND d.classid = 'pg_class'::regclass) END,
                    CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
                    CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
             FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
             LEFT JOIN pg_collation co ON co.oid = a.attcollation
             LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
             WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND {USER_NAMESPACES}
             ORDER BY n.nspname, c.relname, a.attnum"
        ),
    )? {
        let Some(table) = tables.get_mut(&(row[0].clone(), row[1].clone())) else {
            continue;
        };
        let identity = (!row[6].is_empty()).then(|| {
            if row[7].is_empty() {
                format!("GENERATED {} AS IDENTITY", row[6])
            } else {
                format!("GENERATED {} AS IDENTITY (SEQUENCE NAME {})", row[6], row[7])
            }
        });
        table.columns.push(Column {
            name: row[2].clone(),
            data_type: row[3].clone(),
            nullable: row[4] == "true",
            default: non_empty(&row[5]),
            identity,
            generated: non_empty(&row[8]).map(|expression| {
                format!("GENERATED ALWAYS AS ({expression}) STORED")
            }),
            collation: non_empty(&row[9]),
        });
    }

    for row in rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname, k.conname, k.contype::text, pg_get_constraintdef(k.oid),
                    rn.nspname, rc.relname
             FROM pg_constraint k
             JOIN pg_class c ON c.oid = k.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_class rc ON rc.oid = k.confrelid
             LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
             WHERE k.contype IN ('p', 'u', 'c', 'f', 'x') AND {USER_NAMESPACES}"
        ),
    )? {
        let Some(table) = tables.get_mut(&(row[0].clone(), row[1].clone())) else {
            continue;
        };
        let kind = match row[3].as_str() {
            "p" => ConstraintKind::PrimaryKey,
            "u" => ConstraintKind::Unique,
            "c" => ConstraintKind::Check,
            "x" => ConstraintKind::Exclusion,
            _ => ConstraintKind::ForeignKey,
        };
        table.constraints.push(Constraint {
            kind,
            name: row[2].clone(),
            definition: row[4].clone(),
            references: (kind == ConstraintKind::ForeignKey)
                .then(|| (Some(row[5].clone()), row[6].clone())),
        });
    }

    for row in rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname, ic.relname, i.indisunique::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_class c ON c.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE {USER_NAMESPACES}
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))"
        ),
    )? {
        let Some(table) = tables.get_mut(&(row[0].clone(), row[1].clone())) else {
            continue;
        };
        table.indexes.push(Index {
            name: row[2].clone(),
            unique: row[3] == "true",
            definition: row[4].clone(),
        });
    }
    schema.tables = tables.into_values().collect();

    schema.views = rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname, pg_get_viewdef(c.oid, true) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'v' AND {USER_NAMESPACES} AND {}",
            not_from_extension("pg_class", "c.oid")
        ),
    )?
    .into_iter()
    .map(|row| View {
        schema: Some(row[0].clone()),
        name: row[1].clone(),
        definition: row[2].trim().trim_end_matches(';').to_owned(),
    })
    .collect();

    schema.routines = rows(
        backend,
        &format!(
            "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.prokind IN ('f', 'p') AND {USER_NAMESPACES} AND {}",
            not_from_extension("pg_proc", "p.oid")
        ),
    )?
    .into_iter()
    .map(|row| Routine {
        schema: Some(row[0].clone()),
        name: row[1].clone(),
        arguments: row[2].clone(),
        definition: row[3].trim_end().to_owned(),
    })
    .collect();

    schema.triggers = rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT t.tgisinternal AND {USER_NAMESPACES}"
        ),
    )?
    .into_iter()
    .map(|row| Trigger {
        schema: Some(row[0].clone()),
        table: row[1].clone(),
        name: row[2].clone(),
        definition: row[3].clone(),
    })
    .collect();

    schema.comments = rows(
        backend,
        &format!(
            "SELECT n.nspname, c.relname, a.attname, d.description
             FROM pg_description d
             JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
             WHERE c.relkind IN ('r', 'v') AND {USER_NAMESPACES} AND {}",
            not_from_extension("pg_class", "c.oid")
        ),
    )?
    .into_iter()
    .filter(|row| (row[0].clone(), row[1].clone()) != state)
    .map(|row| Comment {
        schema: Some(row[0].clone()),
        table: row[1].clone(),
        column: non_empty(&row[2]),
        text: row[3].clone(),
    })
    .collect();

    schema.not_compared = rows(
        backend,
        &format!(
            "SELECT CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table' ELSE 'partition' END, n.nspname || '.' || c.relname
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE (c.relkind IN ('m', 'p', 'f') OR c.relispartition) AND {USER_NAMESPACES} AND {0}
             UNION ALL
             SELECT CASE t.typtype WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' ELSE 'composite type' END, n.nspname || '.' || t.typname
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE (t.typtype IN ('d', 'r') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))) AND {USER_NAMESPACES} AND {1}
             UNION ALL
             SELECT 'policy', n.nspname || '.' || c.relname || '.' || p.polname
             FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             UNION ALL
             SELECT 'inheritance', n.nspname || '.' || c.relname
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT c.relispartition
             UNION ALL
             SELECT 'aggregate', n.nspname || '.' || p.proname
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.prokind IN ('a', 'w') AND {USER_NAMESPACES} AND {2}",
            not_from_extension("pg_class", "c.oid"),
            not_from_extension("pg_type", "t.oid"),
            not_from_extension("pg_proc", "p.oid"),
        ),
    )?
    .into_iter()
    .map(|row| format!("{} {}", row[0], row[1]))
    .collect();
    Ok(schema)
}
