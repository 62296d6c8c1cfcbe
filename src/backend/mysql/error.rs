//! mysql_async errors as [`DbError`]s: the server's errno and SQLSTATE as the
//! code (`1146 (42S02)`), and for syntax errors the exact character in the
//! statement where the server stopped.
//!
//! MariaDB and MySQL do not report a syntax error's offset, only the text
//! from the offending token on (`... near 'rest of statement' at line N`,
//! cut after about 80 bytes with `...`, characters its message charset
//! cannot show turned into `?`). Searching the statement for that text on
//! line N gives the offset back; when the search is ambiguous the line is
//! all that is reported.

use mysql_async::{DriverError, IoError, LocalInfileError, ServerError};

use crate::backend::{DbError, ErrorPosition};

/// Server errors that end the session: shutdown, `KILL`, idle timeout.
const SESSION_ENDED: [u16; 3] = [1053, 1927, 4031];

/// Converts an error of a statement (`sql`, when known) into a [`DbError`].
pub(super) fn convert(error: mysql_async::Error, sql: Option<&str>) -> DbError {
    match error {
        mysql_async::Error::Server(error) => server_error(error, sql),
        mysql_async::Error::Driver(DriverError::LocalInfile(LocalInfileError::NoHandler)) => {
            DbError::connection(LOCAL_INFILE_REFUSED)
        }
        mysql_async::Error::Driver(error) => {
            DbError::connection(format!("the connection to the server failed: {error}"))
        }
        mysql_async::Error::Io(IoError::Io(error)) => {
            DbError::connection(format!("the connection to the server was lost: {error}"))
        }
        mysql_async::Error::Io(IoError::Tls(error)) => {
            DbError::connection(format!("the TLS connection to the server failed: {error}"))
        }
        other => DbError::connection(other.to_string()),
    }
}

/// Why a `LOAD DATA LOCAL INFILE` fails.
pub(super) const LOCAL_INFILE_REFUSED: &str = "LOAD DATA LOCAL INFILE is refused: sqlmig never sends files from the machine it runs on (load a file on the server with LOAD DATA INFILE, or write the rows as INSERT statements)";

/// A server error with its code, its position for a syntax error, and
/// whether the session is gone.
pub(super) fn server_error(error: ServerError, sql: Option<&str>) -> DbError {
    let position = sql.and_then(|sql| syntax_error_position(&error.message, sql));
    DbError {
        position,
        connection_lost: SESSION_ENDED.contains(&error.code),
        ..DbError::new(error.message).with_code(format!("{} ({})", error.code, error.state))
    }
}

/// Where `... near '<text>' at line N` points inside `sql`: the character
/// offset when the text is found once on that line, else the line.
pub(super) fn syntax_error_position(message: &str, sql: &str) -> Option<ErrorPosition> {
    const NEAR: &str = " near '";
    const AT_LINE: &str = "' at line ";
    let start = message.find(NEAR)? + NEAR.len();
    let end = message.rfind(AT_LINE)?;
    let near = message.get(start..end)?;
    let digits: String = message[end + AT_LINE.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let line: u32 = digits.parse().ok()?;
    Some(match locate(near, line, sql) {
        Some(offset) => ErrorPosition::Character(offset),
        None => ErrorPosition::Line(line),
    })
}

/// The character offset in `sql` where `near` starts, on 1-based `line`.
fn locate(near: &str, line: u32, sql: &str) -> Option<usize> {
    let chars: Vec<char> = sql.chars().collect();
    let mut starts = Vec::new();
    let mut current = 1;
    for (offset, &c) in chars.iter().enumerate() {
        if current == line {
            starts.push(offset);
        }
        if c == '\n' {
            current += 1;
        }
    }
    if current == line {
        starts.push(chars.len());
    }
    let find = |pattern: &str, whole: bool| -> Option<usize> {
        let mut found = starts
            .iter()
            .copied()
            .filter(|&offset| matches(pattern, &chars[offset..], whole));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    };
    // The whole rest of the statement, or a cut prefix of it.
    find(near, true).or_else(|| find(near.strip_suffix("...")?, false))
}

/// Whether `tail` starts with `pattern` (is exactly it when `whole`). A `?`
/// (or a replacement character) in the pattern may stand for a non-ASCII
/// character the message could not show, one `?` per byte at most.
fn matches(pattern: &str, tail: &[char], whole: bool) -> bool {
    let mut pattern = pattern.chars().peekable();
    let mut index = 0;
    while let Some(expected) = pattern.next() {
        let Some(&actual) = tail.get(index) else {
            return false;
        };
        if matches!(expected, '?' | '\u{FFFD}') && !actual.is_ascii() {
            for _ in 1..actual.len_utf8() {
                if pattern.next_if_eq(&'?').is_none() {
                    break;
                }
            }
        } else if expected != actual {
            return false;
        }
        index += 1;
    }
    !whole || index == tail.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(near: &str, line: u32) -> String {
        format!(
            "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '{near}' at line {line}"
        )
    }

    #[test]
    fn the_near_text_gives_the_offset() {
        let sql = "CREATE TABLE t (\n  x INTEGER,\n  y INTEGR\n)";
        let position = syntax_error_position(&syntax("INTEGR\n)", 3), sql);
        assert_eq!(position, Some(ErrorPosition::Character(34)));
        assert_eq!(sql.chars().skip(34).collect::<String>(), "INTEGR\n)");
    }

    #[test]
    fn end_of_input_is_the_end_of_the_statement() {
        let sql = "SELECT 1 FROM";
        assert_eq!(
            syntax_error_position(&syntax("", 1), sql),
            Some(ErrorPosition::Character(13))
        );
    }

    #[test]
    fn cut_text_and_unshowable_characters_still_match() {
        let sql = "SELECT 'é', 1 FRM 😀 x WHERE 1 = 1 AND 2 = 2 AND 3 = 3 AND 4 = 4 AND 5 = 5 AND 6 = 6 AND 7 = 7";
        let near = "???? x WHERE 1 = 1 AND 2 = 2 AND 3 = 3 AND 4 = 4 AND 5 = 5 AND 6 = 6 AND ...";
        let position = syntax_error_position(&syntax(near, 1), sql);
        let offset = sql.chars().position(|c| c == '😀').unwrap();
        assert_eq!(position, Some(ErrorPosition::Character(offset)));
        assert_eq!(
            syntax_error_position(&syntax("????", 1), "SELECT 1 FRM 😀"),
            Some(ErrorPosition::Character(13))
        );
    }

    #[test]
    fn quotes_inside_the_near_text() {
        let sql = "SELECT 'a' FRM 'it\\'s' x";
        let position = syntax_error_position(&syntax("'it\\'s' x", 1), sql);
        assert_eq!(position, Some(ErrorPosition::Character(15)));
    }

    #[test]
    fn ambiguous_or_missing_text_gives_the_line() {
        let sql = "SELECT a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a";
        let near =
            "a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a ...";
        assert_eq!(
            syntax_error_position(&syntax(near, 1), sql),
            Some(ErrorPosition::Line(1))
        );
        assert_eq!(
            syntax_error_position(&syntax("zzz", 2), "SELECT\n1"),
            Some(ErrorPosition::Line(2))
        );
        assert_eq!(
            syntax_error_position("Table 't' doesn't exist", "SELECT"),
            None
        );
    }

    #[test]
    fn codes_and_lost_sessions() {
        let error = server_error(
            ServerError {
                code: 1146,
                message: String::from("Table 'test.nope' doesn't exist"),
                state: String::from("42S02"),
            },
            Some("SELECT * FROM nope"),
        );
        assert_eq!(error.code.as_deref(), Some("1146 (42S02)"));
        assert_eq!(error.position, None);
        assert!(!error.connection_lost);
        let killed = server_error(
            ServerError {
                code: 1927,
                message: String::from("Connection was killed"),
                state: String::from("70100"),
            },
            None,
        );
        assert!(killed.connection_lost);
    }
}
