//! A revision file, parsed: its header, its up and down statements with their
//! positions, and its checksums.
//!
//! `source` finds and reads the files, `parse` turns one file into a
//! [`Revision`] through the pest grammar in `grammar/revision.pest`, `split`
//! cuts a section into statements, `checksum` computes what `sqlmig.sum` and
//! the database record.

mod checksum;
mod error;
mod fast;
mod grammar;
mod id;
mod parse;
mod source;
mod split;

use std::fmt;
use std::path::PathBuf;

use crate::span::Span;

pub use checksum::{BadChecksum, Checksum, NotUtf8, normalize};
pub use error::{ParseError, ParseErrorKind, Unterminated};
pub use id::{MAX_ID_LENGTH, validate_id};
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub use parse::fast_path_agreement;
pub use parse::parse_revision;
pub use source::{SourceFile, discover};
pub use split::{SplitError, split_statements};

/// One parsed revision file.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The revision id from `-- revision:`.
    pub id: String,
    /// Parent ids from `-- revises:`; empty for a root.
    pub parents: Vec<String>,
    /// Ids from `-- depends-on:` that must be applied first without being parents.
    pub dependencies: Vec<String>,
    /// Branch labels from `-- branch:`.
    pub branches: Vec<String>,
    /// The one-line `-- message:`, empty when absent.
    pub message: String,
    /// `false` when `-- transaction: false` asks for statements to run one by
    /// one outside a transaction.
    pub transactional: bool,
    /// The `-- up` section.
    pub up: Section,
    /// The `-- down` section; `None` makes the revision irreversible.
    pub down: Option<Section>,
    /// The file as the user names it: the migrations directory joined with
    /// [`Revision::relative_path`].
    pub path: PathBuf,
    /// The path relative to the migrations directory, with `/` separators, as
    /// `sqlmig.sum` records it.
    pub relative_path: String,
    /// The revision checksum (what a deploy depends on; the database records it).
    pub checksum: Checksum,
    /// The checksum of the whole normalised file (what `sqlmig.sum` records).
    pub file_checksum: Checksum,
    /// Where the header keys are, for messages about them.
    pub header_lines: HeaderLines,
}

impl Revision {
    /// The checksum of the down section, if there is one.
    pub fn down_checksum(&self) -> Option<Checksum> {
        self.down.as_ref().map(|section| section.checksum)
    }

    /// The down section when it is empty while the up section is not: a
    /// downgrade through it would succeed and undo nothing (SPEC §8, lint
    /// rule `empty-down`). A down section holding only the comment
    /// `-- nothing to undo` says so on purpose and is not one. `verify`
    /// warns, `lint` and `test` report it, `downgrade` and `emit` refuse it.
    pub fn empty_down(&self) -> Option<EmptyDown> {
        let down = self.down.as_ref()?;
        (down.statements.is_empty() && !down.nothing_to_undo && !self.up.statements.is_empty())
            .then(|| EmptyDown {
                revision: self.id.clone(),
                span: Span::new(&self.path, down.line, 1),
            })
    }
}

/// An empty down section under a non-empty up section: which revision, and
/// where its `-- down` marker is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyDown {
    /// The revision's id.
    pub revision: String,
    /// The file and line of its `-- down` marker.
    pub span: Span,
}

impl EmptyDown {
    /// How to fix it.
    pub const HELP: &'static str = "write the statements that undo the up section under `-- down`, or, if nothing needs undoing, only the comment `-- nothing to undo`";
}

impl fmt::Display for EmptyDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the down section of revision {} is empty while its up section is not, so a downgrade through it would undo nothing",
            self.span, self.revision
        )
    }
}

/// The comment that marks an intentionally empty down section.
pub const NOTHING_TO_UNDO: &str = "-- nothing to undo";

/// Whether a section's text (after its marker) holds the comment line
/// `-- nothing to undo` (any case, any spacing after `--`).
pub(crate) fn says_nothing_to_undo(text: &str) -> bool {
    text.lines().any(|line| {
        line.trim()
            .strip_prefix("--")
            .is_some_and(|comment| comment.trim().eq_ignore_ascii_case("nothing to undo"))
    })
}

/// The 1-based lines of the header keys that other checks point at; 0 when absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeaderLines {
    /// The `-- revision:` line.
    pub revision: u32,
    /// The `-- revises:` line.
    pub revises: u32,
    /// The `-- depends-on:` line.
    pub depends_on: u32,
}

/// An up or down section: its marker line, its statements and its checksum.
#[derive(Debug, Clone)]
pub struct Section {
    /// The 1-based line of the `-- up` / `-- down` marker.
    pub line: u32,
    /// The statements, in file order.
    pub statements: Vec<Statement>,
    /// Blake3 of the section's text (for the down section: the down checksum).
    pub checksum: Checksum,
    /// The section holds no statement and the comment `-- nothing to undo`:
    /// an intentionally empty down section.
    pub nothing_to_undo: bool,
}

/// One SQL statement of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text, from its first significant token to its last,
    /// without the terminating `;` (comments inside are kept).
    pub sql: String,
    /// 1-based file line of its first character.
    pub line: u32,
    /// 1-based column (in characters) of its first character.
    pub column: u32,
    /// `true` when it came from a `-- statement-begin` / `-- statement-end`
    /// block or is a MySQL or SQLite compound statement (`CREATE PROCEDURE
    /// ... BEGIN ... END` and the like, kept whole without markers), so it may
    /// contain bare `;` (trigger, procedure, function and event bodies).
    pub delimited: bool,
}

impl Statement {
    /// The file line and column of the character at `char_offset` (0-based,
    /// counted in characters) inside this statement's text. Servers report
    /// error positions this way (PostgreSQL counts characters of the statement sent).
    pub fn position_of(&self, char_offset: usize) -> (u32, u32) {
        let mut line = self.line;
        let mut column = self.column;
        for c in self.sql.chars().take(char_offset) {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_of_maps_offsets_across_lines_and_multibyte_text() {
        let statement = Statement {
            sql: "SELECT 'é',\n  broken".into(),
            line: 7,
            column: 5,
            delimited: false,
        };
        assert_eq!(statement.position_of(0), (7, 5));
        assert_eq!(statement.position_of(8), (7, 13));
        assert_eq!(statement.position_of(14), (8, 3));
    }
}
