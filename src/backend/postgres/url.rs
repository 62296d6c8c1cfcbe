//! `postgres://` and `postgresql://` URLs, parsed here rather than by the
//! driver, so that no error can echo the URL or a piece of its password
//! (docs/RELIABILITY.md §5.1: URL parse errors that echo the input are the classic
//! leak). The URL is split and decoded by [`crate::database_url::parts`];
//! this module reads PostgreSQL's parameters and defaults from the parts.
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

use std::path::PathBuf;
use std::time::Duration;

use crate::database_url::error::{Part, UrlError, Word};
use crate::database_url::host::{Host, parse_port, tcp_address};
use crate::database_url::parts::{Password, UrlParts};

/// The schemes of a PostgreSQL URL.
const SCHEMES: &[&str] = &["postgres", "postgresql"];
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
            other => Err(UrlError::Quoted {
                before: "invalid sslmode ",
                word: Word::choice(other),
                after: ": expected disable, prefer, require, verify-ca or verify-full",
            }),
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

/// Fills `slot` with `value`, if there is one; an error if the URL gave
/// the part already.
fn set<T>(slot: &mut Option<T>, name: &'static str, value: Option<T>) -> Result<(), UrlError> {
    if value.is_some() {
        if slot.is_some() {
            return Err(UrlError::Twice(name));
        }
        *slot = value;
    }
    Ok(())
}

impl PgUrl {
    /// Parses `raw` (`postgres://...` or `postgresql://...`).
    pub(crate) fn parse(raw: &str) -> Result<PgUrl, UrlError> {
        let UrlParts {
            mut user,
            mut password,
            mut host,
            mut port,
            database: mut dbname,
            params,
            ..
        } = UrlParts::split(raw, SCHEMES)?;
        let (mut sslmode, mut sslrootcert, mut application_name) = (None, None, None);
        let (mut connect_timeout, mut options) = (None, None);
        for param in &params {
            let text = |name: &'static str| param.text(Part::Parameter(name)).map(Some);
            match param.name {
                "host" => set(
                    &mut host,
                    "host",
                    Host::parse(param.text(Part::Parameter("host"))?)?,
                )?,
                "port" => set(
                    &mut port,
                    "port",
                    parse_port(&param.text(Part::Parameter("port"))?)?,
                )?,
                "user" => set(&mut user, "user", text("user")?)?,
                "password" => set(
                    &mut password,
                    "password",
                    Some(param.password(Part::Parameter("password"))?),
                )?,
                "dbname" => set(&mut dbname, "dbname", text("dbname")?)?,
                "sslmode" => set(&mut sslmode, "sslmode", text("sslmode")?)?,
                "sslrootcert" => set(&mut sslrootcert, "sslrootcert", text("sslrootcert")?)?,
                "application_name" => set(
                    &mut application_name,
                    "application_name",
                    text("application_name")?,
                )?,
                "connect_timeout" => set(
                    &mut connect_timeout,
                    "connect_timeout",
                    text("connect_timeout")?,
                )?,
                "options" => set(&mut options, "options", text("options")?)?,
                name => {
                    return Err(UrlError::Quoted {
                        before: "unknown URL parameter ",
                        word: Word::name(name),
                        after: ": sqlmig knows host, port, user, password, dbname, sslmode, sslrootcert, application_name, connect_timeout and options",
                    });
                }
            }
        }
        let host = host.unwrap_or_default();
        if matches!(&host, Host::Tcp(name) if name.contains(',')) {
            return Err(UrlError::Fixed(
                "the URL names several hosts: sqlmig connects to one server, so name one",
            ));
        }
        let sslmode = match sslmode.as_deref() {
            None => SslMode::Prefer,
            Some(mode) => SslMode::parse(mode)?,
        };
        let sslrootcert = sslrootcert
            .filter(|path: &String| !path.is_empty())
            .map(PathBuf::from);
        if sslrootcert.is_some() {
            match sslmode {
                SslMode::Disable => {
                    return Err(UrlError::Fixed(
                        "sslrootcert has no effect with sslmode=disable: use sslmode=require, verify-ca or verify-full to check the server's certificate",
                    ));
                }
                SslMode::Prefer => {
                    return Err(UrlError::Fixed(
                        "sslrootcert has no effect with sslmode=prefer: use sslmode=require, verify-ca or verify-full to check the server's certificate",
                    ));
                }
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {}
            }
        }
        let connect_timeout = match connect_timeout.as_deref() {
            None => Some(DEFAULT_CONNECT_TIMEOUT),
            Some(seconds) => match seconds.trim().parse::<u64>() {
                Ok(0) => None,
                Ok(seconds) => Some(Duration::from_secs(seconds)),
                Err(_) => {
                    return Err(UrlError::Fixed(
                        "connect_timeout is not a whole number of seconds (0 waits without limit)",
                    ));
                }
            },
        };
        Ok(PgUrl {
            host,
            port: port.unwrap_or(DEFAULT_PORT),
            user: user.filter(|user| !user.is_empty()),
            password,
            dbname: dbname.filter(|name| !name.is_empty()),
            sslmode,
            sslrootcert,
            application_name: application_name
                .unwrap_or_else(|| format!("sqlmig/{}", env!("CARGO_PKG_VERSION"))),
            connect_timeout,
            options: options.filter(|options| !options.is_empty()),
        })
    }

    /// Fills in a missing user from `os_user` (the caller passes `$USER`,
    /// then `$LOGNAME`), as libpq does; an error if there is none.
    pub(crate) fn resolve_user(&mut self, os_user: Option<String>) -> Result<&str, UrlError> {
        if self.user.is_none() {
            self.user = os_user.filter(|user| !user.is_empty());
        }
        self.user.as_deref().ok_or(UrlError::Fixed(
            "the URL names no user and neither $USER nor $LOGNAME is set: write one, as in postgres://USER@HOST/DATABASE",
        ))
    }

    /// `host:port`, or the socket file's path, for messages.
    pub(crate) fn endpoint(&self) -> String {
        match &self.host {
            Host::Tcp(host) => tcp_address(host, self.port),
            Host::Unix(directory) => {
                format!("{}/.s.PGSQL.{}", directory.display(), self.port)
            }
        }
    }
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
        assert_eq!(
            url.password.as_ref().map(Password::expose_secret),
            Some(&b"p@ss/w:rd%"[..])
        );
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
