//! `mysql://` and `mariadb://` URLs, parsed by sqlmig itself into the parts
//! a connection needs, so that no driver or URL library ever gets a chance
//! to echo the raw URL (and its password) in an error (RELIABILITY.md §5.1).
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

/// The default port of MySQL and MariaDB.
const DEFAULT_PORT: u16 = 3306;
/// How long to wait for a connection when the URL does not say.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed `mysql://` URL. Its `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct MysqlUrl {
    /// `mysql` or `mariadb`, lower-cased.
    pub(crate) scheme: String,
    /// The user name, if given.
    pub(crate) user: Option<String>,
    /// The password, if given. Never print it.
    pub(crate) password: Option<String>,
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

/// Why a URL cannot be used. The message names the part that is wrong but
/// never shows a value that could hold part of a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme}:// URL: {reason}")]
pub(crate) struct InvalidUrl {
    scheme: &'static str,
    reason: String,
}

const ENCODE_HINT: &str = "percent-encode `/`, `?`, `#`, `@` and `%` in the user name and password (`%2F`, `%3F`, `%23`, `%40`, `%25`)";

impl MysqlUrl {
    /// Parses a `mysql://` or `mariadb://` URL.
    pub(crate) fn parse(raw: &str) -> Result<MysqlUrl, InvalidUrl> {
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| invalid("mysql", "it does not start with mysql:// or mariadb://"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "mysql" => "mysql",
            "mariadb" => "mariadb",
            _ => {
                return Err(invalid(
                    "mysql",
                    "it does not start with mysql:// or mariadb://",
                ));
            }
        };
        let fail = |reason: &str| invalid(scheme, reason);
        if rest.contains('#') {
            return Err(fail(&format!("it contains `#`; {ENCODE_HINT}")));
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(authority_end);
        // An `@` past the host means a password character cut the URL
        // short: the password would spill into the host, path or query,
        // where it could be shown. Refused before anything is decoded.
        if after.contains('@') {
            return Err(fail(&format!(
                "it has an `@` after the host part; {ENCODE_HINT}"
            )));
        }
        let (userinfo, host_port) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(userinfo) => {
                let (user, password) = match userinfo.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (userinfo, None),
                };
                let user = decode(user).map_err(|()| {
                    fail(&format!(
                        "the user name is not valid percent-encoding; {ENCODE_HINT}"
                    ))
                })?;
                let password = password.map(decode).transpose().map_err(|()| {
                    fail(&format!(
                        "the password is not valid percent-encoding; {ENCODE_HINT}"
                    ))
                })?;
                (Some(user).filter(|user| !user.is_empty()), password)
            }
            None => (None, None),
        };
        let (host, port) = parse_host_port(host_port).map_err(|reason| fail(&reason))?;
        let (path, query) = after.split_once('?').unwrap_or((after, ""));
        let path = path.strip_prefix('/').unwrap_or(path);
        let database =
            decode(path).map_err(|()| fail("the database name is not valid percent-encoding"))?;
        if database.contains('/') {
            return Err(fail(&format!(
                "the database name contains `/`; {ENCODE_HINT}"
            )));
        }
        let mut url = MysqlUrl {
            scheme: scheme.to_owned(),
            user,
            password,
            host,
            port,
            database: Some(database).filter(|database| !database.is_empty()),
            socket: None,
            tls_mode: TlsMode::Preferred,
            tls_mode_explicit: false,
            ssl_ca: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            cleartext_plugin: false,
        };
        url.apply_parameters(query)
            .map_err(|reason| fail(&reason))?;
        Ok(url)
    }

    fn apply_parameters(&mut self, query: &str) -> Result<(), String> {
        let mut seen: Vec<&'static str> = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let canonical = match key.to_ascii_lowercase().replace('-', "_").as_str() {
                "ssl_mode" | "sslmode" => "ssl-mode",
                "ssl_ca" | "sslca" => "ssl-ca",
                "connect_timeout" => "connect_timeout",
                "socket" => "socket",
                "enable_cleartext_plugin" => "enable_cleartext_plugin",
                _ => {
                    return Err(format!(
                        "unknown parameter {}; expected ssl-mode, ssl-ca, connect_timeout, socket or enable_cleartext_plugin",
                        shown(key)
                    ));
                }
            };
            if seen.contains(&canonical) {
                return Err(format!("parameter `{canonical}` is given twice"));
            }
            seen.push(canonical);
            let value = decode(value).map_err(|()| {
                format!("the value of `{canonical}` is not valid percent-encoding")
            })?;
            if value.is_empty() {
                return Err(format!("parameter `{canonical}` has no value"));
            }
            match canonical {
                "ssl-mode" => {
                    self.tls_mode = TlsMode::parse(&value).ok_or_else(|| {
                        format!(
                            "unknown ssl-mode {}: expected DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY",
                            shown(&value)
                        )
                    })?;
                    self.tls_mode_explicit = true;
                }
                "ssl-ca" => self.ssl_ca = Some(PathBuf::from(value)),
                "connect_timeout" => {
                    let seconds = value
                        .parse::<u64>()
                        .ok()
                        .filter(|&seconds| seconds > 0)
                        .ok_or_else(|| {
                            format!(
                                "connect_timeout must be a whole number of seconds above 0, not {}",
                                shown(&value)
                            )
                        })?;
                    self.connect_timeout = Duration::from_secs(seconds);
                }
                "socket" => self.socket = Some(PathBuf::from(value)),
                _ => {
                    self.cleartext_plugin = match value.to_ascii_lowercase().as_str() {
                        "true" | "1" | "yes" | "on" => true,
                        "false" | "0" | "no" | "off" => false,
                        _ => {
                            return Err(format!(
                                "enable_cleartext_plugin must be true or false, not {}",
                                shown(&value)
                            ));
                        }
                    };
                }
            }
        }
        if self.ssl_ca.is_some() && self.tls_mode == TlsMode::Disabled {
            return Err(String::from(
                "ssl-ca is given but ssl-mode is DISABLED: the certificate would never be checked",
            ));
        }
        if self.cleartext_plugin && self.tls_mode < TlsMode::Required && self.socket.is_none() {
            return Err(String::from(
                "enable_cleartext_plugin sends the password as plain text: it needs ssl-mode=REQUIRED, VERIFY_CA or VERIFY_IDENTITY (or a Unix socket)",
            ));
        }
        Ok(())
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
        if let Some(socket) = &self.socket {
            return socket.display().to_string();
        }
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Whether the connection never leaves this machine (loopback or socket).
    pub(crate) fn is_local(&self) -> bool {
        self.socket.is_some()
            || self.host.eq_ignore_ascii_case("localhost")
            || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

fn invalid(scheme: &'static str, reason: &str) -> InvalidUrl {
    InvalidUrl {
        scheme,
        reason: reason.to_owned(),
    }
}

/// A key or value quoted for a message when it looks like a plain word
/// (parameter names, modes); anything else could be a piece of a secret.
fn shown(text: &str) -> String {
    let plain = !text.is_empty()
        && text.len() <= 40
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        format!("`{text}`")
    } else {
        String::from("(not shown: it does not look like a plain word)")
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`, or empty (localhost).
fn parse_host_port(text: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
        let (host, rest) = bracketed
            .split_once(']')
            .ok_or("an IPv6 address lacks its closing `]`")?;
        let port = match rest {
            "" => None,
            rest => Some(
                rest.strip_prefix(':')
                    .ok_or("unexpected text after the IPv6 address")?,
            ),
        };
        (host, port)
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        None | Some("") => DEFAULT_PORT,
        Some(port) => Some(port)
            .filter(|port| port.bytes().all(|byte| byte.is_ascii_digit()))
            .and_then(|port| port.parse::<u16>().ok())
            .filter(|&port| port > 0)
            .ok_or_else(|| format!("the port is not a number from 1 to 65535; {ENCODE_HINT}"))?,
    };
    if host.contains(['%', ' ']) {
        return Err(format!("the host name is not valid; {ENCODE_HINT}"));
    }
    let host = if host.is_empty() { "localhost" } else { host };
    Ok((host.to_owned(), port))
}

/// Percent-decodes `text` into UTF-8; `Err` for a malformed escape or
/// invalid UTF-8.
fn decode(text: &str) -> Result<String, ()> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes.get(index + 1..index + 3).ok_or(())?;
            let hex = std::str::from_utf8(hex).map_err(|_| ())?;
            decoded.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).map_err(|_| ())
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
        assert_eq!(url.password.as_deref(), Some("p@ss/w:rd"));
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
        assert_eq!(url.password.as_deref(), Some("a@b:c"));
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
