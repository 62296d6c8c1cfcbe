//! Errors found while reading and parsing one revision file. Each carries the
//! [`Span`] it was found at.

use std::fmt;

use crate::span::Span;

/// A problem in one revision file, at a position.
#[derive(Debug, thiserror::Error)]
#[error("{span}: {kind}")]
pub struct ParseError {
    /// Where the problem is (the start of the offending construct).
    pub span: Span,
    /// What the problem is.
    pub kind: ParseErrorKind,
}

impl ParseError {
    /// A problem `kind` at `span`.
    pub fn new(span: Span, kind: ParseErrorKind) -> Self {
        ParseError { span, kind }
    }
}

/// The lexical constructs that can be left open at the end of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unterminated {
    /// `'...`, `E'...` or a MySQL `"..."` string.
    String,
    /// `"...`, `` `... `` or `[...`.
    QuotedIdentifier,
    /// `$$...` or `$tag$...`.
    DollarQuote,
    /// `/* ...`.
    BlockComment,
}

impl fmt::Display for Unterminated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unterminated::String => "string literal",
            Unterminated::QuotedIdentifier => "quoted identifier",
            Unterminated::DollarQuote => "dollar-quoted string",
            Unterminated::BlockComment => "block comment",
        })
    }
}

/// What is wrong with a revision file.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ParseErrorKind {
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(#[source] std::io::Error),
    /// The file is not valid UTF-8.
    #[error("file is not valid UTF-8: invalid byte at offset {offset}")]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// A header key that sqlmig does not know.
    #[error("unknown header key `{key}`{}", did_you_mean(suggestion.as_deref()))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The known key it most likely means.
        suggestion: Option<String>,
    },
    /// A header key given twice.
    #[error("header key `{key}` is repeated (first given on line {first_line})")]
    RepeatedKey {
        /// The key.
        key: String,
        /// The line of its first occurrence.
        first_line: u32,
    },
    /// The required `-- revision:` key is absent.
    #[error("missing `-- revision: <id>` header")]
    MissingRevision,
    /// A revision id, parent, dependency or branch label that is not well formed.
    #[error("invalid {what} `{value}`: {reason}")]
    BadId {
        /// Which value it is (`revision id`, `parent id`, ...).
        what: &'static str,
        /// The value as written (past 80 characters cut, control characters escaped).
        value: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A revision id, parent, dependency or branch label holding a character
    /// that ids may not contain anywhere.
    #[error("invalid {what} `{value}`: character {} is not allowed", shown_character(*character))]
    BadIdCharacter {
        /// Which value it is (`revision id`, `parent id`, ...).
        what: &'static str,
        /// The value as written (past 80 characters cut, control characters escaped).
        value: String,
        /// The first character that is not allowed.
        character: char,
    },
    /// A header value holding a control character (NUL, escape, ...).
    #[error("header key `{key}` holds control character {}, which is not allowed", shown_character(*character))]
    ControlCharacter {
        /// The key.
        key: String,
        /// The first control character.
        character: char,
    },
    /// A value given twice in one list (`revises: a, a`).
    #[error("{what} `{value}` is listed twice")]
    RepeatedValue {
        /// Which list it is in.
        what: &'static str,
        /// The repeated value.
        value: String,
    },
    /// A key that needs a value has none.
    #[error("header key `{key}` needs a value")]
    EmptyValue {
        /// The key.
        key: String,
    },
    /// `transaction:` is neither `true` nor `false`.
    #[error("invalid `transaction` value `{value}`: expected `true` or `false`")]
    BadTransaction {
        /// The value as written.
        value: String,
    },
    /// No `-- up` line.
    #[error("missing `-- up` section marker")]
    MissingUp,
    /// `-- down` comes before `-- up`.
    #[error("`-- down` comes before `-- up`: the up section must come first")]
    DownBeforeUp,
    /// A section marker given twice.
    #[error("`-- {section}` is repeated (first on line {first_line})")]
    RepeatedSection {
        /// `up` or `down`.
        section: &'static str,
        /// The line of the first marker.
        first_line: u32,
    },
    /// SQL in the header, before `-- up`.
    #[error(
        "SQL before `-- up`: the header may only hold `-- key: value` lines, comments and blank lines"
    )]
    SqlBeforeUp,
    /// A string, identifier, dollar quote or comment that never ends.
    #[error("unterminated {0}")]
    Unterminated(Unterminated),
    /// `-- statement-begin` without a matching `-- statement-end`.
    #[error("`-- statement-begin` has no matching `-- statement-end`")]
    UnclosedStatementBlock,
    /// `-- statement-end` without a preceding `-- statement-begin`.
    #[error("`-- statement-end` without a preceding `-- statement-begin`")]
    UnopenedStatementBlock,
    /// `-- statement-begin` inside a block that is still open.
    #[error("`-- statement-begin` inside a block already opened on line {open_line}")]
    NestedStatementBlock {
        /// The line of the open block's `-- statement-begin`.
        open_line: u32,
    },
    /// A statement marker block holds no SQL.
    #[error("`-- statement-begin` / `-- statement-end` block holds no statement")]
    EmptyStatementBlock,
    /// pest gave up on the text (its call or stack limit); the grammar itself
    /// accepts every text.
    #[error("cannot parse the text: {message}")]
    Unparsable {
        /// pest's reason.
        message: String,
    },
    /// A mysql client `DELIMITER` command in a revision file.
    #[error(
        "`DELIMITER` is a command of the mysql client, not SQL: drop the `DELIMITER` lines and end the body with `;` (a `CREATE ... BEGIN ... END` body stays whole), or wrap it in `-- statement-begin` / `-- statement-end` lines"
    )]
    DelimiterCommand,
    /// More problems of the same file than sqlmig reports: only the first
    /// ones in text order are kept.
    #[error("… and {count} more {} in this file", if *count == 1 { "error" } else { "errors" })]
    MoreInFile {
        /// How many were left out.
        count: usize,
    },
}

/// A character for a message: visible ones in backticks, the others (white
/// space, control and format characters) as their code point.
fn shown_character(character: char) -> String {
    let escaped = !matches!(character, '\'' | '"' | '\\') && character.escape_debug().len() > 1;
    let invisible = character.is_whitespace() || escaped;
    if invisible {
        format!("U+{:04X}", u32::from(character))
    } else {
        format!("`{character}`")
    }
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(known) => format!(" (did you mean `{known}`?)"),
        None => String::from(
            " (known keys: revision, revises, message, depends-on, branch, transaction)",
        ),
    }
}
