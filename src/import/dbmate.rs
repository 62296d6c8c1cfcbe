//! dbmate: `VERSION_name.sql` files, the version the leading digits as
//! written, an up section after `-- migrate:up` and a down section after
//! `-- migrate:down`, each marker optionally followed by
//! `transaction:false`. History: one `schema_migrations` row per applied
//! version.

use std::path::Path;

use super::source::{entries, text};
use super::{History, ImportError, Migration, Read, Unconvertible, history_rows, leading_digits};
use crate::backend::{Backend, DbError};

pub(super) fn read(src: &Path) -> Result<Vec<Read>, ImportError> {
    Ok(entries(src, false)?
        .into_iter()
        .filter(|entry| !entry.is_dir && entry.file_name.ends_with(".sql"))
        .map(|entry| {
            let refuse = |reason: &str| Unconvertible {
                name: entry.name.clone(),
                reason: reason.to_owned(),
            };
            let stem = entry.file_name.trim_end_matches(".sql");
            let Some((version, rest)) = leading_digits(stem) else {
                return Err(refuse("the name does not start with a version number"));
            };
            let text = text(&entry.path, &entry.name)?;
            let sections = sections(&text).map_err(refuse)?;
            Ok(Migration {
                version: version.to_owned(),
                name: entry.name.clone(),
                file_name: entry.file_name.clone(),
                message: super::message(rest),
                up: sections.up,
                down: sections.down,
                transactional: sections.transactional,
                order: (Vec::new(), version.to_owned()),
            })
        })
        .collect())
}

struct Sections {
    up: String,
    down: Option<String>,
    transactional: bool,
}

fn sections(text: &str) -> Result<Sections, &'static str> {
    let mut up: Option<String> = None;
    let mut down: Option<String> = None;
    let mut transactional = true;
    for line in text.split_inclusive('\n') {
        let marker = line.trim().strip_prefix("--").map(str::trim);
        let section = marker.and_then(|rest| {
            let (word, options) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            Some((
                match word {
                    "migrate:up" => true,
                    "migrate:down" => false,
                    _ => return None,
                },
                options,
            ))
        });
        match section {
            Some((true, _)) if up.is_some() => return Err("it has two `-- migrate:up` sections"),
            Some((false, _)) if down.is_some() => {
                return Err("it has two `-- migrate:down` sections");
            }
            Some((false, _)) if up.is_none() => {
                return Err("`-- migrate:down` comes before `-- migrate:up`");
            }
            Some((is_up, options)) => {
                if options
                    .split_whitespace()
                    .any(|option| option == "transaction:false")
                {
                    transactional = false;
                }
                if is_up {
                    up = Some(String::new());
                } else {
                    down = Some(String::new());
                }
            }
            None => {
                if let Some(section) = down.as_mut().or(up.as_mut()) {
                    section.push_str(line);
                }
            }
        }
    }
    let up = up.ok_or("it has no `-- migrate:up` section")?;
    Ok(Sections {
        up,
        down,
        transactional,
    })
}

pub(super) fn history(backend: &mut dyn Backend) -> Result<History, DbError> {
    Ok(History {
        applied: history_rows(
            backend,
            "SELECT version FROM schema_migrations ORDER BY version",
        )?
        .into_iter()
        .filter_map(|row| row.into_iter().next())
        .collect(),
        failed: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_transaction_options() {
        let parsed = sections(
            "-- migrate:up transaction:false\nCREATE INDEX i ON t (x);\n\n-- migrate:down\nDROP INDEX i;\n",
        )
        .unwrap();
        assert_eq!(parsed.up, "CREATE INDEX i ON t (x);\n\n");
        assert_eq!(parsed.down.as_deref(), Some("DROP INDEX i;\n"));
        assert!(!parsed.transactional);
        assert!(sections("-- migrate:down\n-- migrate:up\n").is_err());
        assert!(sections("SELECT 1;\n").is_err());
    }
}
