//! Where something is in a revision file: the path and a 1-based line and column.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a file, shown as `path:line:column` (or `path:line` when the
/// column is unknown, `path` when the line is unknown).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file as the user named it (the migrations directory joined with the
    /// file's relative path).
    pub path: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column counted in characters, 0 when unknown.
    pub column: u32,
}

impl Span {
    /// A span at `line:column` of `path`.
    pub fn new(path: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Span {
            path: path.into(),
            line,
            column,
        }
    }

    /// A span naming a whole file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Span::new(path, 0, 0)
    }

    /// The file this span points into.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// Line and column of a byte offset, computed from a precomputed index of line
/// starts so that many lookups on one text stay cheap (pest's own `line_col`
/// rescans from the start of the input every time).
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, byte)| byte == b'\n')
                .map(|(offset, _)| offset + 1),
        );
        LineIndex { text, line_starts }
    }

    /// 1-based (line, column) of `offset`; the column counts characters.
    pub(crate) fn line_column(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        (to_u32(line), to_u32(column))
    }
}

/// Saturating conversion for positions: files beyond 4 billion lines do not exist.
pub(crate) fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_omits_unknown_parts() {
        assert_eq!(Span::new("a.sql", 3, 7).to_string(), "a.sql:3:7");
        assert_eq!(Span::new("a.sql", 3, 0).to_string(), "a.sql:3");
        assert_eq!(Span::file("a.sql").to_string(), "a.sql");
    }

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let text = "ab\nçé;x\n\nz";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(0), (1, 1));
        assert_eq!(index.line_column(3), (2, 1));
        assert_eq!(index.line_column(text.find(';').unwrap()), (2, 3));
        assert_eq!(index.line_column(text.find('z').unwrap()), (4, 1));
        assert_eq!(index.line_column(text.len()), (4, 2));
    }
}
