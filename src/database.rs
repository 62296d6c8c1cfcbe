//! [`Database`]: a connection to the database being migrated, with where its
//! state table lives and how long to wait for the migration lock.

use std::time::Duration;

use crate::backend::{Backend, ConnectOptions, DbError, connect};
use crate::database_url::DatabaseUrl;
use crate::dialect::{Dialect, ServerVersion};
use crate::error::{Error, Result};
use crate::sql::Sql;
use crate::state_table::{DEFAULT_TABLE, StateTable};

/// How to open a [`Database`].
#[derive(Debug, Clone)]
pub struct DatabaseOptions {
    /// The state table's name (default `sqlmig_revisions`).
    pub table: String,
    /// The state table's schema (PostgreSQL; default `public`).
    pub schema: Option<String>,
    /// Statements run on every connection before anything else.
    pub init_sql: Vec<String>,
    /// How long to wait for another runner's lock (default 60 s).
    pub lock_timeout: Duration,
    /// Open without creating anything (status, dry runs): a missing SQLite
    /// file reads as an empty database.
    pub read_only: bool,
    /// The longest one statement may run, `None` (the default) for no
    /// limit; over the network also how long sqlmig waits for a silent
    /// server (see [`crate::backend::ConnectOptions::statement_timeout`]).
    pub statement_timeout: Option<Duration>,
}

impl Default for DatabaseOptions {
    fn default() -> Self {
        DatabaseOptions {
            table: DEFAULT_TABLE.to_owned(),
            schema: None,
            init_sql: Vec::new(),
            lock_timeout: Duration::from_secs(60),
            read_only: false,
            statement_timeout: None,
        }
    }
}

/// A connection to the database being migrated.
pub struct Database {
    url: DatabaseUrl,
    pub(crate) backend: Box<dyn Backend>,
    pub(crate) table: StateTable,
    pub(crate) lock_timeout: Duration,
    warnings: Vec<String>,
    server_version: Option<ServerVersion>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("url", &self.url)
            .field("table", &self.table)
            .finish()
    }
}

impl Database {
    /// Connects to `url` (`sqlite:PATH`, `postgres://...`, `mysql://...`).
    pub fn connect(url: &str, options: &DatabaseOptions) -> Result<Database> {
        let url = DatabaseUrl::parse(url)?;
        let table = StateTable::new(url.dialect(), options.schema.as_deref(), &options.table)?;
        let mut backend = connect(
            &url,
            &ConnectOptions {
                init_sql: options.init_sql.clone(),
                read_only: options.read_only,
                statement_timeout: options.statement_timeout,
            },
        )?;
        let warnings = backend.take_warnings();
        Ok(Database {
            url,
            backend,
            table,
            lock_timeout: options.lock_timeout,
            warnings,
            server_version: None,
        })
    }

    /// The dialect of the database.
    pub fn dialect(&self) -> Dialect {
        self.url.dialect()
    }

    /// The URL, printable (its password hidden).
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The state table.
    pub fn state_table(&self) -> &StateTable {
        &self.table
    }

    /// The server's version, asked once per connection.
    pub fn server_version(&mut self) -> Result<ServerVersion> {
        if let Some(version) = self.server_version {
            return Ok(version);
        }
        let dialect = self.dialect();
        let state_error = |source| Error::ServerVersion(Box::new(source));
        let rows = self
            .backend
            .query(&Sql {
                text: dialect.server_version_query().to_owned(),
                params: Vec::new(),
            })
            .map_err(state_error)?;
        let text = rows
            .first()
            .and_then(|row| row.first())
            .and_then(|value| value.as_text())
            .unwrap_or_default();
        let version = dialect
            .parse_server_version(&text)
            .map_err(|error| state_error(DbError::connection(error.to_string())))?;
        self.server_version = Some(version);
        Ok(version)
    }

    /// What the user should know about the connection (a TLS fallback to
    /// plaintext, for example).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
