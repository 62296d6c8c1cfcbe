//! Live databases behind one small interface: run a statement, run one with
//! bound values, read rows, take and release the run's lock. The engine
//! ([`crate::execute`]) builds everything else (transactions, the state
//! table, per-revision progress) from these, the same way for every dialect.

//!
//! Each driver is a Cargo feature named after its dialect (`postgres`,
//! `mysql`, `sqlite`); this module and [`connect`] are the only places that
//! know which were built.

mod error;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(any(feature = "postgres", feature = "mysql"))]
mod network;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use error::{DbError, ErrorPosition, LockError};
#[cfg(feature = "mysql")]
pub use mysql::MysqlBackend;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) use network::{
    KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_RETRIES, answer_deadline, no_answer, runtime,
};
#[cfg(feature = "postgres")]
pub use postgres::PostgresBackend;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteBackend;

use crate::database_url::DatabaseUrl;
use crate::dialect::Dialect;
use crate::sql::{Sql, Value};

/// A connection to a database that sqlmig migrates. `Send`, so that a
/// connected [`crate::Database`] can be handed to the thread that runs it.
pub trait Backend: Send {
    /// The dialect spoken.
    fn dialect(&self) -> Dialect;

    /// Runs one statement as written (no parameters); rows it returns are dropped.
    fn execute(&mut self, sql: &str) -> Result<(), DbError>;

    /// Runs one statement with bound values; returns the affected row count.
    fn execute_with(&mut self, sql: &Sql) -> Result<u64, DbError>;

    /// Runs a query with bound values and returns its rows.
    fn query(&mut self, sql: &Sql) -> Result<Vec<Vec<Value>>, DbError>;

    /// Whether the backend pipelines: sends several requests before reading
    /// the answers (PostgreSQL). The engine then batches the statements of a
    /// transaction, which changes nothing but the number of round trips.
    fn pipelines(&self) -> bool {
        false
    }

    /// Runs `statements` in order as [`Backend::execute`] would; on a
    /// failure, its index and error. A backend that pipelines sends them all
    /// at once, so statements after a failed one still reach the server: the
    /// engine only passes statements of a transaction, which the failure
    /// aborts, and none that could end it.
    fn execute_pipelined(&mut self, statements: &[&str]) -> Result<(), (usize, Box<DbError>)> {
        for (index, statement) in statements.iter().enumerate() {
            self.execute(statement)
                .map_err(|error| (index, Box::new(error)))?;
        }
        Ok(())
    }

    /// [`Backend::execute_with`], then `then` as [`Backend::execute`] would,
    /// stopping at the first failure; pipelined where the backend pipelines.
    /// The engine writes a revision's state row and sends its `COMMIT` this
    /// way: if the write fails, the transaction is aborted and the `COMMIT`
    /// only rolls it back.
    fn execute_with_then(&mut self, sql: &Sql, then: &str) -> Result<u64, DbError> {
        let affected = self.execute_with(sql)?;
        self.execute(then)?;
        Ok(affected)
    }

    /// Runs `statements` as [`Backend::execute`] would, then `sql` as
    /// [`Backend::query`], stopping at the first failure. PostgreSQL sends
    /// them all before reading any answer: one round trip instead of one
    /// each. The engine uses it to open a revision (`BEGIN`, the state
    /// table's lock, the guard), where a failure leaves nothing behind
    /// whatever runs after it: the rest fails inside the aborted transaction
    /// (or, after a failed `BEGIN`, the lock and the guard fail or only read).
    fn query_after(&mut self, statements: &[&str], sql: &Sql) -> Result<Vec<Vec<Value>>, DbError> {
        for statement in statements {
            self.execute(statement)?;
        }
        self.query(sql)
    }

    /// Takes the lock that lets one sqlmig at a time migrate this database,
    /// waiting as `wait` says. `scope` is the state table's qualified
    /// name: runs on one database and state table exclude each other, runs on
    /// other databases do not. The lock is held on this connection, the one
    /// that runs every statement.
    fn lock(&mut self, scope: &str, wait: LockWait<'_>) -> Result<(), LockError>;

    /// Releases the lock; an error if it was no longer held.
    fn unlock(&mut self) -> Result<(), DbError>;

    /// Things the user should know about the connection itself (for
    /// example a TLS fallback to plaintext), drained once after connecting.
    fn take_warnings(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// How long and on what terms [`Backend::lock`] waits for a lock that
/// another runner holds.
pub struct LockWait<'a> {
    /// The longest wait.
    pub timeout: Duration,
    /// Once set (Ctrl-C, SIGTERM, another fleet target failed), the wait
    /// ends within [`STOP_CHECK`] with [`LockError::Stopped`].
    pub stop: Option<&'a AtomicBool>,
    /// Called once, with what is awaited, if the lock is not free at once.
    pub waiting: &'a mut dyn FnMut(&str),
}

/// How often a lock wait looks at its stop flag.
pub const STOP_CHECK: Duration = Duration::from_millis(50);

/// How to open a connection.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Statements run on the new connection before anything else (`init_sql`).
    pub init_sql: Vec<String>,
    /// Open without creating or changing anything: a missing SQLite file reads
    /// as an empty database instead of being created.
    pub read_only: bool,
    /// The longest one statement may run (`statement_timeout`), `None` for
    /// no limit. PostgreSQL gets it as `statement_timeout`, MariaDB as
    /// `max_statement_time` (MySQL: `max_execution_time`, which bounds only
    /// `SELECT`), SQLite as its busy timeout. Over the network sqlmig also
    /// stops waiting for the answer to a request after the limit plus a
    /// grace of 1 s and a tenth of the limit (per statement of a pipelined
    /// batch), so a server that stops answering (paused, cut off) ends the
    /// run with an error, and the connection is abandoned.
    pub statement_timeout: Option<Duration>,
}

/// Why a connection could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The driver refused: unreachable, bad credentials, missing file.
    #[error("cannot connect to {target}: {source}")]
    Connect {
        /// The database, with any password hidden.
        target: String,
        /// The driver's error.
        #[source]
        source: Box<DbError>,
    },
    /// A statement of `init_sql` failed.
    #[error("init_sql statement {index} failed on {target}: {source}")]
    InitSql {
        /// The database, with any password hidden.
        target: String,
        /// 1-based index in `init_sql`.
        index: usize,
        /// The database's error.
        #[source]
        source: Box<DbError>,
    },
    /// The URL names a dialect whose driver this build of sqlmig left out.
    #[error(
        "{target}: this sqlmig was built without {title} support: enable the cargo feature `{feature}` of sqlmig (the default features include every driver)"
    )]
    NotBuilt {
        /// The database, with any password hidden.
        target: String,
        /// The dialect's human name.
        title: &'static str,
        /// The Cargo feature that builds its driver (the dialect's name).
        feature: &'static str,
    },
}

/// Opens a connection to `url` with the backend its scheme names, then runs
/// `init_sql` on it.
pub fn connect(
    url: &DatabaseUrl,
    options: &ConnectOptions,
) -> Result<Box<dyn Backend>, ConnectError> {
    let mut backend = open(url, options)?;
    for (index, statement) in options.init_sql.iter().enumerate() {
        backend
            .execute(statement)
            .map_err(|source| ConnectError::InitSql {
                target: url.redacted(),
                index: index + 1,
                source: Box::new(source),
            })?;
    }
    Ok(backend)
}

/// The backend of the URL's dialect; [`ConnectError::NotBuilt`] when this
/// build left its driver out.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    expect(unused_variables, reason = "no driver built: every URL is refused")
)]
fn open(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Box<dyn Backend>, ConnectError> {
    match url.dialect() {
        #[cfg(feature = "sqlite")]
        Dialect::Sqlite => Ok(Box::new(SqliteBackend::open(url, options)?)),
        #[cfg(feature = "postgres")]
        Dialect::Postgres => Ok(Box::new(PostgresBackend::connect(url, options)?)),
        #[cfg(feature = "mysql")]
        Dialect::Mysql => Ok(Box::new(MysqlBackend::connect(url, options)?)),
        #[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "mysql")))]
        dialect => Err(ConnectError::NotBuilt {
            target: url.redacted(),
            title: dialect.title(),
            feature: dialect.name(),
        }),
    }
}

/// Polls `try_lock` until it succeeds, `wait.timeout` passes or
/// `wait.stop` is set, backing off from 5 ms to 500 ms between attempts
/// (looking at the stop flag every [`STOP_CHECK`] meanwhile). Never blocks
/// inside the database: a waiter blocked in a lock call can deadlock against
/// the holder's `CREATE INDEX CONCURRENTLY` (flyway#1654). `describe` says
/// what is awaited (and who holds it); it is called for the first wait
/// message and again for the timeout or stop error.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub(crate) fn poll_lock(
    wait: LockWait<'_>,
    describe: &mut dyn FnMut() -> String,
    try_lock: &mut dyn FnMut() -> Result<bool, DbError>,
) -> Result<(), LockError> {
    use std::sync::atomic::Ordering;
    use std::time::Instant;
    let LockWait {
        timeout,
        stop,
        waiting,
    } = wait;
    let stopped = || stop.is_some_and(|stop| stop.load(Ordering::SeqCst));
    let started = Instant::now();
    let mut delay = Duration::from_millis(5);
    let mut announced = false;
    loop {
        if try_lock()? {
            return Ok(());
        }
        let elapsed = started.elapsed();
        if elapsed >= timeout {
            return Err(LockError::Timeout {
                what: describe(),
                waited: elapsed,
            });
        }
        if !announced {
            waiting(&describe());
            announced = true;
        }
        let until = started + timeout.min(elapsed + delay);
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            if stopped() {
                return Err(LockError::Stopped {
                    what: describe(),
                    waited: started.elapsed(),
                });
            }
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(STOP_CHECK));
        }
        delay = (delay * 2).min(Duration::from_millis(500));
    }
}
