//! The differ: the changes that turn one schema model into another, in an
//! order the server accepts (drops of what depends on changed objects
//! first, then creates and alters, foreign keys and triggers last), each
//! rendered as DDL by the dialect. What the dialect cannot express is
//! collected in `unsupported`, naming the objects; nothing is guessed.

use std::collections::BTreeSet;

use serde::Serialize;

use super::dump::mentions;
use super::model::{Comment, ConstraintKind, Routine, Schema, Table, View};
use crate::dialect::Dialect;

/// What a change does to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Creates it.
    Create,
    /// Drops it.
    Drop,
    /// Changes it in place.
    Alter,
}

/// One change, with the statements that make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The kind of object (`table`, `column`, `index`, ...).
    pub kind: &'static str,
    /// The object's name (`schema.table.column`).
    pub object: String,
    /// What happens to it.
    pub action: Action,
    /// Whether it destroys data (a dropped table or column, a narrowing type).
    pub destructive: bool,
    /// The statements, without their terminating `;`.
    pub sql: Vec<String>,
}

/// The difference between two schemas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// The changes, in the order they must run.
    pub changes: Vec<Change>,
    /// Objects of either side the model does not cover.
    pub not_compared: Vec<String>,
    /// Differences the dialect cannot express, each naming its object.
    #[serde(skip)]
    pub unsupported: Vec<String>,
    /// Why the statements must run outside a transaction, when they must
    /// ([`NO_TRANSACTION_REBUILD`], [`NO_TRANSACTION_ENUM`]).
    #[serde(skip)]
    pub no_transaction: Option<&'static str>,
}

/// Why a SQLite table rebuild runs outside a transaction.
pub const NO_TRANSACTION_REBUILD: &str = "SQLite ignores PRAGMA foreign_keys inside a transaction, and its table rebuilds turn foreign keys off";

/// Why a new PostgreSQL enum value is added outside a transaction.
pub const NO_TRANSACTION_ENUM: &str = "PostgreSQL cannot use an enum value added in the same transaction: outside one, it is committed before the statements that use it";

impl Diff {
    /// Whether the two schemas are equal.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.unsupported.is_empty()
    }

    /// The changes as a script: each preceded by its comments, `;` after
    /// each statement.
    pub fn script(&self) -> String {
        let mut text = String::new();
        for change in &self.changes {
            let mut warned = !change.destructive;
            for statement in &change.sql {
                let comment = statement.trim_start().starts_with("--");
                if !comment && !warned {
                    text.push_str("-- WARNING: destroys data\n");
                    warned = true;
                }
                text.push_str(statement);
                if !comment {
                    text.push(';');
                }
                text.push('\n');
            }
        }
        text
    }
}

/// The changes that turn `from` into `to` on `dialect`.
pub fn diff(from: &Schema, to: &Schema, dialect: Dialect) -> Diff {
    let mut differ = Differ {
        dialect,
        from,
        to,
        diff: Diff::default(),
    };
    differ.run();
    let mut not_compared: BTreeSet<String> = from.not_compared.iter().cloned().collect();
    not_compared.extend(to.not_compared.iter().cloned());
    differ.diff.not_compared = not_compared.into_iter().collect();
    differ.diff
}

struct Differ<'a> {
    dialect: Dialect,
    from: &'a Schema,
    to: &'a Schema,
    diff: Diff,
}

/// A table's key: (schema, name).
fn table_key(table: &Table) -> (Option<&str>, &str) {
    (table.schema.as_deref(), table.name.as_str())
}

impl Differ<'_> {
    fn push(&mut self, kind: &'static str, object: String, action: Action, sql: Vec<String>) {
        self.push_change(Change {
            kind,
            object,
            action,
            destructive: false,
            sql,
        });
    }

    fn push_change(&mut self, change: Change) {
        if !change.sql.is_empty() {
            self.diff.changes.push(change);
        }
    }

    fn name(&self, schema: Option<&str>, name: &str) -> String {
        super::dump::qualified_name(self.dialect, schema, name)
    }

    fn run(&mut self) {
        let profile = self.dialect.profile();
        let (from, to) = (self.from, self.to);
        let from_table =
            |key: (Option<&str>, &str)| from.tables.iter().find(|t| table_key(t) == key);
        let to_table = |key: (Option<&str>, &str)| to.tables.iter().find(|t| table_key(t) == key);

        // Tables whose columns change, or that go: what reads them is
        // dropped first and created again afterwards.
        let mut touched: BTreeSet<String> = BTreeSet::new();
        for table in &from.tables {
            match to_table(table_key(table)) {
                Some(target) if target.columns == table.columns => {}
                _ => {
                    touched.insert(table.name.clone());
                }
            }
        }
        // Views to drop: gone, changed, or reading a touched table or a
        // view that is dropped (to a fixpoint).
        let mut dropped_views: BTreeSet<(Option<String>, String)> = BTreeSet::new();
        loop {
            let before = dropped_views.len();
            for view in &from.views {
                let key = (view.schema.clone(), view.name.clone());
                if dropped_views.contains(&key) {
                    continue;
                }
                let same = to.views.iter().any(|target| target == view);
                let reads_touched = touched
                    .iter()
                    .any(|table| mentions(&view.definition, table))
                    || dropped_views
                        .iter()
                        .any(|(_, name)| mentions(&view.definition, name));
                if !same || reads_touched {
                    dropped_views.insert(key);
                }
            }
            if dropped_views.len() == before {
                break;
            }
        }

        // 1. Drops: triggers, views (dependents first), foreign keys,
        //    indexes, routines.
        for trigger in &from.triggers {
            if !to.triggers.contains(trigger) {
                let sql = profile.drop_trigger(trigger);
                self.push(
                    "trigger",
                    format!("{}.{}", trigger.table, trigger.name),
                    Action::Drop,
                    vec![sql],
                );
            }
        }
        let views_to_drop: Vec<&View> = super::dump::in_dependency_order(&from.views)
            .into_iter()
            .rev()
            .filter(|view| dropped_views.contains(&(view.schema.clone(), view.name.clone())))
            .collect();
        for view in views_to_drop {
            let sql = format!(
                "DROP VIEW {}",
                self.name(view.schema.as_deref(), &view.name)
            );
            self.push(
                "view",
                self.name(view.schema.as_deref(), &view.name),
                Action::Drop,
                vec![sql],
            );
        }
        for table in &from.tables {
            let target = to_table(table_key(table));
            for constraint in table
                .constraints
                .iter()
                .filter(|c| c.kind == ConstraintKind::ForeignKey)
            {
                let kept = target.is_some_and(|target| target.constraints.contains(constraint));
                let parent_kept = constraint
                    .references
                    .as_ref()
                    .is_none_or(|(schema, name)| to_table((schema.as_deref(), name)).is_some());
                if profile.foreign_keys_inline() {
                    continue;
                }
                if !kept || !parent_kept {
                    let sql = profile.drop_constraint(table, constraint);
                    self.push(
                        "foreign key",
                        format!("{}.{}", table.name, constraint.name),
                        Action::Drop,
                        vec![sql],
                    );
                }
            }
            for index in &table.indexes {
                let kept = target.is_some_and(|target| target.indexes.contains(index));
                if !kept && target.is_some() {
                    let sql = profile.drop_index(table, index);
                    self.push("index", index.name.clone(), Action::Drop, vec![sql]);
                }
            }
        }
        for routine in &from.routines {
            if !to.routines.contains(routine) {
                let sql = profile.drop_routine(routine);
                self.push(
                    "routine",
                    self.name(routine.schema.as_deref(), &routine.name),
                    Action::Drop,
                    vec![sql],
                );
            }
        }

        // 2. What tables need first: schemas, extensions, enums, sequences.
        for name in &to.schemas {
            if !from.schemas.contains(name) {
                let sql = format!("CREATE SCHEMA {}", self.dialect.quote_identifier(name));
                self.push("schema", name.clone(), Action::Create, vec![sql]);
            }
        }
        for extension in &to.extensions {
            if !from.extensions.contains(extension) {
                let sql = format!(
                    "CREATE EXTENSION {} WITH SCHEMA {}",
                    self.dialect.quote_identifier(&extension.name),
                    self.dialect.quote_identifier(&extension.schema)
                );
                self.push(
                    "extension",
                    extension.name.clone(),
                    Action::Create,
                    vec![sql],
                );
            }
        }
        for enumeration in &to.enums {
            let name = self.name(Some(&enumeration.schema), &enumeration.name);
            match from
                .enums
                .iter()
                .find(|old| old.schema == enumeration.schema && old.name == enumeration.name)
            {
                None => {
                    let values: Vec<String> = enumeration
                        .values
                        .iter()
                        .map(|value| self.dialect.quote_literal(value))
                        .collect();
                    let sql = format!("CREATE TYPE {name} AS ENUM ({})", values.join(", "));
                    self.push("enum", name, Action::Create, vec![sql]);
                }
                Some(old) if old.values == enumeration.values => {}
                Some(old) => match added_enum_values(&old.values, &enumeration.values) {
                    Some(added) => {
                        let sql = added
                            .into_iter()
                            .map(|(value, after)| match after {
                                Some(after) => format!(
                                    "ALTER TYPE {name} ADD VALUE {} AFTER {}",
                                    self.dialect.quote_literal(value),
                                    self.dialect.quote_literal(after)
                                ),
                                None => match old.values.first() {
                                    Some(first) => format!(
                                        "ALTER TYPE {name} ADD VALUE {} BEFORE {}",
                                        self.dialect.quote_literal(value),
                                        self.dialect.quote_literal(first)
                                    ),
                                    None => format!(
                                        "ALTER TYPE {name} ADD VALUE {}",
                                        self.dialect.quote_literal(value)
                                    ),
                                },
                            })
                            .collect();
                        self.diff.no_transaction.get_or_insert(NO_TRANSACTION_ENUM);
                        self.push("enum", name, Action::Alter, sql);
                    }
                    None => self.diff.unsupported.push(format!(
                        "enum {name}: values removed or reordered ({} -> {})",
                        old.values.join(", "),
                        enumeration.values.join(", ")
                    )),
                },
            }
        }
        for sequence in &to.sequences {
            let name = self.name(Some(&sequence.schema), &sequence.name);
            let old = from
                .sequences
                .iter()
                .find(|old| old.schema == sequence.schema && old.name == sequence.name);
            let parameters = format!(
                "AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {}{}",
                sequence.data_type,
                sequence.increment,
                sequence.min,
                sequence.max,
                sequence.start,
                sequence.cache,
                if sequence.cycle {
                    " CYCLE"
                } else {
                    " NO CYCLE"
                }
            );
            match old {
                None => self.push(
                    "sequence",
                    name.clone(),
                    Action::Create,
                    vec![format!("CREATE SEQUENCE {name} {parameters}")],
                ),
                Some(old) if old == sequence => {}
                Some(_) => self.push(
                    "sequence",
                    name.clone(),
                    Action::Alter,
                    vec![format!("ALTER SEQUENCE {name} {parameters}")],
                ),
            }
        }

        // 3. Tables: created, altered, dropped.
        for table in &to.tables {
            match from_table(table_key(table)) {
                None => {
                    let sql = profile.render_table(table);
                    self.push(
                        "table",
                        self.name(table.schema.as_deref(), &table.name),
                        Action::Create,
                        vec![sql.trim_end_matches(';').to_owned()],
                    );
                }
                Some(old) => {
                    let result = profile.alter_table(old, table, to);
                    match result {
                        Ok(changes) => {
                            if changes.iter().any(|change| change.kind == "table rebuild") {
                                self.diff.no_transaction = Some(NO_TRANSACTION_REBUILD);
                            }
                            for change in changes {
                                self.push_change(change);
                            }
                        }
                        Err(reasons) => self.diff.unsupported.extend(reasons),
                    }
                }
            }
        }
        for table in &from.tables {
            if to_table(table_key(table)).is_none() {
                let name = self.name(table.schema.as_deref(), &table.name);
                let mut sql = vec![format!("DROP TABLE {name}")];
                // The same columns under a new name may be a rename.
                if let Some(renamed) = to.tables.iter().find(|new| {
                    from_table(table_key(new)).is_none() && new.columns == table.columns
                }) {
                    sql.insert(
                        0,
                        format!(
                            "-- a rename cannot be told from a drop and an add: if {name} became {}, write ALTER TABLE {name} RENAME TO {} instead, which keeps its rows",
                            self.name(renamed.schema.as_deref(), &renamed.name),
                            self.dialect.quote_identifier(&renamed.name)
                        ),
                    );
                }
                self.push_change(Change {
                    kind: "table",
                    object: name.clone(),
                    action: Action::Drop,
                    destructive: true,
                    sql,
                });
            }
        }
        for sequence in &from.sequences {
            if !to
                .sequences
                .iter()
                .any(|new| new.schema == sequence.schema && new.name == sequence.name)
            {
                let name = self.name(Some(&sequence.schema), &sequence.name);
                self.push(
                    "sequence",
                    name.clone(),
                    Action::Drop,
                    vec![format!("DROP SEQUENCE {name}")],
                );
            }
        }
        for sequence in &to.sequences {
            let old_owner = from
                .sequences
                .iter()
                .find(|old| old.schema == sequence.schema && old.name == sequence.name)
                .and_then(|old| old.owned_by.clone());
            if sequence.owned_by != old_owner {
                let name = self.name(Some(&sequence.schema), &sequence.name);
                let owner = match &sequence.owned_by {
                    Some((schema, table, column)) => format!(
                        "{}.{}",
                        self.name(Some(schema), table),
                        self.dialect.quote_identifier(column)
                    ),
                    None => String::from("NONE"),
                };
                self.push(
                    "sequence",
                    name.clone(),
                    Action::Alter,
                    vec![format!("ALTER SEQUENCE {name} OWNED BY {owner}")],
                );
            }
        }

        // 4. Indexes, routines, views, foreign keys, triggers, comments.
        for table in &to.tables {
            let old = from_table(table_key(table));
            let rebuilt = self
                .diff
                .changes
                .iter()
                .any(|change| change.kind == "table rebuild" && change.object == table.name);
            for index in &table.indexes {
                if rebuilt || !old.is_some_and(|old| old.indexes.contains(index)) {
                    self.push(
                        "index",
                        index.name.clone(),
                        Action::Create,
                        vec![index.definition.clone()],
                    );
                }
            }
        }
        for routine in &to.routines {
            if !from.routines.contains(routine) {
                self.push(
                    "routine",
                    self.name(routine.schema.as_deref(), &routine.name),
                    Action::Create,
                    vec![routine.definition.clone()],
                );
            }
        }
        let views: Vec<&View> = super::dump::in_dependency_order(&to.views);
        for view in views {
            let kept = from.views.contains(view)
                && !dropped_views.contains(&(view.schema.clone(), view.name.clone()));
            if !kept {
                let sql = profile.render_view(view);
                self.push(
                    "view",
                    self.name(view.schema.as_deref(), &view.name),
                    Action::Create,
                    vec![sql.trim_end_matches(';').to_owned()],
                );
            }
        }
        if !profile.foreign_keys_inline() {
            for table in &to.tables {
                let old = from_table(table_key(table));
                for constraint in table
                    .constraints
                    .iter()
                    .filter(|c| c.kind == ConstraintKind::ForeignKey)
                {
                    let existed = old.is_some_and(|old| old.constraints.contains(constraint))
                        && constraint.references.as_ref().is_none_or(|(schema, name)| {
                            from_table((schema.as_deref(), name)).is_some()
                        });
                    if !existed {
                        let sql = format!(
                            "ALTER TABLE {} ADD CONSTRAINT {} {}",
                            self.name(table.schema.as_deref(), &table.name),
                            self.dialect.quote_identifier(&constraint.name),
                            constraint.definition
                        );
                        self.push(
                            "foreign key",
                            format!("{}.{}", table.name, constraint.name),
                            Action::Create,
                            vec![sql],
                        );
                    }
                }
            }
        }
        for trigger in &to.triggers {
            let rebuilt = self
                .diff
                .changes
                .iter()
                .any(|change| change.kind == "table rebuild" && change.object == trigger.table);
            if rebuilt || !from.triggers.contains(trigger) {
                self.push(
                    "trigger",
                    format!("{}.{}", trigger.table, trigger.name),
                    Action::Create,
                    vec![trigger.definition.clone()],
                );
            }
        }
        self.comments();

        // 5. Last: types, extensions and schemas nothing uses any more.
        for enumeration in &from.enums {
            if !to
                .enums
                .iter()
                .any(|new| new.schema == enumeration.schema && new.name == enumeration.name)
            {
                let name = self.name(Some(&enumeration.schema), &enumeration.name);
                self.push(
                    "enum",
                    name.clone(),
                    Action::Drop,
                    vec![format!("DROP TYPE {name}")],
                );
            }
        }
        for extension in &from.extensions {
            if !to.extensions.contains(extension) {
                let sql = format!(
                    "DROP EXTENSION {}",
                    self.dialect.quote_identifier(&extension.name)
                );
                self.push("extension", extension.name.clone(), Action::Drop, vec![sql]);
            }
        }
        for name in &from.schemas {
            if !to.schemas.contains(name) {
                let sql = format!("DROP SCHEMA {}", self.dialect.quote_identifier(name));
                self.push("schema", name.clone(), Action::Drop, vec![sql]);
            }
        }
    }

    fn comments(&mut self) {
        let key = |comment: &Comment| {
            (
                comment.schema.clone(),
                comment.table.clone(),
                comment.column.clone(),
            )
        };
        let mut wanted: Vec<(Comment, Option<String>)> = Vec::new();
        for comment in &self.to.comments {
            if !self.from.comments.contains(comment) {
                wanted.push((comment.clone(), Some(comment.text.clone())));
            }
        }
        for comment in &self.from.comments {
            let table_kept = self
                .to
                .tables
                .iter()
                .any(|table| table.schema == comment.schema && table.name == comment.table);
            if table_kept && !self.to.comments.iter().any(|new| key(new) == key(comment)) {
                wanted.push((comment.clone(), None));
            }
        }
        for (comment, text) in wanted {
            let table = self.name(comment.schema.as_deref(), &comment.table);
            let target = match &comment.column {
                Some(column) => format!("COLUMN {table}.{}", self.dialect.quote_identifier(column)),
                None => format!("TABLE {table}"),
            };
            let value = text.map_or_else(
                || String::from("NULL"),
                |text| self.dialect.quote_literal(&text),
            );
            self.push(
                "comment",
                target.clone(),
                Action::Alter,
                vec![format!("COMMENT ON {target} IS {value}")],
            );
        }
    }
}

/// The values of `new` that `old` lacks, each with the value it follows
/// (`None`: it comes first), when `old` is `new` with values added;
/// `None` when values were removed or reordered.
fn added_enum_values<'v>(
    old: &[String],
    new: &'v [String],
) -> Option<Vec<(&'v str, Option<&'v str>)>> {
    let kept: Vec<&String> = new.iter().filter(|value| old.contains(value)).collect();
    if kept.len() != old.len() || kept.iter().zip(old).any(|(a, b)| *a != b) {
        return None;
    }
    Some(
        new.iter()
            .enumerate()
            .filter(|(_, value)| !old.contains(value))
            .map(|(index, value)| {
                (
                    value.as_str(),
                    index.checked_sub(1).map(|before| new[before].as_str()),
                )
            })
            .collect(),
    )
}

/// Whether a routine is a `FUNCTION` or a `PROCEDURE`, from its definition.
pub(crate) fn routine_kind(routine: &Routine) -> &'static str {
    let head = routine.definition.to_ascii_uppercase();
    let head = head.split('(').next().unwrap_or_default();
    if head.contains(" PROCEDURE ") {
        "PROCEDURE"
    } else {
        "FUNCTION"
    }
}

/// The changes that turn table `old` into `new` in place with `ALTER
/// TABLE`: constraints dropped, columns dropped, added (in their place, or
/// refused where the dialect can only append), altered, constraints added.
/// Foreign keys are left to the differ.
pub(crate) fn alter_in_place(
    dialect: Dialect,
    old: &Table,
    new: &Table,
) -> Result<Vec<Change>, Vec<String>> {
    let profile = dialect.profile();
    let table = qualified(dialect, new);
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    let change = |kind, object: String, action, destructive, sql: Vec<String>| Change {
        kind,
        object,
        action,
        destructive,
        sql,
    };
    let local =
        |constraint: &&super::model::Constraint| constraint.kind != ConstraintKind::ForeignKey;
    for constraint in old.constraints.iter().filter(local) {
        if !new.constraints.contains(constraint) {
            changes.push(change(
                "constraint",
                format!("{table}.{}", constraint.name),
                Action::Drop,
                false,
                vec![profile.drop_constraint(old, constraint)],
            ));
        }
    }
    for column in &old.columns {
        if !new.columns.iter().any(|new| new.name == column.name) {
            changes.push(change(
                "column",
                format!("{table}.{}", column.name),
                Action::Drop,
                true,
                vec![format!(
                    "ALTER TABLE {table} DROP COLUMN {}",
                    dialect.quote_identifier(&column.name)
                )],
            ));
        }
    }
    // Kept columns must keep their order; new ones go where the dialect can put them.
    let kept_old: Vec<&str> = old
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| new.columns.iter().any(|n| n.name == *name))
        .collect();
    let kept_new: Vec<&str> = new
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| old.columns.iter().any(|o| o.name == *name))
        .collect();
    if kept_old != kept_new {
        problems.push(format!(
            "table {table}: its columns change order ({} -> {})",
            kept_old.join(", "),
            kept_new.join(", ")
        ));
    }
    let last_kept = new
        .columns
        .iter()
        .rposition(|column| old.columns.iter().any(|o| o.name == column.name));
    for (position, column) in new.columns.iter().enumerate() {
        if old.columns.iter().any(|o| o.name == column.name) {
            continue;
        }
        let after = position
            .checked_sub(1)
            .map(|before| new.columns[before].name.as_str());
        let appended = last_kept.is_none_or(|last| position > last);
        match profile.add_column(new, column, after, appended) {
            Some(sql) => changes.push(change(
                "column",
                format!("{table}.{}", column.name),
                Action::Create,
                false,
                vec![sql],
            )),
            None => problems.push(format!(
                "column {table}.{}: {} cannot add a column before existing ones",
                column.name,
                dialect.title()
            )),
        }
    }
    for column in &new.columns {
        let Some(previous) = old.columns.iter().find(|o| o.name == column.name) else {
            continue;
        };
        if previous == column {
            continue;
        }
        match profile.alter_column(new, previous, column) {
            Ok(sql) => changes.push(change(
                "column",
                format!("{table}.{}", column.name),
                Action::Alter,
                previous.data_type != column.data_type
                    && !widens(&previous.data_type, &column.data_type),
                sql,
            )),
            Err(problem) => problems.push(format!("column {table}.{}: {problem}", column.name)),
        }
    }
    for constraint in new.constraints.iter().filter(local) {
        if !old.constraints.contains(constraint) {
            changes.push(change(
                "constraint",
                format!("{table}.{}", constraint.name),
                Action::Create,
                false,
                vec![profile.add_constraint(new, constraint)],
            ));
        }
    }
    if old.options != new.options {
        problems.push(format!(
            "table {table}: its options change ({} -> {})",
            old.options.join(" "),
            new.options.join(" ")
        ));
    }
    for (dropped, added) in column_renames(old, new) {
        let hint = format!(
            "-- a rename cannot be told from a drop and an add: if {dropped} became {added}, write ALTER TABLE {table} RENAME COLUMN {} TO {} instead, which keeps its data",
            dialect.quote_identifier(&dropped),
            dialect.quote_identifier(&added)
        );
        for change in &mut changes {
            let object = format!(
                "{table}.{}",
                if change.action == Action::Drop {
                    &dropped
                } else {
                    &added
                }
            );
            if change.kind == "column" && change.action != Action::Alter && change.object == object
            {
                change.sql.insert(0, hint.clone());
            }
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(problems)
    }
}

/// Columns of `old` that `new` drops, paired with a column `new` adds with
/// the same type: each pair may be a rename, which a schema cannot tell.
pub(crate) fn column_renames(old: &Table, new: &Table) -> Vec<(String, String)> {
    let dropped = old
        .columns
        .iter()
        .filter(|column| !new.columns.iter().any(|n| n.name == column.name));
    let mut added: Vec<&super::model::Column> = new
        .columns
        .iter()
        .filter(|column| !old.columns.iter().any(|o| o.name == column.name))
        .collect();
    let mut pairs = Vec::new();
    for column in dropped {
        if let Some(at) = added.iter().position(|a| a.data_type == column.data_type) {
            pairs.push((column.name.clone(), added.remove(at).name.clone()));
        }
    }
    pairs
}

/// A table's quoted, qualified name.
pub(crate) fn qualified(dialect: Dialect, table: &Table) -> String {
    super::dump::qualified_name(dialect, table.schema.as_deref(), &table.name)
}

/// Whether a type change keeps every value: integers to wider integers,
/// `varchar(n)` to a longer `varchar` or to `text`, `numeric(p,s)` to a
/// larger precision with the same scale.
pub(crate) fn widens(from: &str, to: &str) -> bool {
    const INTEGERS: [&str; 5] = ["tinyint", "smallint", "mediumint", "int", "bigint"];
    let base = |kind: &str| {
        kind.split('(')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    let rank = |kind: &str| {
        let kind = match base(kind).as_str() {
            "integer" | "int4" => String::from("int"),
            "int2" => String::from("smallint"),
            "int8" => String::from("bigint"),
            other => other.to_owned(),
        };
        INTEGERS.iter().position(|known| *known == kind)
    };
    let arguments = |kind: &str| -> Vec<u32> {
        kind.split_once('(')
            .map(|(_, rest)| {
                rest.trim_end_matches(|c: char| c != ')')
                    .trim_end_matches(')')
            })
            .map(|inside| {
                inside
                    .split(',')
                    .filter_map(|n| n.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    if let (Some(a), Some(b)) = (rank(from), rank(to)) {
        return a <= b && !from.contains("unsigned") || from == to;
    }
    let (a, b) = (base(from), base(to));
    let varying = |kind: &str| matches!(kind, "character varying" | "varchar");
    if varying(&a) && (b == "text" || b == "longtext" || b == "mediumtext") {
        return true;
    }
    if varying(&a) && varying(&b) {
        return matches!((arguments(from).first(), arguments(to).first()), (Some(x), Some(y)) if x <= y)
            || arguments(to).is_empty();
    }
    if (a == "numeric" || a == "decimal") && a == b {
        let (x, y) = (arguments(from), arguments(to));
        return x.len() == 2 && y.len() == 2 && x[0] <= y[0] && x[1] == y[1];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_widenings_keep_every_value() {
        for (from, to) in [
            ("integer", "bigint"),
            ("smallint", "integer"),
            ("int(11)", "bigint(20)"),
            ("character varying(10)", "character varying(20)"),
            ("character varying(10)", "text"),
            ("varchar(10)", "varchar(255)"),
            ("numeric(10,2)", "numeric(12,2)"),
        ] {
            assert!(widens(from, to), "{from} -> {to}");
        }
        for (from, to) in [
            ("bigint", "integer"),
            ("character varying(20)", "character varying(10)"),
            ("text", "character varying(10)"),
            ("numeric(10,2)", "numeric(12,3)"),
            ("integer", "text"),
        ] {
            assert!(!widens(from, to), "{from} -> {to}");
        }
    }

    #[test]
    fn enum_values_may_only_be_added() {
        let values = |list: &[&str]| list.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let old = values(&["a", "c"]);
        assert_eq!(
            added_enum_values(&old, &values(&["z", "a", "b", "c", "d"])),
            Some(vec![("z", None), ("b", Some("a")), ("d", Some("c"))])
        );
        assert_eq!(added_enum_values(&old, &values(&["c", "a"])), None);
        assert_eq!(added_enum_values(&old, &values(&["a"])), None);
    }
}

/// Indexes that `to` adds (or changes) on tables `from` already has, built
/// without blocking writes where the dialect can (PostgreSQL
/// `CONCURRENTLY`): they go in a revision of their own, outside a
/// transaction, after the rest of the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcurrentIndexes {
    /// `to` without those indexes: what the rest of the change reaches.
    pub without: Schema,
    /// The statements that build them.
    pub up: Vec<String>,
    /// The statements that drop them again.
    pub down: Vec<String>,
}

/// The [`ConcurrentIndexes`] of the change from `from` to `to`, if the
/// dialect builds indexes concurrently and there are any.
pub fn concurrent_indexes(
    from: &Schema,
    to: &Schema,
    dialect: Dialect,
) -> Option<ConcurrentIndexes> {
    let profile = dialect.profile();
    let mut without = to.clone();
    let (mut up, mut down) = (Vec::new(), Vec::new());
    for table in &mut without.tables {
        let Some(old) = from
            .tables
            .iter()
            .find(|old| table_key(old) == table_key(table))
        else {
            continue;
        };
        let mut kept = Vec::new();
        for index in std::mem::take(&mut table.indexes) {
            let built = !old.indexes.contains(&index);
            match (built, profile.create_index_concurrently(&index.definition)) {
                (true, Some(create)) => {
                    up.push(create);
                    down.push(profile.drop_index_concurrently(table, &index));
                }
                _ => kept.push(index),
            }
        }
        table.indexes = kept;
    }
    (!up.is_empty()).then_some(ConcurrentIndexes { without, up, down })
}
