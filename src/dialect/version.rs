//! Server versions, and the statements each dialect refuses inside a
//! transaction block by version.

use std::fmt;
use std::str::FromStr;

use super::Dialect;

/// A database server's version: its major and minor number (PostgreSQL 10
/// and later number releases `major.minor`, MariaDB `10.11.6` is `10.11`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerVersion {
    /// The major version (`15` of PostgreSQL 15.4, `10` of MariaDB 10.11).
    pub major: u32,
    /// The minor version (`4` of PostgreSQL 15.4, `11` of MariaDB 10.11).
    pub minor: u32,
}

impl ServerVersion {
    /// The version `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        ServerVersion { major, minor }
    }

    /// PostgreSQL's `server_version_num` (`150004` is 15.4, `90605` is 9.6).
    pub fn from_postgres_number(number: u32) -> Self {
        if number >= 100_000 {
            ServerVersion::new(number / 10_000, number % 100)
        } else {
            ServerVersion::new(number / 10_000, number / 100 % 100)
        }
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A server version that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid server version `{0}`: expected MAJOR or MAJOR.MINOR, for example 15 or 10.11")]
pub struct InvalidServerVersion(pub String);

impl FromStr for ServerVersion {
    type Err = InvalidServerVersion;

    /// Reads `15`, `15.4`, `10.11.6-MariaDB-0+deb12u1` or `3.40.1`: the
    /// leading numbers, whatever follows them.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidServerVersion(text.chars().take(40).collect());
        let leading = text
            .trim()
            .split(|c: char| !c.is_ascii_digit() && c != '.')
            .next()
            .unwrap_or_default();
        let mut numbers = leading.split('.').map(str::parse::<u32>);
        let major = numbers.next().and_then(Result::ok).ok_or_else(invalid)?;
        let minor = match numbers.next() {
            None => 0,
            Some(minor) => minor.map_err(|_| invalid())?,
        };
        Ok(ServerVersion::new(major, minor))
    }
}

/// A statement a dialect refuses inside a transaction block, from the
/// server's documentation: which statement, and from which version on (if
/// any) the server accepts it in a transaction after all.
#[derive(Debug)]
pub struct TransactionRule {
    /// The statement, as messages name it.
    pub statement: &'static str,
    /// The first version that runs it inside a transaction block; `None`:
    /// no version does.
    pub allowed_since: Option<ServerVersion>,
    /// Where the server's documentation says so.
    pub reference: &'static str,
    /// Whether a statement is this one: given its leading words (upper-cased,
    /// single-spaced) and its whole text as written (looked into only once
    /// the leading words match: most statements are decided by them).
    pub(super) matches: fn(words: &str, sql: &str) -> bool,
}

impl TransactionRule {
    /// Whether the rule refuses the statement on `version`.
    pub fn refuses_on(&self, version: ServerVersion) -> bool {
        self.allowed_since.is_none_or(|since| version < since)
    }

    /// On which versions of `dialect` the statement is refused, for messages:
    /// `on every PostgreSQL version` or `before PostgreSQL 12`.
    pub fn versions(&self, dialect: Dialect) -> String {
        match self.allowed_since {
            None => format!("on every {} version", dialect.title()),
            Some(since) if since.minor == 0 => {
                format!("before {} {}", dialect.title(), since.major)
            }
            Some(since) => format!("before {} {since}", dialect.title()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_what_servers_and_users_write() {
        for (text, major, minor) in [
            ("15", 15, 0),
            ("15.4", 15, 4),
            ("11.22 (Debian 11.22-1)", 11, 22),
            ("10.11.6-MariaDB-0+deb12u1", 10, 11),
            ("8.0.36", 8, 0),
            ("3.40.1", 3, 40),
        ] {
            assert_eq!(text.parse(), Ok(ServerVersion::new(major, minor)), "{text}");
        }
        for text in ["", "x", "fifteen", ".5", "15.x"] {
            assert!(text.parse::<ServerVersion>().is_err(), "{text}");
        }
        assert_eq!(
            ServerVersion::from_postgres_number(150_004),
            ServerVersion::new(15, 4)
        );
        assert_eq!(
            ServerVersion::from_postgres_number(90_605),
            ServerVersion::new(9, 6)
        );
        assert!(ServerVersion::new(11, 22) < ServerVersion::new(12, 0));
    }
}
