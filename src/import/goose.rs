//! goose: `VERSION_name.sql` (the version an integer), sections after
//! `-- +goose Up` and `-- +goose Down`, statement blocks between
//! `-- +goose StatementBegin` and `-- +goose StatementEnd`, and
//! `-- +goose NO TRANSACTION`. Go migrations cannot be converted. History:
//! `goose_db_version` rows, the newest row of a version deciding.

use std::collections::BTreeMap;
use std::path::Path;

use super::source::{entries, text};
use super::{
    History, ImportError, Migration, Read, Unconvertible, history_rows, integer_version,
    leading_digits,
};
use crate::backend::{Backend, DbError};

pub(super) fn read(src: &Path) -> Result<Vec<Read>, ImportError> {
    Ok(entries(src, false)?
        .into_iter()
        .filter(|entry| !entry.is_dir)
        .filter_map(|entry| {
            let refuse = |reason: &str| Unconvertible {
                name: entry.name.clone(),
                reason: reason.to_owned(),
            };
            if entry.file_name.ends_with(".go") {
                return Some(Err(refuse(
                    "a Go migration: sqlmig runs SQL only; rewrite it as a .sql migration first",
                )));
            }
            let stem = entry.file_name.strip_suffix(".sql")?;
            Some(
                convert(&entry.path, &entry.name, stem).map(|migration| Migration {
                    file_name: entry.file_name.clone(),
                    ..migration
                }),
            )
        })
        .collect())
}

fn convert(path: &Path, name: &str, stem: &str) -> Read {
    let refuse = |reason: String| Unconvertible {
        name: name.to_owned(),
        reason,
    };
    let (version, order) = leading_digits(stem)
        .filter(|(_, rest)| rest.starts_with('_'))
        .and_then(|(digits, _)| integer_version(digits))
        .ok_or_else(|| refuse("the name does not start with a version number and `_`".into()))?;
    let description = stem.split_once('_').map_or("", |(_, rest)| rest);
    let text = text(path, name)?;
    let (up, down, transactional) = sections(&text).map_err(refuse)?;
    Ok(Migration {
        version,
        name: name.to_owned(),
        file_name: String::new(),
        message: super::message(description),
        up,
        down,
        transactional,
        order,
    })
}

/// The up and down sections, with goose's blocks as sqlmig's, and whether
/// the migration runs in a transaction.
fn sections(text: &str) -> Result<(String, Option<String>, bool), String> {
    let mut up: Option<String> = None;
    let mut down: Option<String> = None;
    let mut transactional = true;
    for line in text.split_inclusive('\n') {
        let Some(annotation) = line.trim().strip_prefix("-- +goose") else {
            if let Some(section) = down.as_mut().or(up.as_mut()) {
                section.push_str(line);
            }
            continue;
        };
        let marker = match annotation.trim().to_ascii_uppercase().as_str() {
            "UP" if up.is_none() => {
                up = Some(String::new());
                continue;
            }
            "DOWN" if up.is_some() && down.is_none() => {
                down = Some(String::new());
                continue;
            }
            "NO TRANSACTION" => {
                transactional = false;
                continue;
            }
            "STATEMENTBEGIN" => "-- statement-begin\n",
            "STATEMENTEND" => "-- statement-end\n",
            _ => {
                return Err(format!(
                    "the annotation `{}` has no sqlmig equivalent here",
                    line.trim()
                ));
            }
        };
        down.as_mut()
            .or(up.as_mut())
            .ok_or("a statement block comes before `-- +goose Up`")?
            .push_str(marker);
    }
    let up = up.ok_or("it has no `-- +goose Up` annotation")?;
    Ok((up, down, transactional))
}

pub(super) fn history(backend: &mut dyn Backend) -> Result<History, DbError> {
    let rows = history_rows(
        backend,
        "SELECT version_id, CASE WHEN is_applied THEN 1 ELSE 0 END FROM goose_db_version ORDER BY id",
    )?;
    // Version 0 is the row goose writes when it creates the table.
    let mut latest: BTreeMap<i64, bool> = BTreeMap::new();
    for row in rows {
        if let [version, applied] = row.as_slice()
            && let Ok(version) = version.parse::<i64>()
            && version != 0
        {
            latest.insert(version, applied == "1");
        }
    }
    Ok(History {
        applied: latest
            .into_iter()
            .filter(|(_, applied)| *applied)
            .map(|(version, _)| version.to_string())
            .collect(),
        failed: Vec::new(),
    })
}
