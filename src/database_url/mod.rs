//! Database URLs: which dialect a URL names, a form that is safe to print,
//! and the parsing the server backends share.
//!
//! The URL is kept private and only ever shown through [`DatabaseUrl`]'s
//! `Display`/`Debug`, which hide the password (docs/RELIABILITY.md §5.1: URL parse
//! errors that echo the input are the classic leak).
//!
//! A backend reads its URL with `parts::UrlParts::split` (one splitter,
//! one percent-decoder, one host:port splitter) and interprets only its own
//! parameters and defaults; every problem is a `error::UrlError`, whose
//! messages follow the one rule of the `error` module for what they may echo.

use std::fmt;

use crate::dialect::Dialect;

// Without a server driver (`postgres`, `mysql`) only the scheme, the
// printing and the password scan are used: the URL grammar the server
// backends share is left out, and so are most of its error variants.
#[cfg_attr(
    not(any(feature = "postgres", feature = "mysql")),
    allow(
        dead_code,
        reason = "the server URL grammar's errors, without a server driver"
    )
)]
pub(crate) mod error;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) mod host;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) mod parts;
pub(crate) mod percent;

/// A database URL as the user gave it. Printing it never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    dialect: Dialect,
}

/// A URL whose scheme sqlmig does not know. The message shows the scheme
/// only, and only when it is a plain word (`error::is_plain_word`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported database URL scheme `{scheme}`: expected sqlite:, postgres://, postgresql://, mysql:// or mariadb://"
)]
pub struct UnsupportedScheme {
    /// The scheme as written (everything before the first `:`), or empty.
    pub scheme: String,
}

impl DatabaseUrl {
    /// Recognises the dialect from the scheme: `sqlite:`, `sqlite://`,
    /// `postgres://`, `postgresql://`, `mysql://`, `mariadb://`.
    pub fn parse(raw: &str) -> Result<Self, UnsupportedScheme> {
        let scheme = raw.split_once(':').map_or("", |(scheme, _)| scheme);
        let authority = raw[scheme.len()..].starts_with("://");
        let dialect = match Dialect::from_url_scheme(scheme, authority) {
            Some(dialect) => dialect,
            None => {
                // Anything but a plain word may be part of a secret.
                return Err(UnsupportedScheme {
                    scheme: if error::is_plain_word(scheme) {
                        scheme.to_owned()
                    } else {
                        String::new()
                    },
                });
            }
        };
        Ok(DatabaseUrl {
            raw: raw.to_owned(),
            dialect,
        })
    }

    /// The dialect the scheme names.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL with its secret intact, for the driver only. Never print it.
    pub fn expose_secret(&self) -> &str {
        &self.raw
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.raw)
    }

    /// `text` with this URL's password hidden wherever it appears, as
    /// written in the URL or percent-decoded, and every URL in it redacted:
    /// for messages about this database that may quote what a driver or a
    /// server echoed back. Passwords shorter than 4 characters are hidden
    /// only inside URLs (hiding them everywhere would garble the text).
    pub fn scrub(&self, text: &str) -> String {
        let mut text = redact_urls_in(text);
        for secret in self.secrets() {
            if secret.chars().count() >= 4 {
                text = text.replace(&secret, "***");
            }
        }
        text
    }

    /// Whether the URL holds a password (in its userinfo or a `password=`
    /// parameter).
    pub fn has_password(&self) -> bool {
        !self.secrets().is_empty()
    }

    /// The password of the userinfo and of `password=` query parameters,
    /// each as written and percent-decoded.
    fn secrets(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some((_, rest)) = self.raw.split_once("://") {
            let query_start = rest.find('?').unwrap_or(rest.len());
            if let Some(at) = rest[..query_start].rfind('@')
                && let Some((_, password)) = rest[..at].split_once(':')
            {
                found.push(password.to_owned());
            }
        }
        if let Some((_, query)) = self.raw.split_once('?') {
            for pair in query.split('&') {
                if let Some((key, value)) = pair.split_once('=')
                    && key.eq_ignore_ascii_case("password")
                {
                    found.push(value.to_owned());
                }
            }
        }
        let decoded: Vec<String> = found
            .iter()
            .filter_map(|secret| percent::decode_text(secret, error::Part::Password).ok())
            .collect();
        found.extend(decoded);
        found.retain(|secret| !secret.is_empty());
        found
    }
}

/// Whether a file holding a secret (a password file, a URL file) may be
/// read by its group or others, which libpq refuses for `.pgpass`. Always
/// `false` off Unix.
pub fn readable_by_others(file: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(file).is_ok_and(|metadata| metadata.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

/// Replaces the password of `user:password@host` userinfo and of
/// `password=` query parameters with `***`. The userinfo runs to the last `@`
/// before the query, so a password holding an unencoded `/`, `?` or `@`
/// is still hidden whole.
fn redact(raw: &str) -> String {
    let mut redacted = redact_userinfo(raw);
    if let Some(query_start) = redacted.find('?') {
        let (base, query) = redacted.split_at(query_start + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        redacted = format!("{base}{}", query.join("&"));
    }
    redacted
}

/// `scheme://user:password@rest` as `scheme://user:***@rest`.
fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let query_start = rest.find('?').unwrap_or(rest.len());
    let Some(at) = rest[..query_start].rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &rest[..at];
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// Hides the password of every `scheme://user:password@` found in free text
/// (a last line of defence applied to everything the CLI prints on failure).
pub fn redact_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(found) = rest.find("://") {
        // The URL starts at its scheme, just before `://`.
        let scheme_start = rest[..found]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '+'))
            .map_or(0, |i| i + 1);
        out.push_str(&rest[..scheme_start]);
        let end = rest[found..]
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\''))
            .map_or(rest.len(), |i| found + i);
        out.push_str(&redact(&rest[scheme_start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_name_dialects() {
        for (url, dialect) in [
            ("sqlite:app.db", Dialect::Sqlite),
            ("sqlite://app.db", Dialect::Sqlite),
            ("sqlite::memory:", Dialect::Sqlite),
            ("postgres://u@h/db", Dialect::Postgres),
            ("postgresql://u@h/db", Dialect::Postgres),
            ("mysql://u@h/db", Dialect::Mysql),
            ("mariadb://u@h/db", Dialect::Mysql),
        ] {
            assert_eq!(DatabaseUrl::parse(url).unwrap().dialect(), dialect, "{url}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let canary = "Cx7-s3cr3t:@/%-CANARY";
        for raw in [
            format!("postgres://user:{canary}@localhost:5432/db"),
            format!("mysql://root:{canary}@127.0.0.1/test?ssl-mode=required"),
            format!("postgres://localhost/db?user=u&password={canary}"),
        ] {
            let url = DatabaseUrl::parse(&raw).unwrap();
            for shown in [url.to_string(), format!("{url:?}"), url.redacted()] {
                assert!(!shown.contains("s3cr3t"), "{shown}");
            }
        }
        let url = DatabaseUrl::parse("postgres://user:pw@localhost/db").unwrap();
        assert_eq!(url.to_string(), "postgres://user:***@localhost/db");
        // Unencoded `/`, `?` and `@` in a password must not leave a piece of it.
        for raw in [
            "postgres://u:pa/ss@h/db",
            "mysql://u:p@ss?x@h:1/db",
            "postgres://u:a@b/c@h/db?sslmode=require",
        ] {
            let shown = DatabaseUrl::parse(raw).unwrap().to_string();
            assert!(
                shown.starts_with(&raw[..raw.find("://").unwrap() + 4]),
                "{shown}"
            );
            for secret in ["pa/ss", "p@ss", "a@b/c"] {
                assert!(!shown.contains(secret), "{shown}");
            }
        }
    }

    #[test]
    fn scrub_hides_the_password_anywhere() {
        let url =
            DatabaseUrl::parse("postgres://u:CANARY%2Fpw@h/db?password=Other-Secret").unwrap();
        let text = "auth failed for CANARY/pw and CANARY%2Fpw, Other-Secret, postgres://u:CANARY%2Fpw@h/db";
        let scrubbed = url.scrub(text);
        assert!(!scrubbed.contains("CANARY"), "{scrubbed}");
        assert!(!scrubbed.contains("Other-Secret"), "{scrubbed}");
    }

    #[test]
    fn free_text_urls_are_redacted() {
        assert_eq!(
            redact_urls_in("cannot connect to postgres://u:p4ss@h:1/db: refused; mysql://r@h ok"),
            "cannot connect to postgres://u:***@h:1/db: refused; mysql://r@h ok"
        );
        assert_eq!(redact_urls_in("no url here: a:b@c"), "no url here: a:b@c");
        assert_eq!(
            redact_urls_in("at `mysql://root:p/w@db:3306/x` failed"),
            "at `mysql://root:***@db:3306/x` failed"
        );
    }

    #[test]
    fn unknown_schemes_do_not_echo_secrets() {
        let error = DatabaseUrl::parse("oracle://u:pw@h").unwrap_err();
        assert_eq!(error.scheme, "oracle");
        let error = DatabaseUrl::parse("u:s3cr3t-with-dashes@host").unwrap_err();
        assert!(!error.to_string().contains("s3cr3t"));
        let error = DatabaseUrl::parse("postgres:/missing-slash").unwrap_err();
        assert_eq!(error.scheme, "postgres");
    }
}
