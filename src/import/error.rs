//! [`ImportError`]: why an import or an adoption stopped, each naming the
//! other tool's migration (file or folder) or history row it is about.

use std::fmt;
use std::path::PathBuf;

use super::Format;
use crate::backend::DbError;
use crate::error::Error;

/// Why `import` wrote nothing, or `--adopt` stamped nothing.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The source directory or one of its files could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The source directory holds no migration of the format.
    #[error("{} holds no {format} migrations", source_dir.display())]
    Empty {
        /// The tool.
        format: Format,
        /// The directory read.
        source_dir: PathBuf,
    },
    /// Migrations that cannot become revision files: every one, by name.
    #[error(
        "cannot import from {format}, so nothing was written: {}\n{}",
        if migrations.len() == 1 { "this migration cannot be converted" } else { "these migrations cannot be converted" },
        Lines(migrations)
    )]
    Unconvertible {
        /// The tool.
        format: Format,
        /// Each migration that cannot be converted, with why.
        migrations: Vec<Unconvertible>,
    },
    /// The migrations directory already holds other files.
    #[error(
        "{} already holds files that differ from what the import writes, so nothing was written: import into a new or empty directory",
        dir.display()
    )]
    NotEmpty {
        /// The migrations directory.
        dir: PathBuf,
    },
    /// Writing the revision files failed; nothing of them was left behind.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory being written.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The other tool's history table could not be read.
    #[error("cannot read {format}'s history table `{table}`: {source}")]
    History {
        /// The tool.
        format: Format,
        /// The table.
        table: &'static str,
        /// The database's error.
        #[source]
        source: Box<DbError>,
    },
    /// The other tool's history cannot be adopted as it is.
    #[error(
        "cannot adopt {format}'s history from `{table}`, so nothing was stamped:\n{}",
        Lines(problems)
    )]
    Refused {
        /// The tool.
        format: Format,
        /// The table.
        table: &'static str,
        /// Every problem found.
        problems: Vec<HistoryProblem>,
    },
    /// The engine stopped (lock, state table, connection).
    #[error(transparent)]
    Engine(#[from] Error),
}

/// One migration of the other tool that cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unconvertible {
    /// Its file or folder, relative to the source directory.
    pub name: String,
    /// Why.
    pub reason: String,
}

impl fmt::Display for Unconvertible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "  {}: {}", self.name, self.reason)
    }
}

/// Something in the other tool's history table that sqlmig cannot adopt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryProblem {
    /// A row the tool marks dirty or failed: the migration stopped part-way.
    Failed {
        /// The version as recorded.
        version: String,
        /// Its migration's name, when there is a file for it.
        name: Option<String>,
    },
    /// An applied version with no migration in the source directory.
    MissingFile {
        /// The version as recorded.
        version: String,
    },
    /// A version applied after an earlier one that is not: sqlmig's chain is
    /// linear, so it cannot record the hole.
    OutOfOrder {
        /// The earlier migration that is not applied.
        pending: String,
        /// A later migration that is.
        applied: String,
    },
}

impl fmt::Display for HistoryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryProblem::Failed { version, name } => write!(
                f,
                "  version {version}{} is recorded as dirty or failed: it stopped part-way; fix the database and the tool's history first",
                name.as_ref()
                    .map_or_else(String::new, |name| format!(" ({name})"))
            ),
            HistoryProblem::MissingFile { version } => write!(
                f,
                "  version {version} is recorded as applied but has no migration in the source directory"
            ),
            HistoryProblem::OutOfOrder { pending, applied } => write!(
                f,
                "  {pending} is not applied but the later {applied} is: apply {pending} with the old tool first (sqlmig's chain is linear)"
            ),
        }
    }
}

struct Lines<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for Lines<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}
