//! golang-migrate: `VERSION_title.up.sql` and `VERSION_title.down.sql`
//! pairs, the version an integer. History: `schema_migrations` holds one
//! row, the current version and whether it is dirty; every version up to
//! it is applied.

use std::collections::BTreeMap;
use std::path::Path;

use super::source::{entries, text};
use super::{
    History, ImportError, Migration, Read, Unconvertible, history_rows, integer_version,
    leading_digits,
};
use crate::backend::{Backend, DbError};

/// The up and down files of one version.
#[derive(Default)]
struct Pair {
    up: Option<super::source::Entry>,
    down: Option<super::source::Entry>,
}

pub(super) fn read(src: &Path) -> Result<Vec<Read>, ImportError> {
    let mut pairs: BTreeMap<String, Pair> = BTreeMap::new();
    let mut reads = Vec::new();
    for entry in entries(src, false)?
        .into_iter()
        .filter(|entry| !entry.is_dir)
    {
        let (stem, is_up) = match (
            entry.file_name.strip_suffix(".up.sql"),
            entry.file_name.strip_suffix(".down.sql"),
        ) {
            (Some(stem), _) => (stem.to_owned(), true),
            (_, Some(stem)) => (stem.to_owned(), false),
            _ => continue,
        };
        let pair = pairs.entry(stem).or_default();
        let slot = if is_up { &mut pair.up } else { &mut pair.down };
        *slot = Some(entry);
    }
    for (stem, pair) in pairs {
        reads.push(convert(&stem, pair));
    }
    Ok(reads)
}

fn convert(stem: &str, pair: Pair) -> Read {
    let Some(up) = pair.up else {
        let name = pair.down.map(|down| down.name).unwrap_or_default();
        return Err(Unconvertible {
            name,
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
    let down = match pair.down {
        Some(down) => Some(text(&down.path, &down.name)?),
        None => None,
    };
    Ok(Migration {
        version,
        name: up.name.clone(),
        file_name: format!("{stem}.sql"),
        message: super::message(description),
        up: text(&up.path, &up.name)?,
        down,
        transactional: true,
        order,
    })
}

pub(super) fn history(
    backend: &mut dyn Backend,
    migrations: &[Migration],
) -> Result<History, DbError> {
    let rows = history_rows(
        backend,
        "SELECT version, CASE WHEN dirty THEN 1 ELSE 0 END FROM schema_migrations",
    )?;
    let mut history = History::default();
    for row in rows {
        let [version, dirty] = row.as_slice() else {
            continue;
        };
        // -1 is golang-migrate's "nothing applied".
        let Ok(current) = version.parse::<i64>() else {
            continue;
        };
        if current < 0 {
            continue;
        }
        if dirty == "1" {
            history.failed.push(current.to_string());
        }
        history.applied.extend(
            migrations
                .iter()
                .filter(|migration| migration.version.parse::<i64>().is_ok_and(|v| v < current))
                .map(|migration| migration.version.clone()),
        );
        history.applied.push(current.to_string());
    }
    Ok(history)
}
