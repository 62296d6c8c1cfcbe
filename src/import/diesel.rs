//! diesel: one folder per migration, `YYYY-MM-DD-HHMMSS_name/` holding
//! `up.sql` and `down.sql`, and `run_in_transaction = false` in its
//! `metadata.toml` to run outside a transaction. The version is the part of
//! the folder name before `_` without its dashes. History: one
//! `__diesel_schema_migrations` row per applied version.

use std::path::Path;

use super::source::{Entry, entries, text};
use super::{History, ImportError, Migration, Read, Unconvertible, history_rows};
use crate::backend::{Backend, DbError};

pub(super) fn read(src: &Path) -> Result<Vec<Read>, ImportError> {
    Ok(entries(src, false)?
        .into_iter()
        .filter(|entry| entry.is_dir)
        .map(|entry| convert(&entry))
        .collect())
}

fn convert(folder: &Entry) -> Read {
    let refuse = |reason: String| Unconvertible {
        name: format!("{}/", folder.name),
        reason,
    };
    let (prefix, description) = folder
        .file_name
        .split_once('_')
        .unwrap_or((folder.file_name.as_str(), ""));
    let version = prefix.replace('-', "");
    let file = |name: &str| {
        let path = folder.path.join(name);
        path.is_file()
            .then(|| text(&path, &format!("{}/{name}", folder.name)))
            .transpose()
    };
    let up = file("up.sql")?.ok_or_else(|| refuse(String::from("it has no up.sql")))?;
    let down = file("down.sql")?;
    let transactional = match file("metadata.toml")? {
        Some(metadata) => {
            let table: toml::Table = metadata
                .parse()
                .map_err(|error| refuse(format!("metadata.toml: {error}")))?;
            table
                .get("run_in_transaction")
                .and_then(toml::Value::as_bool)
                != Some(false)
        }
        None => true,
    };
    Ok(Migration {
        name: format!("{}/", folder.name),
        file_name: format!("{}.sql", folder.file_name),
        message: super::message(description),
        up,
        down,
        transactional,
        order: (Vec::new(), version.clone()),
        version,
    })
}

pub(super) fn history(backend: &mut dyn Backend) -> Result<History, DbError> {
    Ok(History {
        applied: history_rows(
            backend,
            "SELECT version FROM __diesel_schema_migrations ORDER BY version",
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next())
        .collect(),
        failed: Vec::new(),
    })
}
