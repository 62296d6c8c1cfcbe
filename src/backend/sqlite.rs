//! SQLite through rusqlite, bundled: nothing to install.
//!
//! The run's lock is an exclusive advisory lock (`flock`) on the database
//! file, taken before the state is read, so two runners starting together
//! never compute their plans from the same state. Each revision also runs in
//! `BEGIN IMMEDIATE`, which re-checks the state under SQLite's own write lock.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, ToSql};

use super::{Backend, ConnectError, ConnectOptions, DbError, ErrorPosition, LockError, LockWait};
use crate::database_url::DatabaseUrl;
use crate::dialect::Dialect;
use crate::sql::{Sql, Value};

/// A SQLite database file (or `:memory:`).
pub struct SqliteBackend {
    // Declared before `lock_file` so it is closed first: closing any
    // descriptor of the file drops the process's POSIX locks, SQLite's own
    // included, so the lock's descriptor must outlive the connection.
    connection: Connection,
    path: Option<PathBuf>,
    lock_file: Option<File>,
    busy_timeout: Duration,
    // `statement_timeout`: when set, the busy timeout throughout.
    statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend")
            .field("path", &self.path)
            .finish()
    }
}

/// The file path of a `sqlite:` URL, or `None` for `sqlite::memory:`.
pub(crate) fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite3:")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    (rest != ":memory:" && !rest.is_empty()).then(|| PathBuf::from(rest))
}

impl SqliteBackend {
    /// Opens the database of a `sqlite:` URL (created unless `read_only`; a
    /// missing file opened read-only reads as an empty database).
    pub fn open(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Self, ConnectError> {
        let path = sqlite_path(url.expose_secret());
        let failed = |source: rusqlite::Error| ConnectError::Connect {
            target: url.redacted(),
            source: Box::new(convert_error(source)),
        };
        let connection = match &path {
            Some(path) if options.read_only && !path.exists() => Connection::open_in_memory(),
            Some(path) if options.read_only => Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            ),
            Some(path) => Connection::open(path),
            None => Connection::open_in_memory(),
        }
        .map_err(failed)?;
        let busy_timeout = options
            .statement_timeout
            .map_or(Duration::from_secs(60), |limit| {
                limit.max(Duration::from_millis(1))
            });
        if options.statement_timeout.is_some() {
            connection.busy_timeout(busy_timeout).map_err(failed)?;
        }
        Ok(SqliteBackend {
            connection,
            path: if options.read_only { None } else { path },
            lock_file: None,
            busy_timeout,
            statement_timeout: options.statement_timeout,
        })
    }

    fn lock_target(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl Backend for SqliteBackend {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        // See: docs/RELIABILITY.md A3. Some of SQLite's lock upgrades never call
        // the busy handler: `PRAGMA journal_mode = WAL` (from init_sql, run
        // before the migration lock) fails at once with "database is
        // locked" while another runner writes. Outside a transaction a busy
        // statement changed nothing, so it is retried for the busy timeout.
        let deadline = Instant::now() + self.busy_timeout;
        let mut delay = Duration::from_millis(5);
        loop {
            match self.connection.execute_batch(sql) {
                Err(rusqlite::Error::SqliteFailure(error, _))
                    if error.code == rusqlite::ErrorCode::DatabaseBusy
                        && self.connection.is_autocommit()
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_millis(100));
                }
                result => return result.map_err(convert_error),
            }
        }
    }

    fn execute_with(&mut self, sql: &Sql) -> Result<u64, DbError> {
        let params = bind(&sql.params);
        let mut statement = self
            .connection
            .prepare_cached(&sql.text)
            .map_err(convert_error)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(
                params.iter().map(|p| p as &dyn ToSql),
            ))
            .map_err(convert_error)?;
        Ok(changed as u64)
    }

    fn query(&mut self, sql: &Sql) -> Result<Vec<Vec<Value>>, DbError> {
        let params = bind(&sql.params);
        let mut statement = self
            .connection
            .prepare_cached(&sql.text)
            .map_err(convert_error)?;
        let columns = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(
                params.iter().map(|p| p as &dyn ToSql),
            ))
            .map_err(convert_error)?;
        let mut result = Vec::new();
        while let Some(row) = rows.next().map_err(convert_error)? {
            let mut values = Vec::with_capacity(columns);
            for index in 0..columns {
                values.push(match row.get_ref(index).map_err(convert_error)? {
                    ValueRef::Null => Value::Text(None),
                    ValueRef::Integer(integer) => Value::integer(integer),
                    ValueRef::Real(real) => Value::text(real.to_string()),
                    ValueRef::Text(text) | ValueRef::Blob(text) => {
                        Value::text(String::from_utf8_lossy(text))
                    }
                });
            }
            result.push(values);
        }
        Ok(result)
    }

    fn lock(&mut self, _scope: &str, wait: LockWait<'_>) -> Result<(), LockError> {
        // The busy timeout is the lock timeout, unless `statement_timeout`
        // sets it.
        if self.statement_timeout.is_none() {
            self.busy_timeout = wait.timeout.max(Duration::from_millis(100));
        }
        self.connection
            .busy_timeout(self.busy_timeout)
            .map_err(convert_error)?;
        let Some(path) = self.lock_target() else {
            return Ok(());
        };
        let what = format!("another sqlmig migrating {}", path.display());
        let file = File::open(path).map_err(|error| {
            DbError::new(format!(
                "cannot open {} to lock it: {error}",
                path.display()
            ))
        })?;
        super::poll_lock(wait, &mut || what.clone(), &mut || match file.try_lock() {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(error)) => Err(DbError::new(format!(
                "cannot lock {}: {error}",
                path.display()
            ))),
        })?;
        self.lock_file = Some(file);
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        if let Some(file) = &self.lock_file {
            file.unlock()
                .map_err(|error| DbError::new(format!("cannot release the lock: {error}")))?;
        }
        // The descriptor itself stays open until the connection is closed
        // (see the field order above).
        Ok(())
    }
}

/// Owned rusqlite values for a statement's parameters.
fn bind(params: &[Value]) -> Vec<rusqlite::types::Value> {
    params
        .iter()
        .map(|value| match value {
            Value::Text(Some(text)) => rusqlite::types::Value::Text(text.clone()),
            Value::Integer(Some(integer)) => rusqlite::types::Value::Integer(*integer),
            Value::Text(None) | Value::Integer(None) => rusqlite::types::Value::Null,
        })
        .collect()
}

fn convert_error(error: rusqlite::Error) -> DbError {
    match error {
        rusqlite::Error::SqlInputError {
            error,
            msg,
            sql,
            offset,
        } => {
            let offset = usize::try_from(offset).unwrap_or(0).min(sql.len());
            let characters = sql.get(..offset).map_or(0, |prefix| prefix.chars().count());
            DbError {
                position: Some(ErrorPosition::Character(characters)),
                ..with_code(DbError::new(msg), error)
            }
        }
        rusqlite::Error::SqliteFailure(error, message) => with_code(
            DbError::new(message.unwrap_or_else(|| error.to_string())),
            error,
        ),
        other => DbError::new(other.to_string()),
    }
}

/// The error's SQLite code (`ConstraintViolation`...), unless SQLite's
/// generic `SQLITE_ERROR`, which rusqlite calls `Unknown`: `(Unknown)` after
/// a message only confuses.
fn with_code(db: DbError, error: rusqlite::ffi::Error) -> DbError {
    if error.code == rusqlite::ErrorCode::Unknown {
        db
    } else {
        db.with_code(format!("{:?}", error.code))
    }
}
