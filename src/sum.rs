//! `migrations/sqlmig.sum`: the committed record of every revision file's
//! checksum (docs/DESIGN.md §5).
//!
//! The first line, `sqlmig-sum v1 <blake3 of the rest>`, commits to every entry,
//! so two branches that each add a revision change it differently and git
//! reports a conflict instead of silently merging two heads.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::revision::{Checksum, Revision};

/// The sum file's name inside the migrations directory.
pub const SUM_FILE_NAME: &str = "sqlmig.sum";

const HEADER_PREFIX: &str = "sqlmig-sum v1 ";

/// One line of the sum file: a revision file and its file checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumEntry {
    /// The revision id the file declares.
    pub revision: String,
    /// The file checksum.
    pub checksum: Checksum,
    /// The path relative to the migrations directory, `/`-separated.
    pub path: String,
}

/// The entries of a sum file, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SumFile {
    entries: Vec<SumEntry>,
}

impl SumFile {
    /// A sum file holding `entries` (sorted here by path).
    pub fn new(mut entries: Vec<SumEntry>) -> Self {
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        SumFile { entries }
    }

    /// The entries for `revisions`, as `sqlmig hash` records them.
    pub fn from_revisions<'a>(revisions: impl IntoIterator<Item = &'a Revision>) -> Self {
        Self::new(
            revisions
                .into_iter()
                .map(|revision| SumEntry {
                    revision: revision.id.clone(),
                    checksum: revision.file_checksum,
                    path: revision.relative_path.clone(),
                })
                .collect(),
        )
    }

    /// The entries, sorted by path.
    pub fn entries(&self) -> &[SumEntry] {
        &self.entries
    }

    /// The file's text: the header line, then one line per entry.
    pub fn render(&self) -> String {
        let body = self.body();
        format!(
            "{HEADER_PREFIX}{}\n{body}",
            Checksum::of_bytes(body.as_bytes())
        )
    }

    fn body(&self) -> String {
        let mut body = String::with_capacity(
            self.entries
                .iter()
                .map(|entry| entry.revision.len() + entry.path.len() + 67)
                .sum(),
        );
        for entry in &self.entries {
            body.push_str(&entry.revision);
            body.push(' ');
            entry.checksum.push_hex(&mut body);
            body.push(' ');
            body.push_str(&entry.path);
            body.push('\n');
        }
        body
    }

    /// Parses the text of the sum file at `path` (used in messages), checking
    /// the header's checksum against the entries.
    pub fn parse(text: &str, path: &Path) -> Result<Self, SumError> {
        let malformed = |line: usize, reason: String| SumError::Malformed {
            path: path.to_path_buf(),
            line,
            reason,
        };
        if let Some(line) = text.lines().position(|line| {
            ["<<<<<<<", "=======", ">>>>>>>"]
                .iter()
                .any(|m| line.starts_with(m))
        }) {
            return Err(SumError::MergeConflict {
                path: path.to_path_buf(),
                line: line + 1,
            });
        }
        let text = text.replace("\r\n", "\n");
        let (header, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        let recorded = header
            .strip_prefix(HEADER_PREFIX)
            .ok_or_else(|| malformed(1, format!("expected `{HEADER_PREFIX}<checksum>`")))?;
        let recorded: Checksum = recorded
            .trim()
            .parse()
            .map_err(|error: crate::revision::BadChecksum| malformed(1, error.to_string()))?;
        let mut entries = Vec::new();
        for (index, line) in body.lines().enumerate() {
            let line_number = index + 2;
            let mut fields = line.splitn(3, ' ');
            let (Some(revision), Some(checksum), Some(file)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(malformed(
                    line_number,
                    "expected `<revision> <checksum> <path>`".into(),
                ));
            };
            let checksum = checksum
                .parse()
                .map_err(|error: crate::revision::BadChecksum| {
                    malformed(line_number, error.to_string())
                })?;
            entries.push(SumEntry {
                revision: revision.to_owned(),
                checksum,
                path: file.to_owned(),
            });
        }
        let sum = SumFile { entries };
        if Checksum::of_bytes(sum.body().as_bytes()) != recorded
            || sum
                .entries
                .windows(2)
                .any(|pair| pair[0].path >= pair[1].path)
        {
            return Err(SumError::HeaderMismatch {
                path: path.to_path_buf(),
            });
        }
        Ok(sum)
    }

    /// Reads the sum file of `dir`; `Ok(None)` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Self>, SumError> {
        let path = dir.join(SUM_FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path).map(Some),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SumError::Io { path, source }),
        }
    }

    /// Writes the sum file into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), SumError> {
        let path = dir.join(SUM_FILE_NAME);
        std::fs::write(&path, self.render()).map_err(|source| SumError::Io { path, source })
    }

    /// What differs between this recorded sum file and the `actual` files, one
    /// problem per file, sorted by path.
    pub fn compare(&self, actual: &SumFile) -> Vec<SumProblem> {
        let mut problems = Vec::new();
        let (mut recorded, mut found) = (
            self.entries.iter().peekable(),
            actual.entries.iter().peekable(),
        );
        loop {
            match (recorded.peek(), found.peek()) {
                (Some(old), Some(new)) if old.path == new.path => {
                    if old.checksum != new.checksum {
                        problems.push(SumProblem::Modified {
                            path: new.path.clone(),
                            revision: new.revision.clone(),
                        });
                    }
                    recorded.next();
                    found.next();
                }
                (Some(old), new) if new.is_none_or(|new| old.path < new.path) => {
                    problems.push(SumProblem::Missing {
                        path: old.path.clone(),
                        revision: old.revision.clone(),
                    });
                    recorded.next();
                }
                (_, Some(new)) => {
                    problems.push(SumProblem::AddedWithoutHash {
                        path: new.path.clone(),
                        revision: new.revision.clone(),
                    });
                    found.next();
                }
                (None, None) => break,
                (Some(_), None) => unreachable!("handled by the `Missing` arm"),
            }
        }
        problems
    }
}

/// A difference between `sqlmig.sum` and the revision files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumProblem {
    /// The file changed since `sqlmig hash` recorded it.
    Modified {
        /// Relative path of the file.
        path: String,
        /// The revision id it declares.
        revision: String,
    },
    /// A file that `sqlmig.sum` does not list.
    AddedWithoutHash {
        /// Relative path of the file.
        path: String,
        /// The revision id it declares.
        revision: String,
    },
    /// A file listed in `sqlmig.sum` that is gone.
    Missing {
        /// Relative path of the file.
        path: String,
        /// The revision id recorded for it.
        revision: String,
    },
}

impl fmt::Display for SumProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SumProblem::Modified { path, revision } => write!(
                f,
                "modified: {path} (revision {revision}) changed since it was hashed. If the revision may be applied anywhere, restore the file and put the change in a new revision (`sqlmig new`): `upgrade` and `check` refuse an applied revision whose file changed, whatever sqlmig.sum says. Only if it was never applied anywhere, run `sqlmig hash`"
            ),
            SumProblem::AddedWithoutHash { path, revision } => write!(
                f,
                "added without hash: {path} (revision {revision}) is not in sqlmig.sum; run `sqlmig hash`"
            ),
            SumProblem::Missing { path, revision } => write!(
                f,
                "missing: {path} (revision {revision}) is in sqlmig.sum but the file is gone"
            ),
        }
    }
}

/// A sum file that cannot be read or trusted.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum SumError {
    /// Reading or writing failed.
    #[error("cannot access `{}`: {source}", path.display())]
    Io {
        /// The sum file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line that is not in the sum file's format.
    #[error("{}:{line}: malformed sum file: {reason}", path.display())]
    Malformed {
        /// The sum file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Git conflict markers: two branches each added revisions.
    #[error("{}:{line}: sqlmig.sum has a merge conflict: two branches added revisions; keep both sides' revision files, write a merge revision with `sqlmig merge -m \"...\"` if there are two heads, then run `sqlmig hash`", path.display())]
    MergeConflict {
        /// The sum file.
        path: PathBuf,
        /// 1-based line of the first conflict marker.
        line: usize,
    },
    /// The header checksum does not match the entries (edited by hand or
    /// merged without a conflict).
    #[error("{}:1: sqlmig.sum header does not match its entries (edited by hand or merged); check the revision files, then run `sqlmig hash`", path.display())]
    HeaderMismatch {
        /// The sum file.
        path: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(revision: &str, content: &str, path: &str) -> SumEntry {
        SumEntry {
            revision: revision.into(),
            checksum: Checksum::of_file(content),
            path: path.into(),
        }
    }

    #[test]
    fn render_and_parse_round_trip() {
        let sum = SumFile::new(vec![
            entry("b", "2", "b dir/x.sql"),
            entry("a", "1", "a.sql"),
        ]);
        let text = sum.render();
        assert!(text.starts_with("sqlmig-sum v1 "));
        assert_eq!(
            text.lines().nth(1).unwrap().split(' ').nth(2),
            Some("a.sql")
        );
        assert_eq!(SumFile::parse(&text, Path::new("s")).unwrap(), sum);
    }

    #[test]
    fn tampered_entries_break_the_header() {
        let text = SumFile::new(vec![entry("a", "1", "a.sql")]).render();
        let tampered = text.replace("a.sql", "b.sql");
        assert!(matches!(
            SumFile::parse(&tampered, Path::new("s")),
            Err(SumError::HeaderMismatch { .. })
        ));
        let conflict = format!("<<<<<<< HEAD\n{text}=======\n{text}>>>>>>> branch\n");
        assert!(matches!(
            SumFile::parse(&conflict, Path::new("s")),
            Err(SumError::MergeConflict { line: 1, .. })
        ));
        assert!(matches!(
            SumFile::parse("garbage\n", Path::new("s")),
            Err(SumError::Malformed { line: 1, .. })
        ));
    }

    #[test]
    fn two_branches_adding_revisions_change_the_header_differently() {
        let base = vec![entry("a", "1", "a.sql")];
        let mut left = base.clone();
        left.push(entry("b", "2", "b.sql"));
        let mut right = base;
        right.push(entry("c", "3", "c.sql"));
        let header = |entries| {
            SumFile::new(entries)
                .render()
                .lines()
                .next()
                .unwrap()
                .to_owned()
        };
        assert_ne!(header(left), header(right));
    }

    #[test]
    fn compare_names_each_kind_of_difference() {
        let recorded = SumFile::new(vec![
            entry("a", "1", "a.sql"),
            entry("b", "2", "b.sql"),
            entry("c", "3", "c.sql"),
        ]);
        let actual = SumFile::new(vec![
            entry("a", "1", "a.sql"),
            entry("b", "2 edited", "b.sql"),
            entry("d", "4", "d.sql"),
        ]);
        assert_eq!(
            recorded.compare(&actual),
            vec![
                SumProblem::Modified {
                    path: "b.sql".into(),
                    revision: "b".into()
                },
                SumProblem::Missing {
                    path: "c.sql".into(),
                    revision: "c".into()
                },
                SumProblem::AddedWithoutHash {
                    path: "d.sql".into(),
                    revision: "d".into()
                },
            ]
        );
        assert!(recorded.compare(&recorded).is_empty());
    }
}
