//! What lint knows about one statement: its kind and, for the kinds the rules
//! look into, the tables, columns and options involved. The dialects'
//! classifiers fill it in; the rules only read it.

/// One classified statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `CREATE TABLE`.
    CreateTable {
        /// The table, lower-cased, without a schema.
        table: String,
    },
    /// `CREATE [UNIQUE] INDEX`.
    CreateIndex {
        /// The indexed table.
        table: String,
        /// `CONCURRENTLY` (PostgreSQL).
        concurrently: bool,
    },
    /// `ALTER TABLE` with its actions.
    AlterTable {
        /// The altered table.
        table: String,
        /// What it does, in order.
        actions: Vec<Action>,
    },
    /// `DROP TABLE`.
    DropTable {
        /// The dropped tables.
        tables: Vec<String>,
    },
    /// `TRUNCATE`.
    Truncate {
        /// The emptied tables.
        tables: Vec<String>,
    },
    /// `DELETE`.
    Delete {
        /// The table rows are deleted from.
        table: String,
        /// Whether it has a `WHERE` clause.
        filtered: bool,
    },
    /// `RENAME TABLE a TO b` (MySQL).
    RenameTable {
        /// The renamed tables.
        tables: Vec<String>,
    },
    /// `SET [LOCAL] lock_timeout`; `enabled` is false for `0`.
    SetLockTimeout {
        /// Whether it sets a limit (anything but 0).
        enabled: bool,
    },
    /// `PRAGMA name ...` (SQLite).
    Pragma {
        /// The pragma's name, lower-cased.
        name: String,
    },
    /// Other statements with `CONCURRENTLY` (`DROP INDEX CONCURRENTLY`,
    /// `REINDEX ... CONCURRENTLY`).
    Concurrently {
        /// The table concerned, when the statement names it.
        table: Option<String>,
    },
    /// Other data-changing or reading statements (`INSERT`, `UPDATE`, `SELECT`...).
    Dml,
    /// Other schema statements (views, functions, types, comments, grants...)
    /// that take no lock the rules care about.
    Ddl,
    /// Session and transaction statements (`SET`, `BEGIN`...).
    Session,
    /// A statement neither the parser nor the leading words could classify.
    NotAnalysed,
}

/// One action of an `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// `ADD COLUMN`.
    AddColumn(NewColumn),
    /// `ALTER COLUMN ... TYPE`, `MODIFY`, `CHANGE`.
    ColumnType {
        /// The column.
        column: String,
        /// The new type as written.
        new_type: String,
    },
    /// `ALTER COLUMN ... SET NOT NULL`.
    SetNotNull {
        /// The column.
        column: String,
    },
    /// `ADD [CONSTRAINT name] ...`.
    AddConstraint(NewConstraint),
    /// `VALIDATE CONSTRAINT name`.
    ValidateConstraint {
        /// The constraint's name, lower-cased.
        name: String,
    },
    /// `DROP COLUMN`.
    DropColumn {
        /// The dropped columns.
        columns: Vec<String>,
    },
    /// `RENAME COLUMN a TO b` (or MySQL's `CHANGE a b` with a new name).
    RenameColumn {
        /// The old name.
        column: String,
    },
    /// `RENAME TO`.
    RenameTable,
    /// `ALTER COLUMN ... DROP NOT NULL`, `SET DEFAULT`, `DROP DEFAULT`: catalog only.
    ColumnCatalog,
    /// Anything else (`DROP CONSTRAINT`, options, owners...), with its words
    /// for messages.
    Other {
        /// What it is, as written (the first words).
        what: String,
    },
}

/// A column being added.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct NewColumn {
    /// Its name.
    pub(crate) name: String,
    /// Its type as written, upper-cased.
    pub(crate) data_type: String,
    /// Its default, if any.
    pub(crate) default: Option<DefaultValue>,
    /// A generated column's storage, if it is one.
    pub(crate) generated: Option<Generated>,
    /// An identity, serial or auto-increment column.
    pub(crate) identity: bool,
    /// `NOT NULL`.
    pub(crate) not_null: bool,
    /// `PRIMARY KEY` or `UNIQUE` on the column.
    pub(crate) unique: bool,
    /// `REFERENCES` on the column.
    pub(crate) references: bool,
}

/// A column default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DefaultValue {
    /// A literal (`0`, `'x'`, `NULL`, `TRUE`), possibly signed or cast.
    pub(crate) constant: bool,
    /// The functions it calls, lower-cased; keywords like
    /// `CURRENT_TIMESTAMP` count as calls.
    pub(crate) functions: Vec<String>,
}

/// How a generated column is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generated {
    /// Computed on write and stored: the table is rewritten to fill it.
    Stored,
    /// Computed on read.
    Virtual,
}

/// A constraint being added to a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewConstraint {
    /// Its name, lower-cased, when it has one.
    pub(crate) name: Option<String>,
    /// What kind it is.
    pub(crate) kind: ConstraintKind,
    /// `NOT VALID` (PostgreSQL).
    pub(crate) not_valid: bool,
    /// `USING INDEX name` (PostgreSQL unique and primary keys).
    pub(crate) using_index: bool,
}

/// The kinds of table constraint the rules tell apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConstraintKind {
    /// `FOREIGN KEY`, with the referenced table.
    ForeignKey {
        /// The referenced table.
        references: String,
    },
    /// `CHECK`; `not_null_of` names the column when the check is exactly
    /// `column IS NOT NULL`.
    Check {
        /// The column of a `CHECK (column IS NOT NULL)`.
        not_null_of: Option<String>,
    },
    /// `UNIQUE`.
    Unique,
    /// `PRIMARY KEY`.
    PrimaryKey,
}

impl Kind {
    /// Whether the statement changes the schema (for `mixed-ddl-dml`).
    pub(crate) fn is_ddl(&self) -> bool {
        matches!(
            self,
            Kind::CreateTable { .. }
                | Kind::CreateIndex { .. }
                | Kind::AlterTable { .. }
                | Kind::DropTable { .. }
                | Kind::Truncate { .. }
                | Kind::RenameTable { .. }
                | Kind::Concurrently { .. }
                | Kind::Ddl
        )
    }

    /// Whether the statement reads or changes rows (for `mixed-ddl-dml`).
    pub(crate) fn is_dml(&self) -> bool {
        matches!(self, Kind::Delete { .. } | Kind::Dml)
    }
}
