//! MySQL and MariaDB through mysql_async (TLS by rustls, never OpenSSL), one
//! blocking call at a time on the backend's own current-thread runtime.
//!
//! **Connection.** The URL is parsed here ([`url`]) and turned into driver
//! options field by field, so no parser ever sees (or echoes) the raw URL.
//! The connection goes where the URL says: mysql_async's switch to the
//! server's Unix socket for loopback addresses is turned off. The whole
//! connect and login must finish within `connect_timeout` (10 s by default).
//!
//! **TLS** (`ssl-mode`, the `mysql` client's names and its default):
//! - `DISABLED`: plaintext. `PREFERRED` (the default): TLS when the server
//!   offers it, else plaintext with a warning (a default, unwritten mode
//!   stays quiet on loopback, where nothing crosses a network).
//! - `REQUIRED`: TLS or no connection. `PREFERRED` and `REQUIRED` encrypt
//!   without checking the certificate, unless `ssl-ca` is given, which
//!   makes them check it against that file as `VERIFY_CA` does.
//! - `VERIFY_CA`: the certificate must chain to `ssl-ca` (or, without it,
//!   to the built-in web roots); the host name is not compared (when the
//!   driver's check fails on the name alone, the handshake is made again
//!   with the name the certificate presents). `VERIFY_IDENTITY`: also name
//!   the host.
//! - A Unix socket (`socket=`) never uses TLS: it does not leave the machine.
//!
//! **Statements** run with the text protocol, each exactly as written (a
//! procedure body from a `-- statement-begin` block is one statement);
//! sqlmig's own statements are prepared, with bound values. `LOAD DATA
//! LOCAL INFILE` is refused: no file of this machine is ever sent.
//!
//! **Lock** (docs/RELIABILITY.md C-2): `GET_LOCK(name, 0)`, polled, on the
//! connection that runs everything, `name` derived from the database and
//! the state table ([`MysqlBackend::lock_name`]). Only `1` counts as taken;
//! it is never asked for twice on one connection (the lock is re-entrant,
//! so a second request would succeed without meaning anything), and its
//! release must return `1`.
//!
//! **Dead servers.** TCP keepalive is on (first probe after 30 s idle). With
//! `statement_timeout` set ([`ConnectOptions::statement_timeout`]), the
//! session sets MariaDB's `max_statement_time` (MySQL's
//! `max_execution_time`, which bounds `SELECT` only) before `init_sql`, and
//! sqlmig gives up on any request not answered within
//! [`super::answer_deadline`], abandoning the connection, so a paused or
//! wedged server ends the run with an error instead of a hang.

mod error;
mod url;

use std::cell::RefCell;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, DriverError, OptsBuilder, Params, Row, SslOpts};

use super::{Backend, ConnectError, ConnectOptions, DbError, LockError, LockWait};
use crate::database_url::DatabaseUrl;
use crate::dialect::Dialect;
use crate::sql::{Sql, Value};
use url::{MysqlUrl, TlsMode};

/// A connection to a MySQL or MariaDB database.
pub struct MysqlBackend {
    runtime: tokio::runtime::Runtime,
    /// `None` once the connection failed: nothing more may be sent on it.
    connection: Option<Conn>,
    /// The URL without its password, for messages.
    target: String,
    /// `host:port` (or the socket), for messages.
    address: String,
    warnings: Vec<String>,
    /// The name of the lock this connection holds.
    lock: Option<String>,
    /// `statement_timeout`: see the module documentation.
    statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for MysqlBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MysqlBackend")
            .field("target", &self.target)
            .field("lock", &self.lock)
            .finish_non_exhaustive()
    }
}

impl MysqlBackend {
    /// Connects to the database of a `mysql://` or `mariadb://` URL.
    pub fn connect(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Self, ConnectError> {
        let parsed =
            MysqlUrl::parse(url.expose_secret()).map_err(|error| ConnectError::Connect {
                target: String::from("the MySQL/MariaDB database"),
                source: Box::new(DbError::new(error.to_string())),
            })?;
        let target = parsed.display();
        let failed = |source: DbError| ConnectError::Connect {
            target: target.clone(),
            source: Box::new(source),
        };
        // mysql_async builds its TLS configuration on rustls's process-wide
        // provider; installing ring's is a no-op when one is already set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = super::runtime().map_err(failed)?;
        let (connection, warnings) = runtime.block_on(open(&parsed)).map_err(failed)?;
        let mut backend = MysqlBackend {
            runtime,
            connection: Some(connection),
            target: target.clone(),
            address: parsed.address(),
            warnings,
            lock: None,
            statement_timeout: options.statement_timeout,
        };
        if let Some(limit) = options.statement_timeout {
            let mariadb = backend
                .scalar("SELECT VERSION() LIKE '%MariaDB%'", Vec::new())
                .map_err(failed)?
                .and_then(|value| value.as_integer())
                == Some(1);
            let set = if mariadb {
                format!(
                    "SET SESSION max_statement_time = {:.3}",
                    limit.as_secs_f64().max(0.001)
                )
            } else {
                format!(
                    "SET SESSION max_execution_time = {}",
                    limit.as_millis().max(1)
                )
            };
            backend.execute(&set).map_err(failed)?;
        }
        Ok(backend)
    }

    /// The name of the `GET_LOCK` lock that guards the state table `scope`
    /// (quoted, as [`crate::state_table::StateTable::qualified_name`] writes
    /// it) in `database`: `sqlmig:` and 32 hex digits of a blake3 hash,
    /// within the server's 64-character limit whatever the names' length.
    pub fn lock_name(database: &str, scope: &str) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"sqlmig-lock-v1\0");
        for part in [database, scope] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let hex = hasher.finalize().to_hex();
        format!("sqlmig:{}", &hex.as_str()[..32])
    }

    /// A waiter for the answers and the live connection, or an error once
    /// it is gone.
    fn parts(&mut self) -> Result<(Waiter<'_>, &mut Conn), DbError> {
        let connection = self.connection.as_mut().ok_or_else(|| {
            DbError::connection("the connection to the server was closed after an earlier error")
        })?;
        Ok((
            Waiter {
                runtime: &self.runtime,
                statement_timeout: self.statement_timeout,
            },
            connection,
        ))
    }

    /// Converts a driver error; a connection that failed, or whose answer
    /// never came, is dropped, so that nothing is ever sent on a broken
    /// protocol stream.
    fn finish<T>(&mut self, result: Waited<T>, sql: Option<&str>) -> Result<T, DbError> {
        let result = match result {
            Waited::Answer(result) => result,
            Waited::NoAnswer { waited, limit } => {
                self.connection = None;
                return Err(super::no_answer(&self.address, waited, limit));
            }
        };
        result.map_err(|error| {
            let error = error::convert(error, sql);
            if error.connection_lost {
                // Dropped outside the runtime, mysql_async only closes the
                // socket: after a refused file request the stream is out of
                // step, and a goodbye sent on it would reach the server as
                // file contents.
                self.connection = None;
            }
            error
        })
    }

    /// The first value of the first row of a query.
    fn scalar(&mut self, text: &str, params: Vec<Value>) -> Result<Option<Value>, DbError> {
        let rows = self.query(&Sql {
            text: text.to_owned(),
            params,
        })?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next()))
    }

    fn try_lock(&mut self, name: &str) -> Result<bool, DbError> {
        let taken = self.scalar("SELECT GET_LOCK(?, 0)", vec![Value::text(name)])?;
        Ok(taken.and_then(|value| value.as_integer()) == Some(1))
    }

    /// What a waiting runner waits for, with the holder when the server says.
    fn describe_lock(&mut self, name: &str, database: &str) -> String {
        let mut what = format!("another sqlmig migrating database `{database}` (lock `{name}`");
        if let Some(holder) = self.lock_holder(name) {
            what.push_str(&format!(", held by {holder}"));
        }
        what.push(')');
        what
    }

    fn lock_holder(&mut self, name: &str) -> Option<String> {
        let id = self
            .scalar("SELECT IS_USED_LOCK(?)", vec![Value::text(name)])
            .ok()??
            .as_integer()?;
        let mut holder = format!("connection {id}");
        // Other users' sessions are visible only with the PROCESS privilege.
        let rows = self.query(&Sql {
            text: String::from(
                "SELECT USER, HOST, COMMAND, TIME FROM information_schema.PROCESSLIST WHERE ID = ?",
            ),
            params: vec![Value::integer(id)],
        });
        if let Some(row) = rows.ok().and_then(|rows| rows.into_iter().next()) {
            let field = |index: usize| row.get(index).and_then(Value::as_text).unwrap_or_default();
            holder.push_str(&format!(
                ": {}@{}, {} for {} s",
                field(0),
                field(1),
                field(2),
                field(3)
            ));
        }
        Some(holder)
    }
}

impl Drop for MysqlBackend {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            // A polite goodbye; the server frees the lock either way when
            // the socket closes.
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(1), connection.disconnect()).await
            });
        }
    }
}

impl Backend for MysqlBackend {
    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        // Refused before sending: the driver could only refuse the server's
        // file request by abandoning the connection, and then the failure
        // could not be recorded.
        if asks_for_client_file(sql) {
            return Err(DbError::new(error::LOCAL_INFILE_REFUSED));
        }
        let (runtime, connection) = self.parts()?;
        let result = runtime.block_on(connection.query_drop(sql));
        self.finish(result, Some(sql))
    }

    fn execute_with(&mut self, sql: &Sql) -> Result<u64, DbError> {
        let params = bind(&sql.params);
        let (runtime, connection) = self.parts()?;
        let result = runtime.block_on(async {
            connection.exec_drop(sql.text.as_str(), params).await?;
            Ok(connection.affected_rows())
        });
        self.finish(result, Some(&sql.text))
    }

    fn query(&mut self, sql: &Sql) -> Result<Vec<Vec<Value>>, DbError> {
        let params = bind(&sql.params);
        let (runtime, connection) = self.parts()?;
        let result = runtime.block_on(connection.exec::<Row, _, _>(sql.text.as_str(), params));
        let rows = self.finish(result, Some(&sql.text))?;
        Ok(rows
            .into_iter()
            .map(|row| {
                row.unwrap_raw()
                    .into_iter()
                    .map(|value| decode(value.unwrap_or(mysql_async::Value::NULL)))
                    .collect()
            })
            .collect())
    }

    fn lock(&mut self, scope: &str, wait: LockWait<'_>) -> Result<(), LockError> {
        if let Some(name) = &self.lock {
            return Err(DbError::new(format!(
                "the migration lock `{name}` is already held by this connection"
            ))
            .into());
        }
        let database = self
            .scalar("SELECT DATABASE()", Vec::new())?
            .and_then(|value| value.as_text())
            .ok_or_else(|| {
                DbError::new("no database is selected: name one in the URL (mysql://host/DATABASE)")
            })?;
        let name = MysqlBackend::lock_name(&database, scope);
        {
            let this = RefCell::new(&mut *self);
            super::poll_lock(
                wait,
                &mut || this.borrow_mut().describe_lock(&name, &database),
                &mut || this.borrow_mut().try_lock(&name),
            )?;
        }
        self.lock = Some(name);
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        let Some(name) = self.lock.take() else {
            return Ok(());
        };
        let released = self.scalar("SELECT RELEASE_LOCK(?)", vec![Value::text(&name)])?;
        match released.as_ref().and_then(Value::as_integer) {
            Some(1) => Ok(()),
            other => Err(DbError::new(format!(
                "the lock `{name}` was not held by this connection when it was released (RELEASE_LOCK returned {})",
                other.map_or_else(|| String::from("NULL"), |value| value.to_string())
            ))),
        }
    }

    fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
}

/// Runs requests on the backend's runtime, giving up at
/// [`super::answer_deadline`] when `statement_timeout` is set.
struct Waiter<'a> {
    runtime: &'a tokio::runtime::Runtime,
    statement_timeout: Option<Duration>,
}

/// What came of a request.
enum Waited<T> {
    Answer(Result<T, mysql_async::Error>),
    /// No answer within `waited` (`limit` is the `statement_timeout`).
    NoAnswer {
        waited: Duration,
        limit: Duration,
    },
}

impl Waiter<'_> {
    fn block_on<T>(
        &self,
        future: impl Future<Output = Result<T, mysql_async::Error>>,
    ) -> Waited<T> {
        let Some(limit) = self.statement_timeout else {
            return Waited::Answer(self.runtime.block_on(future));
        };
        let waited = super::answer_deadline(limit, 1);
        match self
            .runtime
            .block_on(async { tokio::time::timeout(waited, future).await })
        {
            Ok(result) => Waited::Answer(result),
            Err(_) => Waited::NoAnswer { waited, limit },
        }
    }
}

/// Opens the connection the URL describes, falling back to plaintext under
/// `PREFERRED` when the server offers no TLS.
async fn open(url: &MysqlUrl) -> Result<(Conn, Vec<String>), DbError> {
    let deadline = tokio::time::Instant::now() + url.connect_timeout;
    let tls = tls_options(url)?;
    let with_tls = tls.is_some();
    let mut warnings = Vec::new();
    let connection = match attempt(url, tls.clone(), deadline).await {
        // VERIFY_CA checks the chain, not the name. mysql_async's switch
        // for that no longer recognises rustls's name error, so the check
        // is made again with the name the certificate presents: the chain
        // is verified in full, and only the name comparison is moot.
        Err(Failure::Driver(error)) if url.tls_mode == TlsMode::VerifyCa => {
            match (presented_name(&error), tls) {
                (Some(name), Some(tls)) => {
                    let tls = tls.with_danger_tls_hostname_override(Some(name));
                    attempt(url, Some(tls), deadline).await
                }
                _ => Err(Failure::Driver(error)),
            }
        }
        Err(Failure::Driver(mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer)))
            if with_tls && url.tls_mode == TlsMode::Preferred =>
        {
            if url.tls_mode_explicit || !url.is_local() {
                warnings.push(format!(
                    "the server at {} does not offer TLS: connected without encryption (ssl-mode=PREFERRED); add ssl-mode=REQUIRED to the URL to refuse plaintext",
                    url.address()
                ));
            }
            attempt(url, None, deadline).await
        }
        other => other,
    }
    .map_err(|failure| connect_error(url, failure))?;
    Ok((connection, warnings))
}

/// Why one connection attempt failed.
enum Failure {
    Driver(mysql_async::Error),
    Timeout,
}

async fn attempt(
    url: &MysqlUrl,
    tls: Option<SslOpts>,
    deadline: tokio::time::Instant,
) -> Result<Conn, Failure> {
    let options = OptsBuilder::default()
        .ip_or_hostname(url.host.clone())
        .tcp_port(url.port)
        .user(url.user.clone())
        .pass(url.password_text())
        .db_name(url.database.clone())
        .socket(url.socket.as_ref().map(|path| path.display().to_string()))
        .prefer_socket(false)
        .ssl_opts(tls)
        .enable_cleartext_plugin(url.cleartext_plugin)
        .tcp_keepalive(Some(super::KEEPALIVE_IDLE));
    match tokio::time::timeout_at(deadline, Conn::new(options)).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => Err(Failure::Driver(error)),
        Err(_) => Err(Failure::Timeout),
    }
}

/// The driver's TLS options for the URL's `ssl-mode` (module docs).
fn tls_options(url: &MysqlUrl) -> Result<Option<SslOpts>, DbError> {
    if url.tls_mode == TlsMode::Disabled || url.socket.is_some() {
        return Ok(None);
    }
    let mut options = SslOpts::default();
    if let Some(path) = &url.ssl_ca {
        let pem = std::fs::read(path).map_err(|error| {
            DbError::new(format!(
                "cannot read the ssl-ca file {}: {error}",
                path.display()
            ))
        })?;
        options = options
            .with_root_certs(vec![pem.into()])
            .with_disable_built_in_roots(true);
    }
    let check_chain = url.tls_mode >= TlsMode::VerifyCa || url.ssl_ca.is_some();
    Ok(Some(
        options
            .with_danger_accept_invalid_certs(!check_chain)
            .with_danger_skip_domain_validation(url.tls_mode != TlsMode::VerifyIdentity),
    ))
}

/// A failed connection attempt as a message that names the server (never
/// the password) and says what to check.
fn connect_error(url: &MysqlUrl, failure: Failure) -> DbError {
    let address = url.address();
    let seconds = url.connect_timeout.as_secs();
    let (error, hint) = match failure {
        Failure::Timeout => (
            DbError::connection(format!(
                "no answer from {address} within {seconds} s (connect_timeout={seconds})"
            )),
            Some(
                "check the host and port and that no firewall drops the connection; a slow network may need a larger connect_timeout=SECONDS in the URL",
            ),
        ),
        Failure::Driver(mysql_async::Error::Server(server)) => {
            let hint = match server.code {
                1045 | 1698 => Some(
                    "check the user name and password (special characters in them must be percent-encoded in the URL)",
                ),
                1044 | 1049 => Some(
                    "check the database name in the URL, that it exists and that the user may use it",
                ),
                _ => None,
            };
            let mut error = error::server_error(server, None);
            error.connection_lost = true;
            (error, hint)
        }
        Failure::Driver(mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer)) => (
            DbError::connection(format!(
                "the server at {address} does not offer TLS, and ssl-mode={} refuses to connect without it",
                url.tls_mode.name()
            )),
            Some(
                "enable TLS on the server, or use ssl-mode=PREFERRED or ssl-mode=DISABLED to allow a plaintext connection",
            ),
        ),
        Failure::Driver(mysql_async::Error::Driver(DriverError::CleartextPluginDisabled)) => (
            DbError::connection(
                "the server asks for the mysql_clear_password plugin, which sends the password as plain text",
            ),
            Some(
                "add enable_cleartext_plugin=true to the URL, together with ssl-mode=REQUIRED or stricter",
            ),
        ),
        Failure::Driver(mysql_async::Error::Io(mysql_async::IoError::Io(io)))
            if certificate_error(&io).is_some() =>
        {
            (
                DbError::connection(format!(
                    "TLS with {address} failed (ssl-mode={}): {io}",
                    url.tls_mode.name()
                )),
                Some(match certificate_error(&io) {
                    Some(rustls::CertificateError::UnknownIssuer) if url.ssl_ca.is_some() => {
                        "the server's certificate does not lead to a certificate authority of the ssl-ca file"
                    }
                    Some(rustls::CertificateError::UnknownIssuer) => {
                        "without ssl-ca only public (webpki-roots) authorities are trusted: set ssl-ca=PATH to the PEM file of the server's certificate authority"
                    }
                    _ => {
                        "check ssl-ca and ssl-mode: VERIFY_IDENTITY needs a certificate that names the host in the URL (VERIFY_CA checks the chain only)"
                    }
                }),
            )
        }
        Failure::Driver(mysql_async::Error::Io(mysql_async::IoError::Io(io))) => (
            DbError::connection(format!("cannot reach {address}: {io}")),
            None,
        ),
        Failure::Driver(mysql_async::Error::Io(mysql_async::IoError::Tls(tls))) => (
            DbError::connection(format!("the TLS handshake with {address} failed: {tls}")),
            Some(
                "check ssl-ca and ssl-mode: VERIFY_IDENTITY needs a certificate that names the host in the URL",
            ),
        ),
        Failure::Driver(other) => (
            DbError::connection(format!("cannot connect to {address}: {other}")),
            None,
        ),
    };
    DbError {
        hint: hint.map(str::to_owned),
        ..error
    }
}

/// The certificate error inside an I/O error (tokio-rustls wraps rustls's).
fn certificate_error(io: &std::io::Error) -> Option<&rustls::CertificateError> {
    match io.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(error) => Some(error),
        _ => None,
    }
}

/// The first DNS name the server's certificate presents, when the only
/// fault found in it was that it names another host.
fn presented_name(error: &mysql_async::Error) -> Option<String> {
    let mysql_async::Error::Io(mysql_async::IoError::Io(io)) = error else {
        return None;
    };
    let rustls::CertificateError::NotValidForNameContext { presented, .. } = certificate_error(io)?
    else {
        return None;
    };
    // rustls writes them as `DnsName("db.example")`.
    presented.iter().find_map(|name| {
        name.strip_prefix("DnsName(\"")?
            .strip_suffix("\")")
            .map(str::to_owned)
    })
}

/// The driver's parameters for sqlmig's values.
fn bind(params: &[Value]) -> Params {
    if params.is_empty() {
        return Params::Empty;
    }
    Params::Positional(
        params
            .iter()
            .map(|value| match value {
                Value::Text(Some(text)) => mysql_async::Value::Bytes(text.clone().into_bytes()),
                Value::Integer(Some(integer)) => mysql_async::Value::Int(*integer),
                Value::Text(None) | Value::Integer(None) => mysql_async::Value::NULL,
            })
            .collect(),
    )
}

/// A value the server sent, as sqlmig's text or integer.
fn decode(value: mysql_async::Value) -> Value {
    match value {
        mysql_async::Value::NULL => Value::Text(None),
        mysql_async::Value::Int(integer) => Value::integer(integer),
        mysql_async::Value::UInt(integer) => {
            i64::try_from(integer).map_or_else(|_| Value::text(integer.to_string()), Value::integer)
        }
        mysql_async::Value::Bytes(bytes) => Value::text(String::from_utf8_lossy(&bytes)),
        mysql_async::Value::Float(number) => Value::text(number.to_string()),
        mysql_async::Value::Double(number) => Value::text(number.to_string()),
        mysql_async::Value::Date(year, month, day, hour, minute, second, micros) => Value::text(
            format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{micros:06}"),
        ),
        mysql_async::Value::Time(negative, days, hours, minutes, seconds, micros) => {
            let hours = u32::from(hours) + days * 24;
            let sign = if negative { "-" } else { "" };
            Value::text(format!(
                "{sign}{hours:02}:{minutes:02}:{seconds:02}.{micros:06}"
            ))
        }
    }
}

/// Whether `sql` is `LOAD DATA|XML [LOW_PRIORITY|CONCURRENT] LOCAL ...`,
/// which would make the server ask for a file of this machine.
fn asks_for_client_file(sql: &str) -> bool {
    let words = leading_words(sql, 4);
    words.first().is_some_and(|word| word == "LOAD")
        && words
            .get(1)
            .is_some_and(|word| word == "DATA" || word == "XML")
        && words.iter().skip(2).any(|word| word == "LOCAL")
}

/// The first `count` words of a statement, upper-cased, skipping comments
/// (but reading into `/*! ... */`, whose text MySQL runs).
fn leading_words(sql: &str, count: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = sql;
    while words.len() < count {
        rest = rest.trim_start();
        if let Some(after) = rest
            .strip_prefix("/*!")
            .or_else(|| rest.strip_prefix("/*M!"))
        {
            rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, tail)| tail);
        } else if let Some(after) = rest.strip_prefix("*/") {
            rest = after;
        } else if rest.starts_with("--") || rest.starts_with('#') {
            rest = rest.split_once('\n').map_or("", |(_, tail)| tail);
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            words.push(rest[..end].to_ascii_uppercase());
            rest = &rest[end..];
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_names_fit_and_differ() {
        let name = MysqlBackend::lock_name("app", "`sqlmig_revisions`");
        assert!(name.starts_with("sqlmig:") && name.len() <= 64, "{name}");
        assert_eq!(name, MysqlBackend::lock_name("app", "`sqlmig_revisions`"));
        assert_ne!(name, MysqlBackend::lock_name("app2", "`sqlmig_revisions`"));
        assert_ne!(name, MysqlBackend::lock_name("app", "`other`"));
        assert_ne!(
            MysqlBackend::lock_name("ab", "c"),
            MysqlBackend::lock_name("a", "bc")
        );
        let long = "x".repeat(64);
        assert!(MysqlBackend::lock_name(&long, &long).len() <= 64);
    }

    #[test]
    fn client_file_requests_are_recognised() {
        for sql in [
            "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE t",
            "load data low_priority local infile 'x' into table t",
            "-- a comment\n# another\n/* and */ LOAD XML LOCAL INFILE 'x' INTO TABLE t",
            "/*!50000 LOAD DATA CONCURRENT LOCAL INFILE 'x' INTO TABLE t */",
        ] {
            assert!(asks_for_client_file(sql), "{sql}");
        }
        for sql in [
            "LOAD DATA INFILE '/var/lib/mysql-files/x' INTO TABLE t",
            "SELECT 'LOAD DATA LOCAL INFILE'",
            "INSERT INTO t VALUES ('LOAD DATA LOCAL')",
        ] {
            assert!(!asks_for_client_file(sql), "{sql}");
        }
    }

    #[test]
    fn values_decode_to_text_or_integers() {
        assert_eq!(decode(mysql_async::Value::Int(-4)), Value::integer(-4));
        assert_eq!(decode(mysql_async::Value::UInt(7)), Value::integer(7));
        assert_eq!(
            decode(mysql_async::Value::UInt(u64::MAX)),
            Value::text(u64::MAX.to_string())
        );
        assert_eq!(
            decode(mysql_async::Value::Bytes(b"abc".to_vec())),
            Value::text("abc")
        );
        assert_eq!(decode(mysql_async::Value::NULL), Value::Text(None));
        assert_eq!(
            decode(mysql_async::Value::Date(2024, 2, 29, 13, 5, 9, 120)),
            Value::text("2024-02-29 13:05:09.000120")
        );
        assert_eq!(
            decode(mysql_async::Value::Time(true, 1, 2, 3, 4, 0)),
            Value::text("-26:03:04.000000")
        );
    }
}
