//! sqlx: `VERSION_description.sql` (irreversible) or `.up.sql` and
//! `.down.sql` pairs, the version an integer, `-- no-transaction` on the
//! first line to run outside a transaction. History: one
//! `_sqlx_migrations` row per applied version, `success` false when it
//! failed.

use std::collections::BTreeMap;
use std::path::Path;

use super::source::{Entry, entries, text};
use super::{
    History, ImportError, Migration, Read, Unconvertible, history_rows, integer_version,
    leading_digits,
};
use crate::backend::{Backend, DbError};

const NO_TRANSACTION: &str = "-- no-transaction";

/// The files of one migration: the up (or only) file and the down file.
#[derive(Default)]
struct Files {
    up: Option<Entry>,
    down: Option<Entry>,
}

pub(super) fn read(src: &Path) -> Result<Vec<Read>, ImportError> {
    let mut migrations: BTreeMap<String, Files> = BTreeMap::new();
    for entry in entries(src, false)?
        .into_iter()
        .filter(|entry| !entry.is_dir)
    {
        let name = entry.file_name.as_str();
        let (stem, is_down) = if let Some(stem) = name.strip_suffix(".down.sql") {
            (stem, true)
        } else if let Some(stem) = name.strip_suffix(".up.sql") {
            (stem, false)
        } else if let Some(stem) = name.strip_suffix(".sql") {
            (stem, false)
        } else {
            continue;
        };
        let files = migrations.entry(stem.to_owned()).or_default();
        let slot = if is_down {
            &mut files.down
        } else {
            &mut files.up
        };
        *slot = Some(entry);
    }
    Ok(migrations
        .into_iter()
        .map(|(stem, files)| convert(&stem, files))
        .collect())
}

fn convert(stem: &str, files: Files) -> Read {
    let Some(up) = files.up else {
        return Err(Unconvertible {
            name: files.down.map(|down| down.name).unwrap_or_default(),
            reason: String::from("a down file without its .up.sql"),
        });
    };
    let (version, order) = leading_digits(stem)
        .filter(|(_, rest)| rest.starts_with('_'))
        .and_then(|(digits, _)| integer_version(digits))
        .ok_or_else(|| Unconvertible {
            name: up.name.clone(),
            reason: String::from("the name does not start with a version number and `_`"),
        })?;
    let description = stem.split_once('_').map_or("", |(_, rest)| rest);
    let (up_text, up_transactional) = directive(text(&up.path, &up.name)?);
    let down = match files.down {
        Some(down) => Some(directive(text(&down.path, &down.name)?)),
        None => None,
    };
    Ok(Migration {
        version,
        name: up.name.clone(),
        file_name: format!("{stem}.sql"),
        message: super::message(description),
        up: up_text,
        transactional: up_transactional && down.as_ref().is_none_or(|(_, flag)| *flag),
        down: down.map(|(text, _)| text),
        order,
    })
}

/// The text without sqlx's leading `-- no-transaction` line, and whether it
/// runs in a transaction.
fn directive(text: String) -> (String, bool) {
    match text.strip_prefix(NO_TRANSACTION) {
        Some(rest) => (
            rest.split_once('\n')
                .map_or("", |(_, body)| body)
                .to_owned(),
            false,
        ),
        None => (text, true),
    }
}

pub(super) fn history(backend: &mut dyn Backend) -> Result<History, DbError> {
    let mut history = History::default();
    for row in history_rows(
        backend,
        "SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM _sqlx_migrations ORDER BY version",
    )? {
        if let [version, success] = row.as_slice() {
            if success == "1" {
                history.applied.push(version.clone());
            } else {
                history.failed.push(version.clone());
            }
        }
    }
    Ok(history)
}
