//! `postgres://` and `postgresql://` URLs, parsed here rather than by the
//! driver, so that no error can echo the URL or a piece of its password
//! (RELIABILITY.md §5.1: URL parse errors that echo the input are the classic
//! leak).
//!
//! The form is libpq's:
//! `postgres://[user[:password]@][host][:port][/dbname][?param=value&...]`,
//! every part percent-decoded. The parameters are `host`, `port`, `user`,
//! `password`, `dbname`, `sslmode`, `sslrootcert`, `application_name`,
//! `connect_timeout` and `options`; any other is an error, and so is a part
//! given twice (in the authority and as a parameter, for example). Errors
//! name the part or the parameter, never a value, with one exception: a bad
//! `sslmode` is quoted, since a mode is not a secret and the typo is what the
//! user must see.
//!
//! Defaults, where libpq's would surprise or cannot apply:
//! - no host: `localhost` over TCP (libpq uses its compiled-in socket
//!   directory; write `?host=/var/run/postgresql` for a Unix socket);
//! - no user: the operating-system user from `$USER`, then `$LOGNAME`, as
//!   libpq does; without either the URL must name one (never a silent
//!   `postgres`, which could be a superuser under trust authentication);
//! - no database: the user's name (as libpq);
//! - `sslmode`: `prefer` (as libpq; see the backend's documentation);
//! - `application_name`: `sqlmig/<version>`;
//! - `connect_timeout`: 10 seconds for the whole connection, `0` for none.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The default port.
const DEFAULT_PORT: u16 = 5432;
/// The default `connect_timeout`.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the user asked of TLS (libpq's names; `allow` is not offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    /// Plaintext only.
    Disable,
    /// TLS if the server has it (certificate not checked), else plaintext with a warning.
    Prefer,
    /// TLS or fail; the certificate is checked only when `sslrootcert` is given.
    Require,
    /// TLS, certificate chain checked, host name not.
    VerifyCa,
    /// TLS, certificate chain and host name checked.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<Self, UrlError> {
        match value {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(UrlError(format!(
                "invalid sslmode `{}`: expected disable, prefer, require, verify-ca or verify-full",
                printable(other)
            ))),
        }
    }

    /// The name as written in a URL.
    pub(crate) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A host name or IP address, reached over TCP.
    Tcp(String),
    /// The directory holding the server's Unix socket.
    Unix(PathBuf),
}

/// A password: never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Password(pub(crate) Vec<u8>);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A parsed PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PgUrl {
    /// The server.
    pub(crate) host: Host,
    /// Its port (for a Unix socket, the socket file's number).
    pub(crate) port: u16,
    /// The role to log in as; `None` until [`PgUrl::resolve_user`] fills it in.
    pub(crate) user: Option<String>,
    /// The password, if any.
    pub(crate) password: Option<Password>,
    /// The database; `None` means the user's name.
    pub(crate) dbname: Option<String>,
    /// The TLS mode.
    pub(crate) sslmode: SslMode,
    /// A PEM file of trusted root certificates.
    pub(crate) sslrootcert: Option<PathBuf>,
    /// What `pg_stat_activity` shows for the session.
    pub(crate) application_name: String,
    /// The limit on the whole connection (socket, TLS, authentication); `None`: no limit.
    pub(crate) connect_timeout: Option<Duration>,
    /// Command-line options sent to the server at start-up (`-c name=value`).
    pub(crate) options: Option<String>,
}

/// A URL that cannot be used. The message never holds a value from the URL
/// (except a bad `sslmode`), so it is safe to print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UrlError(String);

fn error(message: impl Into<String>) -> UrlError {
    UrlError(message.into())
}

/// The parts a URL may give, each at most once.
#[derive(Default)]
struct Parts {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    password: Option<Vec<u8>>,
    dbname: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    application_name: Option<String>,
    connect_timeout: Option<String>,
    options: Option<String>,
}

fn set<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), UrlError> {
    if slot.is_some() {
        return Err(error(format!(
            "the URL gives `{name}` twice (in the URL's body and as a parameter, or as two parameters)"
        )));
    }
    *slot = Some(value);
    Ok(())
}

impl PgUrl {
    /// Parses `raw` (`postgres://...` or `postgresql://...`).
    pub(crate) fn parse(raw: &str) -> Result<PgUrl, UrlError> {
        let rest = ["postgresql://", "postgres://"]
            .iter()
            .find_map(|scheme| {
                raw.get(..scheme.len())
                    .filter(|prefix| prefix.eq_ignore_ascii_case(scheme))
                    .map(|_| &raw[scheme.len()..])
            })
            .ok_or_else(|| error("a PostgreSQL URL starts with postgres:// or postgresql://"))?;
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if tail.contains('@') {
            // Most likely a password with an unencoded `/` or `?`: the host
            // and port as parsed would be pieces of it, so say nothing of them.
            return Err(error(
                "the URL has an `@` after its host part: percent-encode `/`, `?` and `@` in the user name, password and parameters (`/` is %2F, `?` is %3F, `@` is %40)",
            ));
        }
        let mut parts = Parts::default();
        let host_port = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => {
                let (user, password) = match userinfo.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (userinfo, None),
                };
                if !user.is_empty() {
                    parts.user = Some(decode_text(user, "user name")?);
                }
                if let Some(password) = password {
                    parts.password = Some(decode(password, "password")?);
                }
                host_port
            }
            None => authority,
        };
        parse_host_port(host_port, &mut parts)?;
        let (path, query) = match tail.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (tail, None),
        };
        let path = path.strip_prefix('/').unwrap_or(path);
        if !path.is_empty() {
            parts.dbname = Some(decode_text(path, "database name")?);
        }
        for pair in query
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
        {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(error(
                    "a URL parameter has no `=`: parameters are written name=value and separated by `&`",
                ));
            };
            let text = |what: &str| decode_text(value, what);
            match key {
                "host" => set(&mut parts.host, key, text("host parameter")?)?,
                "port" => set(&mut parts.port, key, text("port parameter")?)?,
                "user" => set(&mut parts.user, key, text("user parameter")?)?,
                "password" => set(
                    &mut parts.password,
                    key,
                    decode(value, "password parameter")?,
                )?,
                "dbname" => set(&mut parts.dbname, key, text("dbname parameter")?)?,
                "sslmode" => set(&mut parts.sslmode, key, text("sslmode parameter")?)?,
                "sslrootcert" => set(&mut parts.sslrootcert, key, text("sslrootcert parameter")?)?,
                "application_name" => {
                    set(
                        &mut parts.application_name,
                        key,
                        text("application_name parameter")?,
                    )?;
                }
                "connect_timeout" => {
                    set(
                        &mut parts.connect_timeout,
                        key,
                        text("connect_timeout parameter")?,
                    )?;
                }
                "options" => set(&mut parts.options, key, text("options parameter")?)?,
                other => {
                    return Err(error(format!(
                        "unknown URL parameter `{}`: sqlmig knows host, port, user, password, dbname, sslmode, sslrootcert, application_name, connect_timeout and options",
                        printable(other)
                    )));
                }
            }
        }
        PgUrl::from_parts(parts)
    }

    fn from_parts(parts: Parts) -> Result<PgUrl, UrlError> {
        let host = match parts.host.filter(|host| !host.is_empty()) {
            None => Host::Tcp(String::from("localhost")),
            Some(host) if host.starts_with('/') => Host::Unix(PathBuf::from(host)),
            Some(host) if host.contains(',') => {
                return Err(error(
                    "the URL names several hosts: sqlmig connects to one server, so name one",
                ));
            }
            Some(host) if host.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                return Err(error(
                    "the URL's host name holds spaces or control characters",
                ));
            }
            Some(host) => Host::Tcp(host),
        };
        let port = match parts.port.filter(|port| !port.is_empty()) {
            None => DEFAULT_PORT,
            Some(port) => port.parse::<u16>().ok().filter(|&port| port > 0).ok_or_else(|| {
                error("the URL's port is not a number from 1 to 65535 (a password with `/`, `?` or `@` must be percent-encoded)")
            })?,
        };
        let sslmode = match parts.sslmode.as_deref() {
            None => SslMode::Prefer,
            Some(mode) => SslMode::parse(mode)?,
        };
        let sslrootcert = parts
            .sslrootcert
            .filter(|path| !path.is_empty())
            .map(PathBuf::from);
        if sslrootcert.is_some() && matches!(sslmode, SslMode::Disable | SslMode::Prefer) {
            return Err(error(format!(
                "sslrootcert has no effect with sslmode={}: use sslmode=require, verify-ca or verify-full to check the server's certificate",
                sslmode.name()
            )));
        }
        let connect_timeout = match parts.connect_timeout.as_deref() {
            None => Some(DEFAULT_CONNECT_TIMEOUT),
            Some(seconds) => match seconds.trim().parse::<u64>() {
                Ok(0) => None,
                Ok(seconds) => Some(Duration::from_secs(seconds)),
                Err(_) => {
                    return Err(error(
                        "connect_timeout is not a whole number of seconds (0 waits without limit)",
                    ));
                }
            },
        };
        Ok(PgUrl {
            host,
            port,
            user: parts.user.filter(|user| !user.is_empty()),
            password: parts.password.map(Password),
            dbname: parts.dbname.filter(|name| !name.is_empty()),
            sslmode,
            sslrootcert,
            application_name: parts
                .application_name
                .unwrap_or_else(|| format!("sqlmig/{}", env!("CARGO_PKG_VERSION"))),
            connect_timeout,
            options: parts.options.filter(|options| !options.is_empty()),
        })
    }

    /// Fills in a missing user from `os_user` (the caller passes `$USER`,
    /// then `$LOGNAME`), as libpq does; an error if there is none.
    pub(crate) fn resolve_user(&mut self, os_user: Option<String>) -> Result<&str, UrlError> {
        if self.user.is_none() {
            self.user = os_user.filter(|user| !user.is_empty());
        }
        self.user.as_deref().ok_or_else(|| {
            error("the URL names no user and neither $USER nor $LOGNAME is set: write one, as in postgres://USER@HOST/DATABASE")
        })
    }

    /// `host:port`, or the socket file's path, for messages.
    pub(crate) fn endpoint(&self) -> String {
        match &self.host {
            Host::Tcp(host) if host.contains(':') => format!("[{host}]:{}", self.port),
            Host::Tcp(host) => format!("{host}:{}", self.port),
            Host::Unix(directory) => {
                format!("{}/.s.PGSQL.{}", directory.display(), self.port)
            }
        }
    }
}

/// Splits `host[:port]` or `[ipv6][:port]` into `parts`.
fn parse_host_port(host_port: &str, parts: &mut Parts) -> Result<(), UrlError> {
    if host_port.is_empty() {
        return Ok(());
    }
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (address, after) = bracketed
            .split_once(']')
            .ok_or_else(|| error("the URL's IPv6 host has no closing `]`"))?;
        let port =
            match after {
                "" => None,
                after => Some(after.strip_prefix(':').ok_or_else(|| {
                    error("the URL has text after its IPv6 host that is not a port")
                })?),
            };
        (address, port)
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if !host.is_empty() {
        parts.host = Some(decode_text(host, "host")?);
    }
    if let Some(port) = port.filter(|port| !port.is_empty()) {
        parts.port = Some(decode_text(port, "port")?);
    }
    Ok(())
}

/// Percent-decodes `text`. `what` names the part for the error, which
/// never quotes the text.
fn decode(text: &str, what: &str) -> Result<Vec<u8>, UrlError> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes
                .get(index + 1..index + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| {
                    error(format!(
                        "the URL's {what} has a `%` that is not followed by two hexadecimal digits (write `%` itself as %25)"
                    ))
                })?;
            decoded.push(hex);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    Ok(decoded)
}

/// Percent-decodes `text` into UTF-8 text.
fn decode_text(text: &str, what: &str) -> Result<String, UrlError> {
    String::from_utf8(decode(text, what)?).map_err(|_| {
        error(format!(
            "the URL's {what} is not UTF-8 once percent-decoded"
        ))
    })
}

/// `text` cut short and stripped of control characters, for an error message.
fn printable(text: &str) -> String {
    let mut shown: String = text.chars().filter(|c| !c.is_control()).take(40).collect();
    if text.chars().count() > 40 {
        shown.push_str("...");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> PgUrl {
        PgUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn refuse(raw: &str) -> String {
        match PgUrl::parse(raw) {
            Ok(url) => panic!("{raw} parsed as {url:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn parts_and_defaults() {
        let url = parse(
            "postgres://app:p%40ss%2Fw%3Ard%25@db.example.com:6543/my%20db?sslmode=verify-full&connect_timeout=3&application_name=deploy&options=-c%20lock_timeout%3D5s",
        );
        assert_eq!(url.host, Host::Tcp("db.example.com".into()));
        assert_eq!(url.port, 6543);
        assert_eq!(url.user.as_deref(), Some("app"));
        assert_eq!(url.password, Some(Password(b"p@ss/w:rd%".to_vec())));
        assert_eq!(url.dbname.as_deref(), Some("my db"));
        assert_eq!(url.sslmode, SslMode::VerifyFull);
        assert_eq!(url.connect_timeout, Some(Duration::from_secs(3)));
        assert_eq!(url.application_name, "deploy");
        assert_eq!(url.options.as_deref(), Some("-c lock_timeout=5s"));
        assert_eq!(url.endpoint(), "db.example.com:6543");

        let url = parse("postgresql://");
        assert_eq!(url.host, Host::Tcp("localhost".into()));
        assert_eq!(url.port, 5432);
        assert_eq!(url.user, None);
        assert_eq!(url.sslmode, SslMode::Prefer);
        assert_eq!(url.connect_timeout, Some(Duration::from_secs(10)));
        assert_eq!(
            url.application_name,
            format!("sqlmig/{}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(
            parse("POSTGRES://u@h?connect_timeout=0").connect_timeout,
            None
        );
    }

    #[test]
    fn unix_sockets_and_ipv6() {
        let url = parse("postgres://u@/app?host=/var/run/postgresql&port=5433");
        assert_eq!(url.host, Host::Unix("/var/run/postgresql".into()));
        assert_eq!(url.endpoint(), "/var/run/postgresql/.s.PGSQL.5433");
        let url = parse("postgres://u@%2Ftmp%2Fpg/app");
        assert_eq!(url.host, Host::Unix("/tmp/pg".into()));
        let url = parse("postgres://u@[::1]:5433/app");
        assert_eq!(url.host, Host::Tcp("::1".into()));
        assert_eq!(url.endpoint(), "[::1]:5433");
        assert_eq!(parse("postgres://[fe80::1]/app").port, 5432);
    }

    #[test]
    fn users_fall_back_to_the_os_user_or_fail() {
        let mut url = parse("postgres://localhost/app");
        assert_eq!(url.resolve_user(Some("deploy".into())).ok(), Some("deploy"));
        let mut url2 = parse("postgres://localhost/app");
        assert!(
            url2.resolve_user(None)
                .unwrap_err()
                .to_string()
                .contains("names no user")
        );
        url = parse("postgres://me@localhost/app");
        assert_eq!(url.resolve_user(Some("deploy".into())).ok(), Some("me"));
    }

    #[test]
    fn mistakes_are_errors() {
        assert!(
            refuse("postgres://u@h/db?sslmode=verfy-full").contains("invalid sslmode `verfy-full`")
        );
        assert!(
            refuse("postgres://u@h/db?sslmod=require").contains("unknown URL parameter `sslmod`")
        );
        assert!(refuse("postgres://u@h/db?sslmode=require&sslmode=disable").contains("twice"));
        assert!(refuse("postgres://u@h/db?user=v").contains("`user` twice"));
        assert!(
            refuse("postgres://u@h/db?sslrootcert=/ca.pem")
                .contains("no effect with sslmode=prefer")
        );
        assert!(refuse("postgres://u@h:99999/db").contains("port"));
        assert!(refuse("postgres://u@a,b/db").contains("several hosts"));
        assert!(refuse("postgres://u@h/db?connect_timeout=soon").contains("connect_timeout"));
        assert!(refuse("mysql://u@h/db").contains("postgres://"));
    }

    #[test]
    fn errors_never_quote_the_password() {
        let canary = "Cx7-s3cret-CANARY";
        for raw in [
            format!("postgres://u:{canary}/x@h/db"),
            format!("postgres://u:{canary}?x@h/db"),
            format!("postgres://u:{canary}%zz@h/db"),
            format!("postgres://u:{canary}"),
            format!("postgres://u@h/db?password={canary}%"),
            format!("postgres://u@h/db?{canary}"),
            format!("postgres://u@h/db?connect_timeout={canary}"),
            format!("postgres://u@h:{canary}/db"),
        ] {
            let message = refuse(&raw);
            assert!(!message.contains("s3cret"), "{raw}: {message}");
        }
        let url = parse(&format!("postgres://u:{canary}@h/db"));
        assert!(!format!("{url:?}").contains("s3cret"));
    }
}
