//! `sqlmig import --adopt`: the other tool's history table matched to the
//! imported chain, and the matching revisions recorded as applied without
//! running their SQL ([`Migrator::stamp_with`]: under the migration lock,
//! the history read in the transaction that writes the rows).
//!
//! Refused, naming the migration, when the history shows a dirty or failed
//! migration, an applied version without a file, or a hole (a version
//! applied after one that is not), which a linear chain cannot record.

use super::{Conversion, History, HistoryProblem, ImportError};
use crate::backend::Backend;
use crate::database::Database;
use crate::event::Observer;
use crate::execute::{Migrator, StampReport};
use crate::graph::Target;
use crate::migrations::Migrations;

/// Stamps the revisions the tool applied on `database`, under the lock.
/// `migrations` is the directory the conversion was written to.
pub fn adopt(
    conversion: &Conversion,
    migrations: &Migrations,
    database: &mut Database,
    observer: &mut dyn Observer,
) -> Result<StampReport, ImportError> {
    let mut migrator = Migrator::new(migrations, database, observer)?;
    migrator.stamp_with(|backend| {
        let applied = applied(conversion, backend)?;
        Ok(applied
            .last()
            .map_or(Target::Base, |last| Target::Revision((*last).to_owned())))
    })
}

/// The versions `adopt` would stamp, read without the lock (`--dry-run`).
pub fn preview<'a>(
    conversion: &'a Conversion,
    database: &mut Database,
) -> Result<Vec<&'a str>, ImportError> {
    applied(conversion, database.backend.as_mut())
}

/// The versions the tool applied, in chain order: always a prefix of it.
fn applied<'a>(
    conversion: &'a Conversion,
    backend: &mut dyn Backend,
) -> Result<Vec<&'a str>, ImportError> {
    let format = conversion.format;
    let history = format
        .history(backend, &conversion.migrations)
        .map_err(|source| ImportError::History {
            format,
            table: format.history_table(),
            source: Box::new(source),
        })?;
    prefix(conversion, &history).map_err(|problems| ImportError::Refused {
        format,
        table: format.history_table(),
        problems,
    })
}

/// Checks `history` against the chain and returns the applied prefix.
fn prefix<'a>(
    conversion: &'a Conversion,
    history: &History,
) -> Result<Vec<&'a str>, Vec<HistoryProblem>> {
    let migrations = &conversion.migrations;
    let mut problems: Vec<HistoryProblem> = history
        .failed
        .iter()
        .map(|version| HistoryProblem::Failed {
            version: version.clone(),
            name: migrations
                .iter()
                .find(|migration| &migration.version == version)
                .map(|migration| migration.name.clone()),
        })
        .collect();
    let mut missing: Vec<&String> = history
        .applied
        .iter()
        .filter(|version| !migrations.iter().any(|m| &m.version == *version))
        .collect();
    missing.dedup();
    problems.extend(
        missing
            .into_iter()
            .map(|version| HistoryProblem::MissingFile {
                version: version.clone(),
            }),
    );
    let is_applied: Vec<bool> = migrations
        .iter()
        .map(|migration| history.applied.contains(&migration.version))
        .collect();
    let count = is_applied.iter().take_while(|applied| **applied).count();
    if let Some(later) = is_applied[count..].iter().position(|applied| *applied) {
        problems.push(HistoryProblem::OutOfOrder {
            pending: migrations[count].name.clone(),
            applied: migrations[count + later].name.clone(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(migrations[..count]
        .iter()
        .map(|migration| migration.version.as_str())
        .collect())
}
