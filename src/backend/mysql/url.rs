//! `mysql://` and `mariadb://` URLs, parsed by sqlmig itself into the parts
//! a connection needs, so that no driver or URL library ever gets a chance
//! to echo the raw URL (and its password) in an error (docs/RELIABILITY.md §5.1).
//! The URL is split and decoded by [`crate::database_url::parts`]; this
//! module reads MySQL's parameters and defaults from the parts.
//!
//! Shape: `mysql://[user[:password]@][host][:port][/database][?param=value&...]`.
//! User, password, database and parameter values are percent-decoded. A
//! password holding `/`, `?`, `#` or `@` must be percent-encoded; a URL
//! where such a character would move part of the password into the host,
//! path or query is refused without being shown. Parameters (names are
//! case-insensitive, `-` and `_` interchangeable):
//!
//! | parameter | meaning |
//! |---|---|
//! | `ssl-mode` (`sslmode`) | `DISABLED`, `PREFERRED` (default), `REQUIRED`, `VERIFY_CA`, `VERIFY_IDENTITY` |
//! | `ssl-ca` (`sslca`) | a PEM file of the certificate authorities to trust (instead of the built-in roots) |
//! | `connect_timeout` | seconds to wait for the connection and login (default 10) |
//! | `socket` | a Unix socket path, used instead of host and port |
//! | `enable_cleartext_plugin` | `true` to allow the `mysql_clear_password` plugin, only over TLS or a socket |
//!
//! Anything else is an error.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::database_url::error::{Part, UrlError, Word};
use crate::database_url::host::{Host, tcp_address};
use crate::database_url::parts::{Param, Password, UrlParts};

/// How a connection uses TLS (the `ssl-mode` parameter, as the `mysql`
/// client spells it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TlsMode {
    /// Never TLS.
    Disabled,
    /// TLS when the server offers it, plaintext (with a warning) when not;
    /// the certificate is only checked against `ssl-ca` when one is given.
    Preferred,
    /// TLS or no connection; the certificate is only checked against
    /// `ssl-ca` when one is given.
    Required,
    /// TLS with a certificate signed by a trusted authority (`ssl-ca`, else
    /// the built-in web roots); the host name is not checked.
    VerifyCa,
    /// As `VerifyCa`, and the certificate must name the host connected to.
    VerifyIdentity,
}

impl TlsMode {
    fn parse(value: &str) -> Option<TlsMode> {
        match value.to_ascii_uppercase().replace('-', "_").as_str() {
            "DISABLED" => Some(TlsMode::Disabled),
            "PREFERRED" => Some(TlsMode::Preferred),
            "REQUIRED" => Some(TlsMode::Required),
            "VERIFY_CA" => Some(TlsMode::VerifyCa),
            "VERIFY_IDENTITY" => Some(TlsMode::VerifyIdentity),
            _ => None,
        }
    }

    /// The name as the `mysql` client writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            TlsMode::Disabled => "DISABLED",
            TlsMode::Preferred => "PREFERRED",
            TlsMode::Required => "REQUIRED",
            TlsMode::VerifyCa => "VERIFY_CA",
            TlsMode::VerifyIdentity => "VERIFY_IDENTITY",
        }
    }
}

/// The schemes of a MySQL or MariaDB URL.
const SCHEMES: &[&str] = &["mysql", "mariadb"];
/// The default port of MySQL and MariaDB.
const DEFAULT_PORT: u16 = 3306;
/// How long to wait for a connection when the URL does not say.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed `mysql://` URL. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct MysqlUrl {
    /// `mysql` or `mariadb`, lower-cased.
    pub(crate) scheme: &'static str,
    /// The user name, if given.
    pub(crate) user: Option<String>,
    /// The password, if given (valid UTF-8).
    pub(crate) password: Option<Password>,
    /// Host name or IP address (IPv6 without brackets).
    pub(crate) host: String,
    /// TCP port.
    pub(crate) port: u16,
    /// The database to use, if given.
    pub(crate) database: Option<String>,
    /// A Unix socket to connect through instead of host and port.
    pub(crate) socket: Option<PathBuf>,
    /// How TLS is used.
    pub(crate) tls_mode: TlsMode,
    /// Whether `ssl-mode` was written in the URL (the default is quieter
    /// about falling back to plaintext on loopback).
    pub(crate) tls_mode_explicit: bool,
    /// The certificate authorities to trust, if given.
    pub(crate) ssl_ca: Option<PathBuf>,
    /// How long to wait for the connection and login.
    pub(crate) connect_timeout: Duration,
    /// Allow the `mysql_clear_password` authentication plugin.
    pub(crate) cleartext_plugin: bool,
}

impl std::fmt::Debug for MysqlUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MysqlUrl({})", self.display())
    }
}

impl MysqlUrl {
    /// Parses a `mysql://` or `mariadb://` URL.
    pub(crate) fn parse(raw: &str) -> Result<MysqlUrl, UrlError> {
        let parts = UrlParts::split(raw, SCHEMES)?;
        if let Some(password) = &parts.password {
            // The driver takes the password as text.
            password.expose_text()?;
        }
        let host = match parts.host {
            None => String::from("localhost"),
            Some(Host::Tcp(host)) => host,
            Some(Host::Unix(_)) => {
                return Err(UrlError::Fixed(
                    "the URL's host is a path: give a Unix socket as ?socket=PATH",
                ));
            }
        };
        if parts
            .database
            .as_ref()
            .is_some_and(|name| name.contains('/'))
        {
            return Err(UrlError::Fixed(
                "the URL's database name contains `/`, which a MySQL database name cannot hold (percent-encode `/`, `?`, `#` and `@` in a password)",
            ));
        }
        let mut url = MysqlUrl {
            scheme: parts.scheme,
            user: parts.user,
            password: parts.password,
            host,
            port: parts.port.unwrap_or(DEFAULT_PORT),
            database: parts.database,
            socket: None,
            tls_mode: TlsMode::Preferred,
            tls_mode_explicit: false,
            ssl_ca: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            cleartext_plugin: false,
        };
        url.apply_parameters(&parts.params)?;
        Ok(url)
    }

    fn apply_parameters(&mut self, params: &[Param<'_>]) -> Result<(), UrlError> {
        let mut seen: Vec<&'static str> = Vec::new();
        for param in params {
            let canonical = match param.name.to_ascii_lowercase().replace('-', "_").as_str() {
                "ssl_mode" | "sslmode" => "ssl-mode",
                "ssl_ca" | "sslca" => "ssl-ca",
                "connect_timeout" => "connect_timeout",
                "socket" => "socket",
                "enable_cleartext_plugin" => "enable_cleartext_plugin",
                _ => {
                    return Err(UrlError::Quoted {
                        before: "unknown parameter ",
                        word: Word::name(param.name),
                        after: " in the URL; expected ssl-mode, ssl-ca, connect_timeout, socket or enable_cleartext_plugin",
                    });
                }
            };
            if seen.contains(&canonical) {
                return Err(UrlError::Twice(canonical));
            }
            seen.push(canonical);
            let value = param.text(Part::Parameter(canonical))?;
            if value.is_empty() {
                return Err(UrlError::Quoted {
                    before: "the URL's parameter ",
                    word: Word::name(canonical),
                    after: " has no value",
                });
            }
            match canonical {
                "ssl-mode" => {
                    self.tls_mode = TlsMode::parse(&value).ok_or_else(|| UrlError::Quoted {
                        before: "unknown ssl-mode ",
                        word: Word::choice(&value),
                        after: ": expected DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY",
                    })?;
                    self.tls_mode_explicit = true;
                }
                "ssl-ca" => self.ssl_ca = Some(PathBuf::from(value)),
                "connect_timeout" => {
                    let seconds = value
                        .parse::<u64>()
                        .ok()
                        .filter(|&seconds| seconds > 0)
                        .ok_or(UrlError::Fixed(
                            "connect_timeout must be a whole number of seconds above 0",
                        ))?;
                    self.connect_timeout = Duration::from_secs(seconds);
                }
                "socket" => self.socket = Some(PathBuf::from(value)),
                _ => {
                    self.cleartext_plugin = match value.to_ascii_lowercase().as_str() {
                        "true" | "1" | "yes" | "on" => true,
                        "false" | "0" | "no" | "off" => false,
                        _ => {
                            return Err(UrlError::Fixed(
                                "enable_cleartext_plugin must be true or false",
                            ));
                        }
                    };
                }
            }
        }
        if self.ssl_ca.is_some() && self.tls_mode == TlsMode::Disabled {
            return Err(UrlError::Fixed(
                "ssl-ca is given but ssl-mode is DISABLED: the certificate would never be checked",
            ));
        }
        if self.cleartext_plugin && self.tls_mode < TlsMode::Required && self.socket.is_none() {
            return Err(UrlError::Fixed(
                "enable_cleartext_plugin sends the password as plain text: it needs ssl-mode=REQUIRED, VERIFY_CA or VERIFY_IDENTITY (or a Unix socket)",
            ));
        }
        Ok(())
    }

    /// The password as the driver takes it: the URL's, else `MYSQL_PWD`.
    pub(crate) fn password_text(&self) -> Option<String> {
        let Some(password) = self.password.as_ref() else {
            // As the mysql client: `MYSQL_PWD` when the URL has no password.
            return std::env::var("MYSQL_PWD").ok().filter(|p| !p.is_empty());
        };
        // Checked by `parse`.
        password.expose_text().ok().map(str::to_owned)
    }

    /// The URL without its password (`***` in its place) and parameters,
    /// for messages.
    pub(crate) fn display(&self) -> String {
        let mut text = format!("{}://", self.scheme);
        if let Some(user) = &self.user {
            text.push_str(user);
        }
        if self.password.is_some() {
            text.push_str(":***");
        }
        if self.user.is_some() || self.password.is_some() {
            text.push('@');
        }
        match &self.socket {
            Some(socket) => text.push_str(&format!("localhost(socket {})", socket.display())),
            None => text.push_str(&self.address()),
        }
        if let Some(database) = &self.database {
            text.push('/');
            text.push_str(database);
        }
        text
    }

    /// `host:port` (`[v6]:port`), or the socket path.
    pub(crate) fn address(&self) -> String {
        match &self.socket {
            Some(socket) => socket.display().to_string(),
            None => tcp_address(&self.host, self.port),
        }
    }

    /// Whether the connection never leaves this machine (loopback or socket).
    pub(crate) fn is_local(&self) -> bool {
        self.socket.is_some()
            || self.host.eq_ignore_ascii_case("localhost")
            || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> MysqlUrl {
        MysqlUrl::parse(raw).unwrap_or_else(|error| panic!("{raw}: {error}"))
    }

    fn error(raw: &str) -> String {
        MysqlUrl::parse(raw)
            .map(|url| format!("{url:?}"))
            .expect_err(raw)
            .to_string()
    }

    #[test]
    fn every_part_is_read_and_decoded() {
        let url = parse(
            "mysql://app%20user:p%40ss%2Fw%3Ard@db.example.com:3307/my%2Ddb?ssl-mode=verify_identity&ssl-ca=%2Fetc%2Fca.pem&connect_timeout=3",
        );
        assert_eq!(url.user.as_deref(), Some("app user"));
        assert_eq!(url.password_text().as_deref(), Some("p@ss/w:rd"));
        assert_eq!(url.host, "db.example.com");
        assert_eq!(url.port, 3307);
        assert_eq!(url.database.as_deref(), Some("my-db"));
        assert_eq!(url.tls_mode, TlsMode::VerifyIdentity);
        assert!(url.tls_mode_explicit);
        assert_eq!(url.ssl_ca, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(url.connect_timeout, Duration::from_secs(3));
        assert_eq!(
            url.display(),
            "mysql://app user:***@db.example.com:3307/my-db"
        );
        assert!(!format!("{url:?}").contains("p@ss"));
    }

    #[test]
    fn defaults_and_short_forms() {
        let url = parse("mariadb://localhost");
        assert_eq!((url.host.as_str(), url.port), ("localhost", 3306));
        assert_eq!(
            (&url.user, &url.password, &url.database),
            (&None, &None, &None)
        );
        assert_eq!(url.tls_mode, TlsMode::Preferred);
        assert!(!url.tls_mode_explicit);
        assert_eq!(url.connect_timeout, Duration::from_secs(10));
        assert!(url.is_local());
        let url = parse("mysql://root@[::1]:3310/test");
        assert_eq!((url.host.as_str(), url.port), ("::1", 3310));
        assert_eq!(url.address(), "[::1]:3310");
        assert!(url.is_local());
        let url = parse("mysql://u@/db?socket=%2Frun%2Fmysqld%2Fmysqld.sock");
        assert_eq!(url.socket, Some(PathBuf::from("/run/mysqld/mysqld.sock")));
        assert_eq!(
            url.display(),
            "mysql://u@localhost(socket /run/mysqld/mysqld.sock)/db"
        );
        // A password may hold an unencoded `@` or `:`: the last `@` ends it.
        let url = parse("mysql://u:a@b:c@10.1.2.3/db");
        assert_eq!(url.password_text().as_deref(), Some("a@b:c"));
        assert!(!url.is_local());
    }

    #[test]
    fn ssl_mode_spellings() {
        for (query, mode) in [
            ("ssl-mode=DISABLED", TlsMode::Disabled),
            ("sslmode=preferred", TlsMode::Preferred),
            ("ssl_mode=Required", TlsMode::Required),
            ("SSL-MODE=verify-ca", TlsMode::VerifyCa),
            ("ssl-mode=VERIFY_IDENTITY", TlsMode::VerifyIdentity),
        ] {
            assert_eq!(
                parse(&format!("mysql://h/d?{query}")).tls_mode,
                mode,
                "{query}"
            );
        }
        let message = error("mysql://h/d?ssl-mode=verfy_ca");
        assert!(message.contains("unknown ssl-mode `verfy_ca`"), "{message}");
        assert!(error("mysql://h/d?sslmode=require").contains("`require`"));
    }

    #[test]
    fn bad_parameters_are_errors() {
        assert!(error("mysql://h/d?sslrootcert=x").contains("unknown parameter `sslrootcert`"));
        assert!(error("mysql://h/d?ssl-mode=REQUIRED&sslmode=DISABLED").contains("twice"));
        assert!(error("mysql://h/d?connect_timeout=0").contains("connect_timeout"));
        assert!(error("mysql://h/d?connect_timeout=abc").contains("connect_timeout"));
        assert!(error("mysql://h/d?ssl-mode=").contains("no value"));
        assert!(error("mysql://h/d?ssl-mode=DISABLED&ssl-ca=x.pem").contains("DISABLED"));
        assert!(error("mysql://h/d?enable_cleartext_plugin=true").contains("plain text"));
        assert!(
            error("mysql://h/d?enable_cleartext_plugin=true&ssl-mode=PREFERRED")
                .contains("plain text")
        );
        let url = parse("mysql://h/d?enable_cleartext_plugin=true&ssl-mode=REQUIRED");
        assert!(url.cleartext_plugin);
        assert!(error("mysql://h:99999/d").contains("port"));
        assert!(error("mysql://h:+1/d").contains("port"));
    }

    #[test]
    fn malformed_urls_never_show_the_password() {
        let canary = "Cx7-s3cret-CANARY";
        for raw in [
            format!("mysql://root:{canary}/x@127.0.0.1:3306/test"),
            format!("mysql://root:a/{canary}@127.0.0.1/test"),
            format!("mysql://root:{canary}?x@127.0.0.1/test"),
            format!("mysql://root:a?{canary}&b@127.0.0.1/test"),
            format!("mysql://root:{canary}#x@127.0.0.1/test"),
            format!("mysql://root:%{canary}@127.0.0.1/test"),
            format!("mysql://root:{canary}%zz@127.0.0.1/test"),
            format!("mysql://root@h:{canary}/test"),
            format!("mysql://root:{canary}@[::1/test"),
            format!("mysql://root:{canary}@h:x/test"),
        ] {
            let message = error(&raw);
            assert!(!message.contains("s3cret"), "{raw} -> {message}");
        }
    }
}
