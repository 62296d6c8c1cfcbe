//! `sqlmig import`: another tool's migrations directory turned into revision
//! files (the README's "Switching from another tool").
//!
//! One reader per tool (`dbmate`, `goose`, `golang_migrate`, `sqlx`,
//! `flyway`, `diesel`, `refinery`) maps its file names, sections, paired
//! files and markers onto [`Migration`]s, each with the version exactly as
//! the tool records it in its history table, and reads that table back for
//! `--adopt`. This module orders them into one linear chain, renders the
//! revision files and `sqlmig.sum`, checks every file parses, and writes
//! them all or nothing ([`Conversion`]). `adopt` matches the tool's history
//! to the chain and stamps it.

pub mod adopt;
mod dbmate;
mod diesel;
mod error;
mod flyway;
mod golang_migrate;
mod goose;
mod refinery;
mod source;
mod sqlx;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use error::{HistoryProblem, ImportError, Unconvertible};

use crate::backend::{Backend, DbError};
use crate::dialect::Dialect;
use crate::revision::{Checksum, SourceFile, parse_revision, validate_id};
use crate::sum::{SUM_FILE_NAME, SumEntry, SumFile};

/// A migration tool whose directory sqlmig imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// dbmate: `VERSION_name.sql` with `-- migrate:up` / `-- migrate:down`.
    Dbmate,
    /// goose: `VERSION_name.sql` with `-- +goose Up` / `-- +goose Down`.
    Goose,
    /// golang-migrate: `VERSION_name.up.sql` and `VERSION_name.down.sql`.
    GolangMigrate,
    /// sqlx: `VERSION_name.sql`, or `.up.sql` and `.down.sql` pairs.
    Sqlx,
    /// Flyway: `V1_1__name.sql`, undo files `U1_1__name.sql`.
    Flyway,
    /// diesel: `YYYY-MM-DD-HHMMSS_name/` folders with `up.sql` and `down.sql`.
    Diesel,
    /// refinery: `V1__name.sql`.
    Refinery,
}

impl Format {
    /// Every format, in the order `--from` lists them.
    pub const ALL: [Format; 7] = [
        Format::Dbmate,
        Format::Goose,
        Format::GolangMigrate,
        Format::Sqlx,
        Format::Flyway,
        Format::Diesel,
        Format::Refinery,
    ];

    /// The name `--from` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Dbmate => "dbmate",
            Format::Goose => "goose",
            Format::GolangMigrate => "golang-migrate",
            Format::Sqlx => "sqlx",
            Format::Flyway => "flyway",
            Format::Diesel => "diesel",
            Format::Refinery => "refinery",
        }
    }

    /// The table where the tool records what it applied.
    pub fn history_table(self) -> &'static str {
        match self {
            Format::Dbmate | Format::GolangMigrate => "schema_migrations",
            Format::Goose => "goose_db_version",
            Format::Sqlx => "_sqlx_migrations",
            Format::Flyway => "flyway_schema_history",
            Format::Diesel => "__diesel_schema_migrations",
            Format::Refinery => "refinery_schema_history",
        }
    }

    fn read(self, src: &Path) -> Result<Vec<Read>, ImportError> {
        match self {
            Format::Dbmate => dbmate::read(src),
            Format::Goose => goose::read(src),
            Format::GolangMigrate => golang_migrate::read(src),
            Format::Sqlx => sqlx::read(src),
            Format::Flyway => flyway::read(src),
            Format::Diesel => diesel::read(src),
            Format::Refinery => refinery::read(src),
        }
    }

    fn history(
        self,
        backend: &mut dyn Backend,
        migrations: &[Migration],
    ) -> Result<History, DbError> {
        match self {
            Format::Dbmate => dbmate::history(backend),
            Format::Goose => goose::history(backend),
            Format::GolangMigrate => golang_migrate::history(backend, migrations),
            Format::Sqlx => sqlx::history(backend),
            Format::Flyway => flyway::history(backend, migrations),
            Format::Diesel => diesel::history(backend),
            Format::Refinery => refinery::history(backend),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name `--from` does not know.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "unknown format `{0}`: expected dbmate, goose, golang-migrate, sqlx, flyway, diesel or refinery"
)]
pub struct UnknownFormat(String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == text)
            .ok_or_else(|| UnknownFormat(text.to_owned()))
    }
}

/// One migration of the other tool, converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The version as the tool records it; the revision id.
    pub version: String,
    /// Its file or folder, relative to the source directory.
    pub name: String,
    /// The revision file's name in the migrations directory.
    pub file_name: String,
    /// The message, from the name.
    pub message: String,
    /// The up section.
    pub up: String,
    /// The down section; `None` when the tool has none (irreversible).
    pub down: Option<String>,
    /// `false` when the tool's marker runs it outside a transaction.
    pub transactional: bool,
    /// Where the tool puts it: numeric parts first, then text.
    order: (Vec<u64>, String),
}

/// What a reader makes of one migration.
type Read = Result<Migration, Unconvertible>;

/// A converted directory: the chain of migrations, its revision files and
/// `sqlmig.sum`, every file checked to parse.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The tool.
    pub format: Format,
    /// The migrations in the tool's order, each revising the one before.
    pub migrations: Vec<Migration>,
    files: Vec<(String, String)>,
}

impl Conversion {
    /// Reads `src` as `format`'s directory and converts every migration, or
    /// names every one that cannot be (nothing is written either way).
    /// `dialect` splits the statements, as `sqlmig` will load them.
    pub fn read(format: Format, src: &Path, dialect: Dialect) -> Result<Self, ImportError> {
        let mut migrations = Vec::new();
        let mut refused = Vec::new();
        for read in format.read(src)? {
            match read {
                Ok(migration) => migrations.push(migration),
                Err(unconvertible) => refused.push(unconvertible),
            }
        }
        let mut by_version: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for migration in &migrations {
            by_version
                .entry(&migration.version)
                .or_default()
                .push(&migration.name);
        }
        for (version, names) in by_version.iter().filter(|(_, names)| names.len() > 1) {
            for name in names {
                refused.push(Unconvertible {
                    name: (*name).to_owned(),
                    reason: format!("version {version} is used by {}", names.join(" and ")),
                });
            }
        }
        migrations.sort_by(|a, b| a.order.cmp(&b.order));
        let mut files = Vec::new();
        let mut parent: Option<&str> = None;
        for migration in &migrations {
            let text = render(migration, parent);
            match check(migration, &text, dialect) {
                Ok(()) => files.push((migration.file_name.clone(), text)),
                Err(reason) => refused.push(Unconvertible {
                    name: migration.name.clone(),
                    reason,
                }),
            }
            parent = Some(&migration.version);
        }
        if !refused.is_empty() {
            refused.sort_by(|a, b| a.name.cmp(&b.name));
            return Err(ImportError::Unconvertible {
                format,
                migrations: refused,
            });
        }
        if migrations.is_empty() {
            return Err(ImportError::Empty {
                format,
                source_dir: src.to_path_buf(),
            });
        }
        Ok(Conversion {
            format,
            migrations,
            files,
        })
    }

    /// The revision files, `(name, text)`, in chain order.
    pub fn files(&self) -> &[(String, String)] {
        &self.files
    }

    /// The `sqlmig.sum` recording every file.
    pub fn sum(&self) -> SumFile {
        SumFile::new(
            self.migrations
                .iter()
                .zip(&self.files)
                .map(|(migration, (name, text))| SumEntry {
                    revision: migration.version.clone(),
                    checksum: Checksum::of_file(text),
                    path: name.clone(),
                })
                .collect(),
        )
    }

    /// Writes the files and `sqlmig.sum` into `dir`, all or nothing: into a
    /// new directory beside it, renamed into place. `dir` must be missing,
    /// empty, or hold exactly these files already (an import done before:
    /// [`Written::Unchanged`]).
    pub fn write(&self, dir: &Path) -> Result<Written, ImportError> {
        let mut everything = self.files.clone();
        everything.push((SUM_FILE_NAME.to_owned(), self.sum().render()));
        match source::visible_entries(dir) {
            Ok(present) if present.is_empty() => {}
            Ok(present) => {
                let same = present.len() == everything.len()
                    && everything.iter().all(|(name, text)| {
                        std::fs::read_to_string(dir.join(name)).is_ok_and(|found| &found == text)
                    });
                return if same {
                    Ok(Written::Unchanged)
                } else {
                    Err(ImportError::NotEmpty {
                        dir: dir.to_path_buf(),
                    })
                };
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(ImportError::Read {
                    path: dir.to_path_buf(),
                    source,
                });
            }
        }
        source::write_all_or_nothing(dir, &everything)?;
        Ok(Written::Created)
    }
}

/// What [`Conversion::write`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The files were written.
    Created,
    /// The directory already held exactly these files.
    Unchanged,
}

/// A revision file: the header, then the tool's sections.
fn render(migration: &Migration, parent: Option<&str>) -> String {
    let mut text = format!("-- revision: {}\n", migration.version);
    if let Some(parent) = parent {
        text.push_str(&format!("-- revises: {parent}\n"));
    }
    if !migration.message.is_empty() {
        text.push_str(&format!("-- message: {}\n", migration.message));
    }
    if !migration.transactional {
        text.push_str("-- transaction: false\n");
    }
    text.push_str("\n-- up\n");
    push_section(&mut text, &migration.up);
    if let Some(down) = &migration.down {
        text.push_str("\n-- down\n");
        push_section(&mut text, down);
    }
    text
}

fn push_section(text: &mut String, body: &str) {
    let body = body.trim_matches('\n').trim_end();
    if !body.is_empty() {
        text.push_str(body);
        text.push('\n');
    }
}

/// Whether the rendered file means what the tool's file meant: no line of
/// a section reads as sqlmig's section marker, the id is valid, and the file
/// parses for `dialect`.
fn check(migration: &Migration, text: &str, dialect: Dialect) -> Result<(), String> {
    validate_id(&migration.version).map_err(|reason| {
        format!(
            "version `{}` cannot be a revision id: {reason}",
            migration.version
        )
    })?;
    for body in std::iter::once(&migration.up).chain(&migration.down) {
        if let Some(line) = body.lines().find(|line| is_section_marker(line)) {
            return Err(format!(
                "the line `{}` would read as a sqlmig section marker: reword that comment",
                line.trim()
            ));
        }
    }
    let file = SourceFile {
        path: PathBuf::from(&migration.file_name),
        relative_path: migration.file_name.clone(),
    };
    parse_revision(text, &file, dialect)
        .map(|_| ())
        .map_err(|errors| {
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
}

fn is_section_marker(line: &str) -> bool {
    line.trim()
        .strip_prefix("--")
        .map(str::trim)
        .is_some_and(|word| word.eq_ignore_ascii_case("up") || word.eq_ignore_ascii_case("down"))
}

/// What the tool's history table says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct History {
    /// Versions applied, as recorded.
    applied: Vec<String>,
    /// Versions recorded as dirty or failed.
    failed: Vec<String>,
}

/// The message of a migration named `description` (`create_users` becomes
/// `create users`).
fn message(description: &str) -> String {
    description
        .split(['_', '-', ' '])
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The leading ASCII digits of `name` and the rest, when there are any.
fn leading_digits(name: &str) -> Option<(&str, &str)> {
    let end = name
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(name.len());
    (end > 0).then(|| name.split_at(end))
}

/// A version the tool parses as an integer, as it records it (no leading
/// zeros), with its order key.
fn integer_version(digits: &str) -> Option<(String, (Vec<u64>, String))> {
    let value: i64 = digits.parse().ok()?;
    let unsigned = u64::try_from(value).ok()?;
    Some((value.to_string(), (vec![unsigned], String::new())))
}

/// Reads `history`'s rows with `sql`, every value as text.
fn history_rows(backend: &mut dyn Backend, sql: &str) -> Result<Vec<Vec<String>>, DbError> {
    let rows = backend.query(&crate::sql::Sql {
        text: sql.to_owned(),
        params: Vec::new(),
    })?;
    Ok(rows
        .into_iter()
        .map(|row| {
            row.iter()
                .map(|value| value.as_text().unwrap_or_default())
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_versions_come_from_names() {
        assert_eq!(message("create_users-table"), "create users table");
        assert_eq!(leading_digits("00001_x.sql"), Some(("00001", "_x.sql")));
        assert_eq!(leading_digits("x.sql"), None);
        assert_eq!(integer_version("00001").map(|v| v.0), Some("1".into()));
    }

    #[test]
    fn section_markers_in_a_body_are_found() {
        assert!(is_section_marker("  --  DOWN "));
        assert!(!is_section_marker("-- down the road"));
        assert!(!is_section_marker("SELECT 1; -- up"));
    }

    #[test]
    fn formats_round_trip_through_their_names() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>().ok(), Some(format));
        }
        assert!("liquibase".parse::<Format>().is_err());
    }
}
