//! Flyway: `V<version>__<description>.sql` below the location (folders
//! included), the version's parts separated by `.` or `_` and recorded with
//! dots (`V1_1__x` is `1.1`), ordered numerically; `U<version>__` undo files
//! become down sections, and `executeInTransaction=false` in a
//! `.sql.conf` file runs one outside a transaction. Repeatable (`R__`) and
//! baseline (`B`) migrations, Java code and `${placeholders}` cannot be
//! converted. History: `flyway_schema_history`, in `installed_rank` order.

use std::collections::BTreeMap;
use std::path::Path;

use super::source::{Entry, entries, text};
use super::{History, ImportError, Migration, Read, Unconvertible, history_rows};
use crate::backend::{Backend, DbError};

/// The files of one version.
#[derive(Default)]
struct Files {
    versioned: Option<(Entry, String)>,
    undo: Option<Entry>,
    config: Option<Entry>,
}

pub(super) fn read(src: &Path) -> Result<Vec<Read>, ImportError> {
    let mut versions: BTreeMap<String, Files> = BTreeMap::new();
    let mut reads = Vec::new();
    for entry in entries(src, true)? {
        let refuse = |reason: &str| {
            Err(Unconvertible {
                name: entry.name.clone(),
                reason: reason.to_owned(),
            })
        };
        let file_name = entry.file_name.clone();
        if [".java", ".class", ".kt"]
            .iter()
            .any(|suffix| file_name.ends_with(suffix))
        {
            reads.push(refuse(
                "a Java migration: sqlmig runs SQL only; rewrite it as a .sql migration first",
            ));
            continue;
        }
        let (stem, is_config) = if let Some(stem) = file_name.strip_suffix(".sql.conf") {
            (stem, true)
        } else if let Some(stem) = file_name.strip_suffix(".sql") {
            (stem, false)
        } else {
            continue;
        };
        if stem.starts_with("R__") {
            if !is_config {
                reads.push(refuse(
                    "a repeatable migration (R__) runs again whenever it changes; sqlmig has no equivalent: fold it into a versioned migration",
                ));
            }
            continue;
        }
        let Some((prefix, version, description)) = split_name(stem) else {
            continue;
        };
        let files = versions.entry(version.clone()).or_default();
        match prefix {
            _ if is_config => files.config = Some(entry),
            'V' => files.versioned = Some((entry, description)),
            'U' => files.undo = Some(entry),
            _ => reads.push(refuse(
                "a baseline migration (B) has no sqlmig equivalent: convert the versioned migrations it replaces",
            )),
        }
    }
    reads.extend(
        versions
            .into_iter()
            .map(|(version, files)| convert(version, files)),
    );
    Ok(reads)
}

/// `V1_1__add_email` as `('V', "1.1", "add_email")`.
fn split_name(stem: &str) -> Option<(char, String, String)> {
    let prefix = stem
        .chars()
        .next()
        .filter(|c| matches!(c, 'V' | 'U' | 'B'))?;
    let (version, description) = stem[1..].split_once("__")?;
    let version = version.replace('_', ".");
    version
        .split('.')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        .then(|| (prefix, version, description.to_owned()))
}

fn convert(version: String, files: Files) -> Read {
    let Some((entry, description)) = files.versioned else {
        let orphan = files.undo.or(files.config).map(|entry| entry.name);
        return Err(Unconvertible {
            name: orphan.unwrap_or_default(),
            reason: format!("there is no versioned migration V{version}__ for it"),
        });
    };
    let refuse = |reason: String| Unconvertible {
        name: entry.name.clone(),
        reason,
    };
    let up = text(&entry.path, &entry.name)?;
    let down = match &files.undo {
        Some(undo) => Some(text(&undo.path, &undo.name)?),
        None => None,
    };
    if let Some(at) = std::iter::once(&up)
        .chain(&down)
        .find_map(|body| body.find("${"))
    {
        let placeholder: String = up.get(at..).unwrap_or("${").chars().take(40).collect();
        return Err(refuse(format!(
            "it uses a Flyway placeholder ({}...), which sqlmig does not replace",
            placeholder.split('}').next().unwrap_or("${")
        )));
    }
    let transactional = match &files.config {
        Some(config) => {
            let text = text(&config.path, &config.name)?;
            !text.lines().any(|line| {
                line.split_once('=').is_some_and(|(key, value)| {
                    key.trim() == "executeInTransaction" && value.trim() == "false"
                })
            })
        }
        None => true,
    };
    let order = version
        .split('.')
        .map(|part| part.parse::<u64>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| refuse(format!("version {version} is too large")))?;
    Ok(Migration {
        file_name: format!("{}.sql", entry.file_name.trim_end_matches(".sql")),
        name: entry.name.clone(),
        message: super::message(&description),
        up,
        down,
        transactional,
        order: (order, String::new()),
        version,
    })
}

pub(super) fn history(
    backend: &mut dyn Backend,
    migrations: &[Migration],
) -> Result<History, DbError> {
    let rows = history_rows(
        backend,
        "SELECT version, type, CASE WHEN success THEN 1 ELSE 0 END FROM flyway_schema_history ORDER BY installed_rank",
    )?;
    let mut applied: Vec<String> = Vec::new();
    let mut failed = Vec::new();
    for row in rows {
        let [version, kind, success] = row.as_slice() else {
            continue;
        };
        // Repeatables have no version; the schema-creation row is not a migration.
        if version.is_empty() || kind == "SCHEMA" {
            continue;
        }
        if success != "1" {
            failed.push(version.clone());
        } else if kind.starts_with("UNDO") || kind == "DELETE" {
            applied.retain(|applied| applied != version);
        } else if kind == "BASELINE" {
            // Everything up to the baseline counts as applied.
            let baseline = migrations.iter().find(|m| &m.version == version);
            let limit = baseline.map(|m| m.order.clone());
            applied.extend(
                migrations
                    .iter()
                    .filter(|m| limit.as_ref().is_some_and(|limit| &m.order <= limit))
                    .map(|m| m.version.clone()),
            );
        } else if !applied.contains(version) {
            applied.push(version.clone());
        }
    }
    Ok(History { applied, failed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_recorded_with_dots() {
        assert_eq!(
            split_name("V1_1__add_email"),
            Some(('V', "1.1".into(), "add_email".into()))
        );
        assert_eq!(split_name("U2.0.1__x").map(|s| s.1), Some("2.0.1".into()));
        assert_eq!(split_name("V__x"), None);
        assert_eq!(split_name("Vx__x"), None);
    }
}
