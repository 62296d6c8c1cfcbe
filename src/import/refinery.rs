//! refinery: `V<integer>__<name>.sql` (and unversioned `U<integer>__`)
//! below the migrations folder, ordered by the integer;
//! `-- +refinery NO TRANSACTION` runs one outside a transaction. Rust
//! migrations cannot be converted. History: one `refinery_schema_history`
//! row per applied version.

use std::path::Path;

use super::source::{entries, text};
use super::{History, ImportError, Migration, Read, Unconvertible, history_rows, integer_version};
use crate::backend::{Backend, DbError};

const NO_TRANSACTION: &str = "-- +refinery NO TRANSACTION";

pub(super) fn read(src: &Path) -> Result<Vec<Read>, ImportError> {
    Ok(entries(src, true)?
        .into_iter()
        .filter_map(|entry| {
            let refuse = |reason: &str| Unconvertible {
                name: entry.name.clone(),
                reason: reason.to_owned(),
            };
            let file_name = entry.file_name.as_str();
            let is_rust = file_name.ends_with(".rs");
            let stem = file_name
                .strip_suffix(".sql")
                .or_else(|| file_name.strip_suffix(".rs"))?;
            let (version, description) = stem
                .strip_prefix(['V', 'U'])
                .and_then(|rest| rest.split_once("__"))?;
            if is_rust {
                return Some(Err(refuse(
                    "a Rust migration: sqlmig runs SQL only; rewrite it as a .sql migration first",
                )));
            }
            let Some((version, order)) = integer_version(version) else {
                return Some(Err(refuse("the version is not an integer")));
            };
            Some(text(&entry.path, &entry.name).map(|up| Migration {
                version,
                name: entry.name.clone(),
                file_name: entry.file_name.clone(),
                message: super::message(description),
                transactional: !up.lines().any(|line| line.trim() == NO_TRANSACTION),
                up,
                down: None,
                order,
            }))
        })
        .collect())
}

pub(super) fn history(backend: &mut dyn Backend) -> Result<History, DbError> {
    Ok(History {
        applied: history_rows(
            backend,
            "SELECT version FROM refinery_schema_history ORDER BY version",
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next())
        .collect(),
        failed: Vec::new(),
    })
}
