//! PostgreSQL through tokio-postgres, TLS through rustls (no OpenSSL).
//!
//! The backend owns a current-thread tokio runtime and one connection; each
//! call blocks on it, so the engine stays synchronous. Statements of revision
//! files run through the simple query protocol (`DO` blocks, dollar-quoted
//! bodies and `CREATE INDEX CONCURRENTLY` go to the server as written);
//! sqlmig's own statements run through the extended protocol with bound,
//! explicitly typed parameters, one round trip each.
//!
//! # URLs
//!
//! `postgres://user:password@host:port/dbname?param=value`, parsed by sqlmig
//! itself so that no error echoes the URL: see the `url` module for the
//! parameters and defaults (unknown parameters are errors).
//!
//! # `sslmode`
//!
//! - `disable`: plaintext.
//! - `prefer` (the default, as in libpq): TLS if the server offers it, the
//!   certificate not checked; if the server has no TLS, plaintext, and the
//!   connection warns that it is NOT encrypted. A failed handshake is an
//!   error, not a fallback.
//! - `require`: TLS or no connection; the certificate is not checked
//!   (libpq's meaning), unless `sslrootcert` is given, which makes it
//!   `verify-ca`.
//! - `verify-ca`: TLS, the chain checked against `sslrootcert` (else the
//!   Mozilla roots of webpki-roots); the host name is not compared.
//! - `verify-full`: as `verify-ca`, and the certificate must name the host.
//!
//! A typo (`verfy-full`) is an error naming the bad mode, never a fallback;
//! so is `sslrootcert` with `disable` or `prefer`, where it would be ignored.
//! PostgreSQL has no TLS on Unix sockets, so a socket connection never uses
//! it (as in libpq); asking for `require` or stricter there draws a warning.
//!
//! # The lock
//!
//! A session advisory lock, `pg_try_advisory_lock(k)` polled with backoff on
//! the connection that then runs every statement (docs/RELIABILITY.md C-1), never
//! a blocking `pg_advisory_lock`, which deadlocks against the holder's
//! `CREATE INDEX CONCURRENTLY`. `k` is [`PostgresBackend::lock_key`] of the
//! database and the state table. Once taken, `pg_locks` must show it held by
//! this connection's backend, and (unless the connection is provably direct)
//! a second connection must fail to take it: a pooler in transaction mode
//! breaks session locks, and is refused (C-5). On PostgreSQL 14 and later the session sets
//! `client_connection_check_interval = 1s` (unless the URL's `options` set
//! it; `init_sql` may set it back to 0), so when sqlmig is killed
//! mid-statement its backend ends, freeing the lock, within about a second
//! instead of when the statement finishes.
//!
//! # Dead servers
//!
//! Every TCP connection has keepalive on (first probe after 30 s idle, then
//! every 10 s, 3 misses), so a vanished host fails the connection. With
//! `statement_timeout` set ([`ConnectOptions::statement_timeout`]), the
//! session runs `SET statement_timeout` (before `init_sql`, which may change
//! it), and sqlmig gives up on any request not answered within
//! [`super::answer_deadline`]: a server that is paused or wedged (it still
//! acknowledges keepalives) ends the run with an error instead of a hang.
//! The connection is then abandoned: nothing more is sent on it.

mod pgpass;
mod tls;
mod url;

use std::cell::Cell;
use std::error::Error as _;
use std::fmt;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_postgres::error::ErrorPosition as PgPosition;
use tokio_postgres::types::{FromSql, Kind, ToSql, Type};
use tokio_postgres::{Client, Row};

use self::tls::{TrackedTls, Verification};
use self::url::{PgUrl, SslMode};
use super::{Backend, ConnectError, ConnectOptions, DbError, ErrorPosition, LockError, LockWait};
use crate::database_url::DatabaseUrl;
use crate::database_url::host::Host;
use crate::database_url::parts::Password;
use crate::dialect::Dialect;
use crate::sql::{Sql, Value};

/// A connection to a PostgreSQL database.
pub struct PostgresBackend {
    runtime: Runtime,
    // `None` only while dropping: the client goes first, so the connection
    // task can say goodbye to the server before the runtime stops.
    client: Option<Client>,
    connection: Option<JoinHandle<()>>,
    endpoint: String,
    database: String,
    backend_pid: i32,
    // Under server_encoding SQL_ASCII the server counts error positions in
    // bytes, not characters.
    byte_positions: bool,
    held_lock: Option<i64>,
    warnings: Vec<String>,
    // `statement_timeout`, and whether a request went unanswered past its
    // deadline (the connection is then abandoned).
    statement_timeout: Option<Duration>,
    abandoned: Cell<bool>,
    // How to open a second connection to the same place (the lock's
    // exclusivity check).
    config: tokio_postgres::Config,
    tls: TrackedTls,
    // The TCP host and port sqlmig dialed, and the address and port the
    // server says its end of the connection has (`None` off TCP).
    dialed: Option<(String, u16)>,
    server_socket: Option<(std::net::IpAddr, u16)>,
}

impl fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresBackend")
            .field("endpoint", &self.endpoint)
            .field("database", &self.database)
            .field("backend_pid", &self.backend_pid)
            .finish_non_exhaustive()
    }
}

impl PostgresBackend {
    /// Connects to the database of a `postgres://` URL (see the module
    /// documentation for the parameters and the `sslmode` contract). Nothing
    /// is created, so `read_only` changes nothing here.
    pub fn connect(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Self, ConnectError> {
        let target = printable_target(url);
        let fail = |source: DbError| ConnectError::Connect {
            target: target.clone(),
            source: Box::new(source),
        };
        let mut parsed = PgUrl::parse(url.expose_secret())
            .map_err(|error| fail(DbError::new(error.to_string())))?;
        let os_user = ["USER", "LOGNAME"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|user| !user.is_empty()));
        parsed
            .resolve_user(os_user)
            .map_err(|error| fail(DbError::new(error.to_string())))?;
        let mut warnings = Vec::new();
        if parsed.password.is_none() {
            parsed.password = pgpass::find(&parsed, &mut warnings).map(Password::from_secret);
        }
        let (config, tls) =
            configure(&parsed, &mut warnings).map_err(|error| fail(DbError::new(error)))?;
        let endpoint = parsed.endpoint();
        let runtime = super::runtime().map_err(fail)?;

        let connecting = config.connect(tls.clone());
        // Without connect_timeout, a statement_timeout bounds the start-up
        // too: a paused server accepts the TCP connection, then says nothing.
        let limit = parsed.connect_timeout.or(options
            .statement_timeout
            .map(|limit| super::answer_deadline(limit, 1)));
        let connected = runtime.block_on(async move {
            match limit {
                Some(limit) => tokio::time::timeout(limit, connecting).await.ok(),
                None => Some(connecting.await),
            }
        });
        let (client, connection) = match connected {
            Some(Ok(connected)) => connected,
            Some(Err(error)) => {
                let mut error = connect_error(&error, &parsed);
                // A password file that was ignored explains a missing
                // password: say so with the failure, not only on success.
                if parsed.password.is_none() && error.hint.is_none() {
                    error.hint = warnings
                        .iter()
                        .find(|warning| warning.starts_with(pgpass::IGNORED))
                        .cloned();
                }
                return Err(fail(error));
            }
            None => {
                return Err(fail(DbError::connection(format!(
                    "no answer from {endpoint} within {} ({}): check the host and port, and that a PostgreSQL server listens there",
                    super::error::humanize(limit.unwrap_or_default()),
                    if parsed.connect_timeout.is_some() {
                        "connect_timeout"
                    } else {
                        "statement_timeout plus grace"
                    }
                ))));
            }
        };
        let config = config.clone();
        let connection = runtime.spawn(async move {
            // Its error, if any, reaches the client as a closed connection.
            let _ = connection.await;
        });
        let mut backend = PostgresBackend {
            runtime,
            client: Some(client),
            connection: Some(connection),
            endpoint,
            database: String::new(),
            backend_pid: 0,
            byte_positions: false,
            held_lock: None,
            warnings,
            statement_timeout: options.statement_timeout,
            abandoned: Cell::new(false),
            config,
            tls: tls.clone(),
            dialed: match &parsed.host {
                Host::Tcp(host) => Some((host.clone(), parsed.port)),
                Host::Unix(_) => None,
            },
            server_socket: None,
        };
        // See: docs/RELIABILITY.md C-1 and B6. A sqlmig killed mid-statement
        // leaves its backend running that statement, holding the migration
        // lock, for as long as the statement takes (a long data migration:
        // minutes). PostgreSQL 14+ can check for a vanished client while a
        // statement runs; the session turns that on unless it is set already.
        let session = backend
            .fetch(
                "SELECT pg_backend_pid(), current_database(), current_setting('server_encoding'), \
                   CASE WHEN current_setting('server_version_num')::int >= 140000 \
                     AND current_setting('client_connection_check_interval', true) = '0' \
                   THEN set_config('client_connection_check_interval', '1s', false) END, \
                 host(inet_server_addr()), inet_server_port()",
                &[],
            )
            .map_err(fail)?;
        let first = session
            .first()
            .ok_or_else(|| fail(DbError::new("the server returned no session row")))?;
        backend.backend_pid = get(first, 0).map_err(fail)?;
        backend.database = get(first, 1).map_err(fail)?;
        backend.byte_positions = get::<String>(first, 2).map_err(fail)? == "SQL_ASCII";
        let server_addr: Option<String> = get(first, 4).map_err(fail)?;
        let server_port: Option<i32> = get(first, 5).map_err(fail)?;
        backend.server_socket = server_addr
            .and_then(|addr| addr.parse().ok())
            .zip(server_port.and_then(|port| u16::try_from(port).ok()));
        if let Some(limit) = options.statement_timeout {
            backend
                .execute(&format!(
                    "SET statement_timeout = {}",
                    limit.as_millis().max(1)
                ))
                .map_err(fail)?;
        }
        if parsed.sslmode == SslMode::Prefer
            && matches!(parsed.host, Host::Tcp(_))
            && !tls.encrypted()
        {
            backend.warnings.push(format!(
                "the connection to {} is NOT encrypted: the server does not support TLS, so sslmode=prefer (the default) fell back to plaintext; set sslmode=require or verify-full to refuse plaintext, or sslmode=disable to ask for it",
                backend.endpoint
            ));
        }
        Ok(backend)
    }

    /// The advisory lock key of a state table: the first 8 bytes
    /// (little-endian, signed) of blake3 over `"sqlmig"`, the database name
    /// and `scope` (the state table's quoted, qualified name, such as
    /// `"public"."sqlmig_revisions"`), each preceded by its length. Runs on
    /// the same database and state table exclude each other; runs on other
    /// databases or state tables do not. Changing this would let two sqlmig
    /// versions migrate at once, so it is fixed.
    pub fn lock_key(database: &str, scope: &str) -> i64 {
        let mut hasher = blake3::Hasher::new();
        for part in ["sqlmig", database, scope] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let mut key = [0; 8];
        key.copy_from_slice(&hasher.finalize().as_bytes()[..8]);
        i64::from_le_bytes(key)
    }

    fn client(&self) -> Result<&Client, DbError> {
        if self.abandoned.get() {
            return Err(DbError::connection(format!(
                "the connection to {} was abandoned after the server stopped answering",
                self.endpoint
            )));
        }
        self.client
            .as_ref()
            .ok_or_else(|| DbError::connection("the connection is closed"))
    }

    /// Runs `future` (the answers to `statements` requests) on the runtime,
    /// giving up at [`super::answer_deadline`] when `statement_timeout` is
    /// set; the connection is then abandoned.
    fn wait<F: Future>(&self, statements: usize, future: F) -> Result<F::Output, DbError> {
        let Some(limit) = self.statement_timeout else {
            return Ok(self.runtime.block_on(future));
        };
        let deadline = super::answer_deadline(limit, statements);
        match self
            .runtime
            .block_on(async { tokio::time::timeout(deadline, future).await })
        {
            Ok(output) => Ok(output),
            Err(_) => {
                self.abandoned.set(true);
                Err(super::no_answer(&self.endpoint, deadline, limit))
            }
        }
    }

    /// Runs a query with typed parameters and returns its rows.
    fn fetch(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, DbError> {
        let client = self.client()?;
        self.wait(1, client.query_typed(sql, params))?
            .map_err(|error| self.convert(&error, sql))
    }

    /// Converts a driver error; `sql` is the statement it came from.
    fn convert(&self, error: &tokio_postgres::Error, sql: &str) -> DbError {
        let Some(db) = error.as_db_error() else {
            let lost = error.is_closed()
                || error
                    .source()
                    .is_some_and(|source| source.is::<std::io::Error>());
            return DbError {
                connection_lost: lost,
                ..DbError::new(if lost {
                    format!(
                        "the connection to {} was lost: {}",
                        self.endpoint,
                        chain(error)
                    )
                } else {
                    chain(error)
                })
            };
        };
        let position = match db.position() {
            Some(PgPosition::Original(position)) => {
                let offset = usize::try_from(*position).unwrap_or(0).saturating_sub(1);
                let offset = if self.byte_positions {
                    sql.get(..offset)
                        .map_or(offset, |prefix| prefix.chars().count())
                } else {
                    offset
                };
                Some(ErrorPosition::Character(offset))
            }
            Some(PgPosition::Internal { .. }) | None => None,
        };
        DbError {
            message: db.message().to_owned(),
            code: Some(db.code().code().to_owned()),
            detail: db.detail().map(str::to_owned),
            hint: db.hint().map(str::to_owned),
            position,
            // FATAL and PANIC end the session (an administrator's
            // pg_terminate_backend, a server shutdown).
            connection_lost: error.is_closed() || matches!(db.severity(), "FATAL" | "PANIC"),
        }
    }

    /// Says who holds advisory lock `key`, for the wait and timeout messages.
    fn describe_lock(&self, key: i64) -> String {
        let what = format!("advisory lock {key} on database {}", self.database);
        let holders = self.fetch(
            "SELECT l.pid, a.application_name, host(a.client_addr), a.state \
             FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
               AND l.classid = (($1::int8 >> 32) & 4294967295)::oid \
               AND l.objid = ($1::int8 & 4294967295)::oid",
            &[(&key, Type::INT8)],
        );
        let Ok(holders) = holders else {
            return what;
        };
        let Some(holder) = holders.first() else {
            return format!("{what} (its holder just released it)");
        };
        let pid: i32 = holder.try_get(0).unwrap_or_default();
        let text = |index: usize| {
            holder
                .try_get::<_, Option<String>>(index)
                .ok()
                .flatten()
                .filter(|text| !text.is_empty())
        };
        let application = text(1).unwrap_or_else(|| String::from("no application_name"));
        let client = text(2).unwrap_or_else(|| String::from("local socket"));
        let state = text(3)
            .map(|state| format!(", {state}"))
            .unwrap_or_default();
        format!("{what} held by pid {pid} ({application}, {client}{state})")
    }

    /// Checks that `pg_locks` shows `key` held by this connection's backend;
    /// a pooler in transaction mode runs statements on other backends.
    fn check_lock_is_ours(&self, key: i64) -> Result<(), DbError> {
        let rows = self.fetch(
            "SELECT pg_backend_pid(), EXISTS (SELECT 1 FROM pg_locks l \
               WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
                 AND l.pid = pg_backend_pid() \
                 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                 AND l.classid = (($1::int8 >> 32) & 4294967295)::oid \
                 AND l.objid = ($1::int8 & 4294967295)::oid)",
            &[(&key, Type::INT8)],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| DbError::new("the lock check returned no row"))?;
        let pid: i32 = get(row, 0)?;
        let held: bool = get(row, 1)?;
        if held && pid == self.backend_pid {
            return Ok(());
        }
        Err(DbError::new(format!(
            "the migration lock was granted, but PostgreSQL does not show it held by this connection (backend pid {} at connection, {pid} now): the connection goes through a pooler in transaction mode (such as PgBouncer with pool_mode=transaction), where session locks do not hold; connect to PostgreSQL directly or through a session-mode pool",
            self.backend_pid
        )))
    }
}

/// How long the lock's second-connection probe may take.
const PROBE_LIMIT: Duration = Duration::from_secs(5);

impl PostgresBackend {
    /// Checks that a second connection to the same URL cannot take lock
    /// `key` too (C-5). PgBouncer in transaction mode hands the server
    /// connection that holds the session lock to the next client, whose
    /// `pg_try_advisory_lock` then succeeds (the lock is re-entrant): two
    /// runners would migrate at once. Its pool is last-in first-out, so
    /// the probe gets the very server connection sqlmig just used. A probe
    /// that cannot connect (a full server), fails or gets no answer within
    /// [`PROBE_LIMIT`] (a session pool with no free server connection)
    /// proves nothing and is skipped.
    fn check_lock_is_exclusive(&self, key: i64) -> Result<(), DbError> {
        if self.is_direct() {
            return Ok(());
        }
        // Its own limit, never the session's answer deadline: a probe that
        // waits (a session pool with no free server connection) must not
        // abandon the connection that holds the lock.
        let probe = async {
            let (client, connection) = self.config.connect(self.tls.clone()).await.ok()?;
            let task = tokio::spawn(async move {
                let _ = connection.await;
            });
            let rows = client
                .query_typed(
                    "SELECT pg_try_advisory_lock($1), pg_backend_pid()",
                    &[(&key, Type::INT8)],
                )
                .await
                .ok()?;
            let row = rows.first()?;
            let granted: bool = row.try_get(0).ok()?;
            let pid: i32 = row.try_get(1).ok()?;
            if granted {
                let _ = client
                    .query_typed("SELECT pg_advisory_unlock($1)", &[(&key, Type::INT8)])
                    .await;
            }
            drop(client);
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
            Some((granted, pid))
        };
        let outcome = self
            .runtime
            .block_on(async { tokio::time::timeout(PROBE_LIMIT, probe).await })
            .ok()
            .flatten();
        let Some((true, pid)) = outcome else {
            return Ok(());
        };
        Err(DbError::new(format!(
            "the migration lock does not exclude other runners on {}: a second connection was granted it too (backend pid {pid}; sqlmig's is {}), so the connection goes through a pooler in transaction mode, such as PgBouncer with pool_mode=transaction, where session advisory locks do not hold; run migrations over a direct connection to PostgreSQL or through a PgBouncer pool with pool_mode=session",
            self.endpoint, self.backend_pid
        )))
    }
}

impl PostgresBackend {
    /// Whether the connection certainly reaches PostgreSQL itself: the
    /// server's end of it has the very address and port sqlmig dialed. A
    /// pooler's server connection ends at the address the pooler dialed,
    /// which is not the pooler's own (two listeners cannot share one), so
    /// then [`PostgresBackend::check_lock_is_exclusive`] needs its probe;
    /// so does anything unsure (a Unix socket, NAT, an unresolvable name).
    fn is_direct(&self) -> bool {
        let (Some((host, port)), Some((server_addr, server_port))) =
            (&self.dialed, self.server_socket)
        else {
            return false;
        };
        if *port != server_port {
            return false;
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(address) = host.parse::<std::net::IpAddr>() {
            return address == server_addr;
        }
        // A name: direct if it resolves to the server's address only.
        let resolved = self
            .runtime
            .block_on(async { tokio::net::lookup_host((host, *port)).await });
        resolved.is_ok_and(|mut addresses| {
            let mut any = false;
            let all = addresses.all(|address| {
                any = true;
                address.ip() == server_addr
            });
            any && all
        })
    }
}

impl Drop for PostgresBackend {
    fn drop(&mut self) {
        // Dropping the client makes the connection task send Terminate and
        // finish, so the server logs a clean disconnection.
        drop(self.client.take());
        if let Some(connection) = self.connection.take() {
            if self.abandoned.get() {
                // The server does not answer: nothing to wait for.
                connection.abort();
                return;
            }
            let _ = self
                .runtime
                .block_on(async { tokio::time::timeout(Duration::from_secs(2), connection).await });
        }
    }
}

impl Backend for PostgresBackend {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        let client = self.client()?;
        self.wait(1, client.batch_execute(sql))?
            .map_err(|error| self.convert(&error, sql))
    }

    fn execute_with(&mut self, sql: &Sql) -> Result<u64, DbError> {
        let params = bind(&sql.params);
        let params = borrowed(&params);
        let client = self.client()?;
        self.wait(1, client.execute_typed(&sql.text, &params))?
            .map_err(|error| self.convert(&error, &sql.text))
    }

    fn query(&mut self, sql: &Sql) -> Result<Vec<Vec<Value>>, DbError> {
        let params = bind(&sql.params);
        let rows = self.fetch(&sql.text, &borrowed(&params))?;
        values(&rows)
    }

    fn pipelines(&self) -> bool {
        true
    }

    fn execute_pipelined(&mut self, statements: &[&str]) -> Result<(), (usize, Box<DbError>)> {
        let client = self.client().map_err(|error| (0, Box::new(error)))?;
        let results = self
            .wait(
                statements.len(),
                in_order(
                    statements
                        .iter()
                        .map(|statement| client.batch_execute(statement))
                        .collect(),
                ),
            )
            .map_err(|error| (0, Box::new(error)))?;
        for (index, (result, statement)) in results.into_iter().zip(statements).enumerate() {
            result.map_err(|error| (index, Box::new(self.convert(&error, statement))))?;
        }
        Ok(())
    }

    fn execute_with_then(&mut self, sql: &Sql, then: &str) -> Result<u64, DbError> {
        let params = bind(&sql.params);
        let params = borrowed(&params);
        let client = self.client()?;
        let (affected, then_result) = self.wait(
            2,
            both(
                client.execute_typed(&sql.text, &params),
                client.batch_execute(then),
            ),
        )?;
        let affected = affected.map_err(|error| self.convert(&error, &sql.text))?;
        then_result.map_err(|error| self.convert(&error, then))?;
        Ok(affected)
    }

    fn query_after(&mut self, statements: &[&str], sql: &Sql) -> Result<Vec<Vec<Value>>, DbError> {
        let params = bind(&sql.params);
        let params = borrowed(&params);
        let client = self.client()?;
        // Polled together, first to last: each request is queued on the
        // connection at its first poll, so all of them go out, in order,
        // before the first answer is awaited.
        let (executed, rows) = self.wait(
            statements.len() + 1,
            both(
                in_order(
                    statements
                        .iter()
                        .map(|statement| client.batch_execute(statement))
                        .collect(),
                ),
                client.query_typed(&sql.text, &params),
            ),
        )?;
        for (result, statement) in executed.into_iter().zip(statements) {
            result.map_err(|error| self.convert(&error, statement))?;
        }
        let rows = rows.map_err(|error| self.convert(&error, &sql.text))?;
        values(&rows)
    }

    fn lock(&mut self, scope: &str, wait: LockWait<'_>) -> Result<(), LockError> {
        let key = Self::lock_key(&self.database, scope);
        let this = &*self;
        super::poll_lock(wait, &mut || this.describe_lock(key), &mut || {
            let rows = this.fetch("SELECT pg_try_advisory_lock($1)", &[(&key, Type::INT8)])?;
            rows.first()
                .ok_or_else(|| DbError::new("pg_try_advisory_lock returned no row"))
                .and_then(|row| get::<bool>(row, 0))
        })?;
        if let Err(error) = self
            .check_lock_is_ours(key)
            .and_then(|()| self.check_lock_is_exclusive(key))
        {
            // Best effort: behind a pooler this may land on yet another backend.
            let _ = self.fetch("SELECT pg_advisory_unlock($1)", &[(&key, Type::INT8)]);
            return Err(error.into());
        }
        self.held_lock = Some(key);
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        let Some(key) = self.held_lock.take() else {
            return Ok(());
        };
        let rows = self.fetch("SELECT pg_advisory_unlock($1)", &[(&key, Type::INT8)])?;
        let released = rows
            .first()
            .ok_or_else(|| DbError::new("pg_advisory_unlock returned no row"))
            .and_then(|row| get::<bool>(row, 0))?;
        if released {
            Ok(())
        } else {
            Err(DbError::new(format!(
                "advisory lock {key} on database {} was no longer held by this session (backend pid {}) when sqlmig released it; another runner may have migrated alongside",
                self.database, self.backend_pid
            )))
        }
    }

    fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }
}

/// The driver's configuration and the TLS connector for `url`.
fn configure(
    url: &PgUrl,
    warnings: &mut Vec<String>,
) -> Result<(tokio_postgres::Config, TrackedTls), String> {
    let mut config = tokio_postgres::Config::new();
    match &url.host {
        Host::Tcp(host) => config.host(host),
        Host::Unix(directory) => config.host_path(directory),
    };
    let user = url.user.as_deref().unwrap_or_default();
    config
        .port(url.port)
        .user(user)
        .dbname(url.dbname.as_deref().unwrap_or(user))
        .application_name(&url.application_name)
        .keepalives(true)
        .keepalives_idle(super::KEEPALIVE_IDLE)
        .keepalives_interval(super::KEEPALIVE_INTERVAL)
        .keepalives_retries(super::KEEPALIVE_RETRIES);
    if let Some(password) = &url.password {
        config.password(password.expose_secret());
    }
    if let Some(options) = &url.options {
        config.options(options);
    }
    let root_file = url.sslrootcert.as_deref();
    let (mode, verification) = match (&url.host, url.sslmode) {
        (Host::Unix(_), mode) => {
            if matches!(
                mode,
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
            ) {
                warnings.push(format!(
                    "sslmode={} does not apply to the Unix socket {}: PostgreSQL has no TLS on local sockets, which never leave the machine; connected without TLS",
                    mode.name(),
                    url.endpoint()
                ));
            }
            (
                tokio_postgres::config::SslMode::Disable,
                Verification::Nothing,
            )
        }
        (Host::Tcp(_), SslMode::Disable) => (
            tokio_postgres::config::SslMode::Disable,
            Verification::Nothing,
        ),
        (Host::Tcp(_), SslMode::Prefer) => (
            tokio_postgres::config::SslMode::Prefer,
            Verification::Nothing,
        ),
        (Host::Tcp(_), SslMode::Require) if root_file.is_none() => (
            tokio_postgres::config::SslMode::Require,
            Verification::Nothing,
        ),
        (Host::Tcp(_), SslMode::Require | SslMode::VerifyCa) => (
            tokio_postgres::config::SslMode::Require,
            Verification::Chain(tls::roots(root_file)?),
        ),
        (Host::Tcp(_), SslMode::VerifyFull) => (
            tokio_postgres::config::SslMode::Require,
            Verification::Full(tls::roots(root_file)?),
        ),
    };
    config.ssl_mode(mode);
    Ok((config, TrackedTls::new(tls::client_config(verification)?)))
}

/// The URL as error messages show it. [`DatabaseUrl::redacted`] finds the
/// password in `user:password@host`; an unencoded `/` or `?` in the
/// password hides the `@` from it, so such a URL is not shown at all.
fn printable_target(url: &DatabaseUrl) -> String {
    let raw = url.expose_secret();
    let rest = raw.split_once("://").map_or(raw, |(_, rest)| rest);
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    if rest[authority_end..].contains('@') {
        String::from("a postgres:// URL (not shown: its `@` comes after a `/` or `?`)")
    } else {
        url.redacted()
    }
}

/// A clear message for a failed connection attempt.
fn connect_error(error: &tokio_postgres::Error, url: &PgUrl) -> DbError {
    let endpoint = url.endpoint();
    if let Some(db) = error.as_db_error() {
        // Authentication failures and the like: the server's own words
        // ("password authentication failed for user ...").
        return DbError {
            detail: db.detail().map(str::to_owned),
            hint: db.hint().map(str::to_owned),
            ..DbError::connection(format!("{endpoint}: {}", db.message()))
                .with_code(db.code().code())
        };
    }
    let text = chain(error);
    let mut hint = None;
    let message = if text.contains("server does not support TLS") {
        format!(
            "the server at {endpoint} does not support TLS, and sslmode={} refuses a plaintext connection",
            url.sslmode.name()
        )
    } else if text.starts_with("error performing TLS handshake") {
        if text.contains("UnknownIssuer") {
            hint = Some(if url.sslrootcert.is_some() {
                String::from(
                    "the server's certificate does not lead to a root of the sslrootcert file",
                )
            } else {
                String::from(
                    "without sslrootcert only public (webpki-roots) authorities are trusted: set sslrootcert=PATH to the PEM file of the server's certificate authority",
                )
            });
        }
        format!(
            "TLS with {endpoint} failed (sslmode={}): {text}",
            url.sslmode.name()
        )
    } else if text.starts_with("error connecting to server") {
        format!("cannot reach {endpoint}: {text}")
    } else if text.starts_with("error communicating with the server") {
        format!(
            "{endpoint} closed the connection during start-up (is it a PostgreSQL server?): {text}"
        )
    } else {
        format!("{endpoint}: {text}")
    };
    DbError {
        hint,
        ..DbError::connection(message)
    }
}

/// An error and its sources, joined by `: `.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Column `index` of `row` as `T`.
/// The values of `rows`, as [`Backend::query`] returns them.
fn values(rows: &[Row]) -> Result<Vec<Vec<Value>>, DbError> {
    rows.iter()
        .map(|row| {
            (0..row.len())
                .map(|index| {
                    row.try_get::<_, Option<AnyValue>>(index)
                        .map(|value| value.map_or(Value::Text(None), |value| value.0))
                        .map_err(|error| {
                            DbError::new(format!(
                                "cannot read column `{}`: {}",
                                row.columns()[index].name(),
                                chain(&error)
                            ))
                        })
                })
                .collect()
        })
        .collect()
}

/// Runs `futures` concurrently, polling each in order, and returns their
/// outputs in order (a pipeline: see [`Backend::query_after`]).
async fn in_order<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(context) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Runs `first` and `second` concurrently, `first` polled first.
async fn both<A: Future, B: Future>(first: A, second: B) -> (A::Output, B::Output) {
    let (mut first, mut second) = (Box::pin(first), Box::pin(second));
    let (mut first_output, mut second_output) = (None, None);
    std::future::poll_fn(|context| {
        if first_output.is_none()
            && let Poll::Ready(value) = first.as_mut().poll(context)
        {
            first_output = Some(value);
        }
        if second_output.is_none()
            && let Poll::Ready(value) = second.as_mut().poll(context)
        {
            second_output = Some(value);
        }
        match (first_output.take(), second_output.take()) {
            (Some(a), Some(b)) => Poll::Ready((a, b)),
            (a, b) => {
                (first_output, second_output) = (a, b);
                Poll::Pending
            }
        }
    })
    .await
}

fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize) -> Result<T, DbError> {
    row.try_get(index).map_err(|error| {
        DbError::new(format!(
            "unexpected reply from the server: {}",
            chain(&error)
        ))
    })
}

/// One owned parameter with its PostgreSQL type: text as `text`, integers
/// as `bigint`; the server casts them to the column types.
type Param = (Box<dyn ToSql + Sync + Send>, Type);

fn bind(values: &[Value]) -> Vec<Param> {
    values
        .iter()
        .map(|value| -> Param {
            match value {
                Value::Text(text) => (Box::new(text.clone()), Type::TEXT),
                Value::Integer(integer) => (Box::new(*integer), Type::INT8),
            }
        })
        .collect()
}

fn borrowed(params: &[Param]) -> Vec<(&(dyn ToSql + Sync), Type)> {
    params
        .iter()
        .map(|(value, kind)| (value.as_ref() as &(dyn ToSql + Sync), kind.clone()))
        .collect()
}

/// A column of any type that sqlmig can show: integers as integers,
/// everything else as its text.
struct AnyValue(Value);

type FromSqlError = Box<dyn std::error::Error + Sync + Send>;

impl<'a> FromSql<'a> for AnyValue {
    fn from_sql(kind: &Type, raw: &'a [u8]) -> Result<Self, FromSqlError> {
        decode(kind, raw).map(AnyValue)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn decode(kind: &Type, raw: &[u8]) -> Result<Value, FromSqlError> {
    if <&str as FromSql>::accepts(kind) {
        return Ok(Value::text(<&str as FromSql>::from_sql(kind, raw)?));
    }
    Ok(match *kind {
        Type::INT2 => Value::integer(i64::from(i16::from_sql(kind, raw)?)),
        Type::INT4 => Value::integer(i64::from(i32::from_sql(kind, raw)?)),
        Type::INT8 => Value::integer(i64::from_sql(kind, raw)?),
        Type::OID => Value::integer(i64::from(u32::from_sql(kind, raw)?)),
        Type::BOOL => Value::text(if bool::from_sql(kind, raw)? { "t" } else { "f" }),
        Type::FLOAT4 => Value::text(f32::from_sql(kind, raw)?.to_string()),
        Type::FLOAT8 => Value::text(f64::from_sql(kind, raw)?.to_string()),
        Type::NUMERIC => Value::text(numeric_text(raw).ok_or("malformed numeric value")?),
        Type::JSON => Value::text(std::str::from_utf8(raw)?),
        Type::JSONB => Value::text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?),
        Type::UUID => Value::text(uuid_text(raw).ok_or("malformed uuid value")?),
        _ => match kind.kind() {
            Kind::Enum(_) => Value::text(std::str::from_utf8(raw)?),
            Kind::Domain(inner) => decode(inner, raw)?,
            _ => {
                return Err(format!(
                    "sqlmig cannot read values of type {}; cast the column to text in the query",
                    kind.name()
                )
                .into());
            }
        },
    })
}

/// The text of a binary `numeric`: base-10000 digits with a weight, a sign
/// and a display scale.
fn numeric_text(raw: &[u8]) -> Option<String> {
    let word = |index: usize| -> Option<u16> {
        let bytes = raw.get(index * 2..index * 2 + 2)?;
        Some(u16::from_be_bytes([bytes[0], bytes[1]]))
    };
    let count = usize::from(word(0)?);
    let weight = i64::from(word(1)?.cast_signed());
    let sign = word(2)?;
    let scale = usize::from(word(3)?);
    let digits: Vec<u16> = (0..count)
        .map(|index| word(4 + index))
        .collect::<Option<_>>()?;
    match sign {
        0xC000 => return Some(String::from("NaN")),
        0xD000 => return Some(String::from("Infinity")),
        0xF000 => return Some(String::from("-Infinity")),
        _ => {}
    }
    let digit = |index: i64| -> u16 {
        usize::try_from(index)
            .ok()
            .and_then(|index| digits.get(index).copied())
            .unwrap_or(0)
    };
    let mut text = String::new();
    if sign == 0x4000 {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        text.push_str(&digit(0).to_string());
        for index in 1..=weight {
            text.push_str(&format!("{:04}", digit(index)));
        }
    }
    if scale > 0 {
        let mut fraction = String::new();
        let mut index = weight + 1;
        while fraction.len() < scale {
            fraction.push_str(&format!("{:04}", digit(index)));
            index += 1;
        }
        fraction.truncate(scale);
        text.push('.');
        text.push_str(&fraction);
    }
    Some(text)
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` from 16 bytes.
fn uuid_text(raw: &[u8]) -> Option<String> {
    if raw.len() != 16 {
        return None;
    }
    let hex: String = raw.iter().map(|byte| format!("{byte:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_depend_on_database_and_table_only() {
        let key = PostgresBackend::lock_key("app", "\"public\".\"sqlmig_revisions\"");
        assert_eq!(
            key,
            PostgresBackend::lock_key("app", "\"public\".\"sqlmig_revisions\"")
        );
        assert_ne!(
            key,
            PostgresBackend::lock_key("app2", "\"public\".\"sqlmig_revisions\"")
        );
        assert_ne!(
            key,
            PostgresBackend::lock_key("app", "\"deploy\".\"sqlmig_revisions\"")
        );
        // Length prefixes keep the parts apart.
        assert_ne!(
            PostgresBackend::lock_key("ab", "c"),
            PostgresBackend::lock_key("a", "bc")
        );
    }

    #[test]
    fn urls_whose_password_hides_its_at_are_not_shown() {
        let shown = |raw: &str| printable_target(&DatabaseUrl::parse(raw).unwrap());
        assert_eq!(
            shown("postgres://u:pw@h/db?sslmode=require"),
            "postgres://u:***@h/db?sslmode=require"
        );
        for raw in [
            "postgres://u:s3cret/x@h/db",
            "postgres://u:s3cret?x@h/db",
            "postgres://h/db?password=s3cret@",
        ] {
            assert!(!shown(raw).contains("s3cret"), "{raw}");
        }
    }

    #[test]
    fn numerics_render_like_postgres() {
        let encode = |weight: i16, sign: u16, scale: u16, digits: &[u16]| {
            let mut raw = Vec::new();
            for word in [digits.len() as u16, weight.cast_unsigned(), sign, scale] {
                raw.extend_from_slice(&word.to_be_bytes());
            }
            for digit in digits {
                raw.extend_from_slice(&digit.to_be_bytes());
            }
            numeric_text(&raw).unwrap()
        };
        assert_eq!(encode(1, 0, 2, &[12, 3456, 7800]), "123456.78");
        assert_eq!(encode(0, 0x4000, 0, &[5]), "-5");
        assert_eq!(encode(-2, 0, 6, &[1200]), "0.000012");
        assert_eq!(encode(0, 0, 0, &[]), "0");
        assert_eq!(encode(2, 0, 0, &[1]), "100000000");
        assert_eq!(encode(0, 0xC000, 0, &[]), "NaN");
    }

    #[test]
    fn uuids_are_hyphenated() {
        let raw: Vec<u8> = (0..16).collect();
        assert_eq!(
            uuid_text(&raw).unwrap(),
            "00010203-0405-0607-0809-0a0b0c0d0e0f"
        );
    }
}
