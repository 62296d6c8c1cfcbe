//! The fast path of [`parse_revision`](super::parse_revision): a hand-written
//! scanner for the shapes nearly every revision file has, about twenty times
//! faster than the grammar (which is most of the time `verify` and `upgrade`
//! spend loading a directory of thousands of revisions).
//!
//! It only answers when it is sure. It handles a header of `-- key: value`
//! entries, blank lines and `--` comments; `-- up` then an optional
//! `-- down`; statements with strings, quoted identifiers, comments, dollar
//! quotes and `E''` strings (PostgreSQL), backticks and brackets (SQLite),
//! backticks and strings without backslashes (MySQL); and
//! `-- statement-begin` / `-- statement-end` blocks. At anything else
//! (a MySQL or SQLite `CREATE` that may start a compound statement such as
//! `CREATE PROCEDURE ... BEGIN ... END`, another header line, a construct
//! that never closes, nested comments, MySQL `#` comments, executable
//! comments or backslash escapes, form feeds, vertical tabs, any mistake at
//! all) it gives up and returns `None`, and
//! the file goes through the grammar (`grammar/revision.pest`), which stays
//! the definition of the format and the source of every error message.
//! The tests in `parse.rs` check that whenever the scanner answers, the
//! grammar gives the same revision, byte for byte.
//!
//! The scanner follows the grammar's reading: marker lines are recognised
//! only at the start of a line that is not inside a string, quoted
//! identifier, dollar quote or block comment; a statement runs from its first
//! significant character to the end of its last token (string, identifier,
//! number, operator...), so comments and white space around it are not part
//! of it; in a block, a `;` is part of the statement unless only comments and
//! white space follow it up to a marker line or the end of the file.

use crate::dialect::Dialect;

/// What the scanner read from a file.
#[derive(Debug)]
pub(super) struct Scanned<'t> {
    /// The header's `-- key: value` entries, in file order.
    pub(super) entries: Vec<Entry<'t>>,
    /// The sections, in file order.
    pub(super) sections: Vec<ScannedSection<'t>>,
}

/// One `-- key: value` line.
#[derive(Debug)]
pub(super) struct Entry<'t> {
    /// Byte offset of the key.
    pub(super) key_offset: usize,
    /// The key as written.
    pub(super) key: &'t str,
    /// The rest of the line after the `:`, untrimmed.
    pub(super) value: &'t str,
}

/// One `-- up` or `-- down` section.
#[derive(Debug)]
pub(super) struct ScannedSection<'t> {
    /// Byte offset of the marker's `--`.
    pub(super) marker_offset: usize,
    /// `-- up` (else `-- down`).
    pub(super) up: bool,
    /// From after the marker line to the start of the next marker line.
    pub(super) text: &'t str,
    /// The statements, as byte ranges of the file.
    pub(super) statements: Vec<Piece>,
}

/// A statement's place in the file.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    pub(super) start: usize,
    pub(super) end: usize,
    /// From a `-- statement-begin` / `-- statement-end` block.
    pub(super) delimited: bool,
}

/// A marker line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Up,
    Down,
    Begin,
    End,
}

/// What starts at a position inside a statement or between statements.
enum Token {
    /// A comment, up to (not including) this offset.
    Comment(usize),
    /// Part of a statement, up to this offset.
    Chunk(usize),
}

/// Reads `text` (normalised: no BOM, no CR) with `dialect`'s lexical rules;
/// `None` when the file is not one the scanner handles.
pub(super) fn scan(text: &str, dialect: Dialect) -> Option<Scanned<'_>> {
    Scanner {
        text,
        bytes: text.as_bytes(),
        dialect,
    }
    .file()
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    dialect: Dialect,
}

impl<'t> Scanner<'t> {
    fn len(&self) -> usize {
        self.bytes.len()
    }

    fn at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(offset).copied()
    }

    /// The end of the line starting at or containing `offset`: its `\n`, or
    /// the end of the text.
    fn line_end(&self, offset: usize) -> usize {
        self.bytes[offset..]
            .iter()
            .position(|&byte| byte == b'\n')
            .map_or(self.len(), |position| offset + position)
    }

    fn file(&self) -> Option<Scanned<'t>> {
        let mut entries = Vec::new();
        let mut line_start = 0;
        // The header: entries, blank lines and `--` comments up to the first
        // section marker.
        let (mut marker_start, mut up) = loop {
            let line_end = self.line_end(line_start);
            match self.marker(line_start, line_end) {
                Some(Marker::Up) => break (line_start, true),
                Some(Marker::Down) => break (line_start, false),
                _ => {}
            }
            if let Some(entry) = self.header_entry(line_start, line_end) {
                entries.push(entry);
            } else if !self.blank_or_comment(line_start, line_end) {
                return None;
            }
            if line_end == self.len() {
                return None;
            }
            line_start = line_end + 1;
        };
        let mut sections = Vec::new();
        loop {
            let marker_end = self.line_end(marker_start);
            let (statements, body_end, next) = self.body(marker_end)?;
            let text = if marker_end < self.len() {
                &self.text[marker_end + 1..body_end]
            } else {
                ""
            };
            sections.push(ScannedSection {
                marker_offset: marker_start + self.indentation(marker_start),
                up,
                text,
                statements,
            });
            match next {
                Some((start, next_up)) => (marker_start, up) = (start, next_up),
                None => break,
            }
        }
        Some(Scanned { entries, sections })
    }

    fn indentation(&self, offset: usize) -> usize {
        self.bytes[offset..]
            .iter()
            .take_while(|&&byte| byte == b' ' || byte == b'\t')
            .count()
    }

    /// The marker on the line `[start, end)`, if it is one: `--`, a marker
    /// word in any case, horizontal white space around them.
    fn marker(&self, start: usize, end: usize) -> Option<Marker> {
        let line = &self.bytes[start..end];
        let line = trim_horizontal_start(line).strip_prefix(b"--")?;
        let word = trim_horizontal_end(trim_horizontal_start(line));
        if word.eq_ignore_ascii_case(b"up") {
            Some(Marker::Up)
        } else if word.eq_ignore_ascii_case(b"down") {
            Some(Marker::Down)
        } else if word.eq_ignore_ascii_case(b"statement-begin") {
            Some(Marker::Begin)
        } else if word.eq_ignore_ascii_case(b"statement-end") {
            Some(Marker::End)
        } else {
            None
        }
    }

    /// The marker on the line starting at `start`.
    fn marker_at(&self, start: usize) -> Option<Marker> {
        if start > self.len() {
            return None;
        }
        // Most lines do not start with `--`: check before finding the end.
        let first = start + self.indentation(start);
        if !self.bytes[first..].starts_with(b"--") {
            return None;
        }
        self.marker(start, self.line_end(start))
    }

    /// `-- key: value`: `--`, a key (a letter, then letters, digits, `_`
    /// and `-`), `:`, then white space or the end of the line.
    fn header_entry(&self, start: usize, end: usize) -> Option<Entry<'t>> {
        let mut offset = start + self.indentation(start);
        if !self.bytes[offset..end].starts_with(b"--") {
            return None;
        }
        offset += 2;
        offset += self.indentation(offset).min(end - offset);
        let key_offset = offset;
        if !self.at(offset)?.is_ascii_alphabetic() || offset >= end {
            return None;
        }
        while offset < end
            && matches!(self.bytes[offset], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-')
        {
            offset += 1;
        }
        if offset >= end || self.bytes[offset] != b':' {
            return None;
        }
        let value_start = offset + 1;
        if value_start < end && !matches!(self.bytes[value_start], b' ' | b'\t') {
            return None;
        }
        Some(Entry {
            key_offset,
            key: &self.text[key_offset..offset],
            value: &self.text[value_start..end],
        })
    }

    /// A header line of only spaces and tabs, or a `--` comment.
    fn blank_or_comment(&self, start: usize, end: usize) -> bool {
        let rest = &self.bytes[start + self.indentation(start)..end];
        rest.is_empty() || rest.starts_with(b"--")
    }

    /// Reads a body from `from` (the end of its marker line). Returns its
    /// statements, where it ends (the start of the next section marker line,
    /// or the end of the text), and that next marker.
    #[allow(clippy::type_complexity)]
    fn body(&self, from: usize) -> Option<(Vec<Piece>, usize, Option<(usize, bool)>)> {
        let mut pieces = Vec::new();
        let mut statement: Option<(usize, usize)> = None;
        let finish = |statement: &mut Option<(usize, usize)>, pieces: &mut Vec<Piece>| {
            if let Some((start, end)) = statement.take() {
                pieces.push(Piece {
                    start,
                    end,
                    delimited: false,
                });
            }
        };
        let mut offset = from;
        while offset < self.len() {
            match self.bytes[offset] {
                b'\n' => match self.marker_at(offset + 1) {
                    Some(marker @ (Marker::Up | Marker::Down)) => {
                        finish(&mut statement, &mut pieces);
                        return Some((
                            pieces,
                            offset + 1,
                            Some((offset + 1, marker == Marker::Up)),
                        ));
                    }
                    Some(Marker::Begin) => {
                        finish(&mut statement, &mut pieces);
                        offset = self.block(offset + 1, &mut pieces)?;
                    }
                    Some(Marker::End) => return None,
                    None => offset += 1,
                },
                b';' => {
                    finish(&mut statement, &mut pieces);
                    offset += 1;
                }
                b' ' | b'\t' => offset += 1,
                0x0b | 0x0c | b'\r' => return None,
                _ => match self.token(offset)? {
                    Token::Comment(end) => offset = end,
                    Token::Chunk(end) => {
                        match &mut statement {
                            Some((_, last)) => *last = end,
                            None => {
                                if self.dialect == Dialect::Mysql && self.delimiter_command(offset)
                                    || self.may_be_compound(offset, end)
                                {
                                    return None;
                                }
                                statement = Some((offset, end));
                            }
                        }
                        offset = end;
                    }
                },
            }
        }
        finish(&mut statement, &mut pieces);
        Some((pieces, self.len(), None))
    }

    /// Reads a `-- statement-begin` block whose marker line starts at
    /// `start`; returns the end of its `-- statement-end` line.
    fn block(&self, start: usize, pieces: &mut Vec<Piece>) -> Option<usize> {
        let mut statement: Option<(usize, usize)> = None;
        let mut offset = self.line_end(start);
        loop {
            match *self.bytes.get(offset)? {
                b'\n' => match self.marker_at(offset + 1) {
                    Some(Marker::End) => {
                        let (start, end) = statement?;
                        pieces.push(Piece {
                            start,
                            end,
                            delimited: true,
                        });
                        return Some(self.line_end(offset + 1));
                    }
                    // Unclosed, or a block inside a block: the grammar says which.
                    Some(_) => return None,
                    None => offset += 1,
                },
                b' ' | b'\t' => offset += 1,
                0x0b | 0x0c | b'\r' => return None,
                b';' if self.final_semicolon(offset + 1)? => offset += 1,
                _ => {
                    let end = match self.token(offset)? {
                        Token::Comment(end) => {
                            offset = end;
                            continue;
                        }
                        // A `;` that is not final is a chunk too.
                        Token::Chunk(end) => end,
                    };
                    match &mut statement {
                        Some((_, last)) => *last = end,
                        None => {
                            if self.dialect == Dialect::Mysql && self.delimiter_command(offset) {
                                return None;
                            }
                            statement = Some((offset, end));
                        }
                    }
                    offset = end;
                }
            }
        }
    }

    /// Whether only white space and comments follow `from`, up to a marker
    /// line or the end of the text: then the `;` before `from` ends a block.
    fn final_semicolon(&self, from: usize) -> Option<bool> {
        let mut offset = from;
        loop {
            match self.bytes.get(offset) {
                None => return Some(true),
                Some(b'\n') => {
                    if self.marker_at(offset + 1).is_some() {
                        return Some(true);
                    }
                    offset += 1;
                }
                Some(b' ' | b'\t') => offset += 1,
                Some(0x0b | 0x0c | b'\r') => return None,
                Some(b';') => return Some(false),
                Some(_) => match self.token(offset)? {
                    Token::Comment(end) => offset = end,
                    Token::Chunk(_) => return Some(false),
                },
            }
        }
    }

    /// MySQL: `DELIMITER` where a statement starts is a client command.
    fn delimiter_command(&self, offset: usize) -> bool {
        let word = b"delimiter";
        self.bytes[offset..]
            .get(..word.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(word))
            && !self.at(offset + word.len()).is_some_and(is_word)
    }

    /// MySQL and SQLite: whether the statement whose first word is
    /// `[start, end)` may be a compound statement (`CREATE PROCEDURE ...
    /// BEGIN ... END` and the like), which the grammar reads: `CREATE`
    /// (MySQL: and `OR REPLACE`) followed by a word that may start such a
    /// head, or by anything but plain white space and a word.
    fn may_be_compound(&self, start: usize, end: usize) -> bool {
        const MYSQL: [&[u8]; 6] = [
            b"procedure",
            b"function",
            b"trigger",
            b"event",
            b"definer",
            b"aggregate",
        ];
        const SQLITE: [&[u8]; 3] = [b"trigger", b"temp", b"temporary"];
        let heads: &[&[u8]] = match self.dialect {
            Dialect::Postgres => return false,
            Dialect::Mysql => &MYSQL,
            Dialect::Sqlite => &SQLITE,
        };
        if !self.bytes[start..end].eq_ignore_ascii_case(b"create") {
            return false;
        }
        // `Some(false)` after `OR` (`REPLACE` must follow), `Some(true)` after
        // `OR REPLACE`.
        let mut or_replace = None;
        let mut offset = end;
        loop {
            offset += self.bytes[offset..]
                .iter()
                .take_while(|&&byte| matches!(byte, b' ' | b'\t' | b'\n'))
                .count();
            match self.at(offset) {
                None | Some(b';') => return false,
                Some(byte) if byte.is_ascii_alphabetic() => {}
                Some(_) => return true,
            }
            let word_end = self.run(offset, is_word);
            let word = &self.bytes[offset..word_end];
            match or_replace {
                Some(false) if word.eq_ignore_ascii_case(b"replace") => or_replace = Some(true),
                Some(false) => return false,
                None if self.dialect == Dialect::Mysql && word.eq_ignore_ascii_case(b"or") => {
                    or_replace = Some(false);
                }
                _ => return heads.iter().any(|head| word.eq_ignore_ascii_case(head)),
            }
            offset = word_end;
        }
    }

    /// The token at `offset` (not white space, `;` or a newline).
    fn token(&self, offset: usize) -> Option<Token> {
        match self.dialect {
            Dialect::Postgres => self.postgres_token(offset),
            Dialect::Mysql => self.mysql_token(offset),
            Dialect::Sqlite => self.sqlite_token(offset),
        }
    }

    fn postgres_token(&self, offset: usize) -> Option<Token> {
        let byte = self.bytes[offset];
        let next = self.at(offset + 1);
        Some(match byte {
            b'\'' => Token::Chunk(self.quoted(offset, b'\'', false)?),
            b'"' => Token::Chunk(self.quoted(offset, b'"', false)?),
            b'e' | b'E' if next == Some(b'\'') => Token::Chunk(self.escape_string(offset + 1)?),
            b'$' => Token::Chunk(match next {
                Some(b'0'..=b'9') => self.run(offset + 1, |byte| byte.is_ascii_digit()),
                _ => match self.dollar_tag_end(offset) {
                    Some(tag_end) => self.dollar_quote(offset, tag_end)?,
                    None => offset + 1,
                },
            }),
            b'-' if next == Some(b'-') => Token::Comment(self.line_end(offset)),
            b'/' if next == Some(b'*') => Token::Comment(self.block_comment(offset, true)?),
            b'0'..=b'9' => Token::Chunk(self.run(offset, |byte| byte.is_ascii_digit())),
            byte if is_identifier_start(byte) => Token::Chunk(self.run(offset, is_word)),
            _ => Token::Chunk(offset + 1),
        })
    }

    fn mysql_token(&self, offset: usize) -> Option<Token> {
        let byte = self.bytes[offset];
        let next = self.at(offset + 1);
        Some(match byte {
            b'\'' | b'"' => Token::Chunk(self.quoted(offset, byte, true)?),
            b'`' => Token::Chunk(self.quoted(offset, b'`', false)?),
            // `#` comments: rare enough to leave to the grammar.
            b'#' => return None,
            b'-' if next == Some(b'-')
                && self
                    .at(offset + 2)
                    .is_none_or(|byte| byte <= b' ' || byte == 0x7f) =>
            {
                Token::Comment(self.line_end(offset))
            }
            b'/' if next == Some(b'*') => {
                // `/*!` and `/*M!` are executable comments: SQL, not comments.
                let rest = &self.bytes[offset + 2..];
                if rest.starts_with(b"!") || rest.starts_with(b"M!") {
                    return None;
                }
                Token::Comment(self.block_comment(offset, false)?)
            }
            byte if is_word(byte) => Token::Chunk(self.run(offset, is_word)),
            _ => Token::Chunk(offset + 1),
        })
    }

    fn sqlite_token(&self, offset: usize) -> Option<Token> {
        let byte = self.bytes[offset];
        let next = self.at(offset + 1);
        Some(match byte {
            b'\'' | b'"' | b'`' => Token::Chunk(self.quoted(offset, byte, false)?),
            b'[' => Token::Chunk(self.find(offset + 1, b"]")? + 1),
            b'-' if next == Some(b'-') => Token::Comment(self.line_end(offset)),
            b'/' if next == Some(b'*') => Token::Comment(self.block_comment(offset, false)?),
            byte if is_word(byte) => Token::Chunk(self.run(offset, is_word)),
            _ => Token::Chunk(offset + 1),
        })
    }

    /// The end of the run of bytes matching `class` that starts at `offset`
    /// (the byte at `offset` itself is taken without a check).
    fn run(&self, offset: usize, class: impl Fn(u8) -> bool) -> usize {
        offset
            + 1
            + self.bytes[offset + 1..]
                .iter()
                .take_while(|&&byte| class(byte))
                .count()
    }

    /// The offset of the next `needle` at or after `from`.
    fn find(&self, from: usize, needle: &[u8]) -> Option<usize> {
        self.bytes
            .get(from..)?
            .windows(needle.len())
            .position(|window| window == needle)
            .map(|position| from + position)
    }

    /// A quoted construct opened by `quote` at `offset`, a doubled quote
    /// standing for one; the end after the closing quote. With
    /// `no_backslash`, a backslash makes the scanner give up (MySQL escapes).
    fn quoted(&self, offset: usize, quote: u8, no_backslash: bool) -> Option<usize> {
        let mut position = offset + 1;
        loop {
            let found = self.bytes[position..]
                .iter()
                .position(|&byte| byte == quote || (no_backslash && byte == b'\\'))?;
            position += found;
            if self.bytes[position] == b'\\' {
                return None;
            }
            if self.at(position + 1) == Some(quote) {
                position += 2;
            } else {
                return Some(position + 1);
            }
        }
    }

    /// PostgreSQL `E'...'` whose quote is at `quote`: backslash escapes and `''`.
    fn escape_string(&self, quote: usize) -> Option<usize> {
        let mut position = quote + 1;
        loop {
            match *self.bytes.get(position)? {
                b'\\' => position += 2,
                b'\'' if self.at(position + 1) == Some(b'\'') => position += 2,
                b'\'' => return Some(position + 1),
                _ => position += 1,
            }
        }
    }

    /// If a dollar quote opens at `offset` (`$tag$` or `$$`), the end of its opener.
    fn dollar_tag_end(&self, offset: usize) -> Option<usize> {
        let mut position = offset + 1;
        if self.at(position).is_some_and(is_tag_start) {
            position = self.run(position, is_tag_character);
        }
        (self.at(position) == Some(b'$')).then_some(position + 1)
    }

    /// A dollar quote opened by `[offset, tag_end)`: the end of its closer.
    fn dollar_quote(&self, offset: usize, tag_end: usize) -> Option<usize> {
        let tag = &self.bytes[offset..tag_end];
        self.find(tag_end, tag).map(|close| close + tag.len())
    }

    /// A block comment at `offset`; PostgreSQL's nest, and a nested one
    /// makes the scanner give up.
    fn block_comment(&self, offset: usize, nesting: bool) -> Option<usize> {
        let close = self.find(offset + 2, b"*/")?;
        if nesting
            && self.bytes[offset + 2..=close]
                .windows(2)
                .any(|pair| pair == b"/*")
        {
            return None;
        }
        Some(close + 2)
    }
}

/// Identifier characters of every dialect: ASCII letters, digits, `_`, `$`
/// and anything beyond ASCII.
fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

/// PostgreSQL: what may start an identifier (`E'` is checked before).
fn is_identifier_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_tag_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

fn is_tag_character(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

fn trim_horizontal_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&byte| byte != b' ' && byte != b'\t')
        .unwrap_or(bytes.len());
    &bytes[start..]
}

fn trim_horizontal_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&byte| byte != b' ' && byte != b'\t')
        .map_or(0, |position| position + 1);
    &bytes[..end]
}
