//! The one error type of URL parsing, and the one rule for what its
//! messages may echo.
//!
//! The rule: a message never holds a password, and never holds any text of
//! the URL except through [`Word`] (a parameter's name, or a value from a
//! fixed vocabulary such as a TLS mode, and only when it looks like a plain
//! word). Every other field of [`UrlError`] is `&'static str` or [`Part`],
//! so no other piece of the URL can reach a message.

use std::fmt;

/// The longest text a message quotes.
const LONGEST_WORD: usize = 40;

/// Whether `text` may be quoted in a message: 1 to 40 ASCII letters,
/// digits, `-`, `_`, `.` or `+`. Anything else (spaces, `%`, `@`, `/`,
/// `:`, long text) could be a piece of a secret.
pub(crate) fn is_plain_word(text: &str) -> bool {
    (1..=LONGEST_WORD).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))
}

/// URL text a message may show: a parameter's name or a value from a
/// fixed vocabulary, quoted when [`is_plain_word`], withheld otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word(Option<String>);

impl Word {
    /// The name of a parameter (never its value).
    pub(crate) fn name(name: &str) -> Word {
        Word(Some(name.to_owned()).filter(|name| is_plain_word(name)))
    }

    /// A value that should have been one of a fixed vocabulary (a mode
    /// name): the typo is what the user must see, and it is no secret.
    pub(crate) fn choice(value: &str) -> Word {
        Word::name(value)
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(word) => write!(f, "`{word}`"),
            None => f.write_str("(not shown: it does not look like a plain word)"),
        }
    }
}

/// The part of a URL an error is about, named in the message instead of
/// being quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The user name of the userinfo.
    UserName,
    /// The password of the userinfo.
    Password,
    /// The host of the authority.
    Host,
    /// The path: the database name.
    DatabaseName,
    /// The value of the named query parameter.
    Parameter(&'static str),
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::UserName => f.write_str("user name"),
            Part::Password => f.write_str("password"),
            Part::Host => f.write_str("host"),
            Part::DatabaseName => f.write_str("database name"),
            Part::Parameter(name) => write!(f, "{name} parameter"),
        }
    }
}

/// A database URL that cannot be used. Its message names the part that is
/// wrong; it quotes URL text only through [`Word`] (module documentation).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UrlError {
    /// The scheme is not one the backend reads.
    #[error("the URL does not start with {}", schemes(.expected))]
    Scheme {
        /// The schemes the backend reads, without `://`.
        expected: &'static [&'static str],
    },
    /// A reserved character where it cuts the URL short, most likely in an
    /// unencoded password.
    #[error(
        "the URL has {found}: percent-encode `/`, `?`, `#`, `@` and `%` in the user name, password and parameters (`%2F`, `%3F`, `%23`, `%40`, `%25`)"
    )]
    Unencoded {
        /// What was found where, such as "an `@` after its host part".
        found: &'static str,
    },
    /// A `%` not followed by two hexadecimal digits.
    #[error(
        "the URL's {part} has a `%` that is not followed by two hexadecimal digits (write `%` itself as %25)"
    )]
    Escape {
        /// Where.
        part: Part,
    },
    /// Percent-decoded bytes that are not UTF-8 where text is needed.
    #[error("the URL's {part} is not UTF-8 once percent-decoded")]
    NotUtf8 {
        /// Where.
        part: Part,
    },
    /// A port that is not a number from 1 to 65535.
    #[error(
        "the URL's port is not a number from 1 to 65535 (a password with `/`, `?` or `@` must be percent-encoded)"
    )]
    Port,
    /// A host with spaces or control characters, or a malformed `[IPv6]`.
    #[error("the URL's host {0}")]
    Host(&'static str),
    /// A query parameter without `=`.
    #[error("a URL parameter has no `=`: parameters are written name=value and separated by `&`")]
    NoEquals,
    /// A parameter given twice (or in the URL's body and as a parameter).
    #[error(
        "the URL gives `{0}` twice (in the URL's body and as a parameter, or as two parameters)"
    )]
    Twice(&'static str),
    /// An unknown parameter name or vocabulary value: fixed text around
    /// one [`Word`].
    #[error("{before}{word}{after}")]
    Quoted {
        /// The text before the word.
        before: &'static str,
        /// The name or value, shown only if it is a plain word.
        word: Word,
        /// The text after it (what was expected).
        after: &'static str,
    },
    /// Any other problem, in fixed words.
    #[error("{0}")]
    Fixed(&'static str),
}

/// `a://`, `a:// or b://`, `a://, b:// or c://`.
fn schemes(expected: &[&str]) -> String {
    let mut text = String::new();
    for (index, scheme) in expected.iter().enumerate() {
        if index > 0 {
            text.push_str(if index + 1 == expected.len() {
                " or "
            } else {
                ", "
            });
        }
        text.push_str(scheme);
        text.push_str("://");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_words_are_quoted() {
        for word in [
            "sslmod",
            "ssl-mode",
            "connect_timeout",
            "verfy-full",
            "a.b+c",
        ] {
            assert!(is_plain_word(word), "{word}");
            assert_eq!(Word::name(word).to_string(), format!("`{word}`"));
        }
        let long = "x".repeat(LONGEST_WORD + 1);
        for text in ["", "a b", "p@ss", "a/b", "50%", "a:b", "é", "a\nb", &long] {
            assert!(!is_plain_word(text), "{text}");
            assert_eq!(
                Word::choice(text).to_string(),
                "(not shown: it does not look like a plain word)"
            );
        }
        let error = UrlError::Quoted {
            before: "unknown URL parameter ",
            word: Word::name("s3cret=x y"),
            after: ": expected host",
        };
        assert!(!error.to_string().contains("s3cret"));
        assert!(!format!("{error:?}").contains("s3cret"));
    }
}
