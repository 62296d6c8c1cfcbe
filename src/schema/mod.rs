//! The schema model: what a database's catalog says its schema is, read by
//! each dialect (`src/dialect/<name>/inspect.rs`) into one shape, and
//! printed as a canonical DDL script (`dump`). The database is the parser:
//! every expression, type and definition is kept exactly as the server
//! prints it, never parsed or rewritten by sqlmig.

pub(crate) mod catalog;
mod diff;
mod dump;
mod model;
mod source;
mod stairway;

pub use diff::{
    Action, Change, ConcurrentIndexes, Diff, NO_TRANSACTION_ENUM, NO_TRANSACTION_REBUILD,
    concurrent_indexes, diff,
};
pub(crate) use diff::{alter_in_place, column_renames, qualified, routine_kind};
pub use source::{InvalidSource, Source, SourceContext, Step, read, read_replayed, verify_scripts};

pub(crate) use dump::{DumpKind, column_clause, create_table, qualified_name};

pub use dump::dump;
pub use model::{
    Column, Comment, Constraint, ConstraintKind, EnumType, Extension, Index, Routine, Schema,
    Sequence, Table, Trigger, View,
};
pub use stairway::{Failure, StairwayOptions, StairwayReport, StairwayStep, Verdict, stairway};

use crate::backend::DbError;
use crate::database::Database;

/// Reads the live schema of `database` (its state table left out).
pub fn inspect(database: &mut Database) -> Result<Schema, DbError> {
    let dialect = database.dialect();
    let state_table = database.state_table().clone();
    let mut schema = dialect
        .profile()
        .inspect(database.backend.as_mut(), &state_table)?;
    schema.sort();
    Ok(schema)
}
