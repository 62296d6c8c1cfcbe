//! Errors that databases report, in one shape for every driver.

use std::fmt;
use std::time::Duration;

/// Where in the statement sent the database says the error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPosition {
    /// A 0-based character offset into the statement (PostgreSQL's
    /// `position` is 1-based characters; SQLite's byte offset is converted).
    Character(usize),
    /// A 1-based line of the statement (MySQL's "at line N").
    Line(u32),
}

/// An error reported by a database or its driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    /// The database's message.
    pub message: String,
    /// SQLSTATE, MySQL error number or SQLite result code, when known.
    pub code: Option<String>,
    /// PostgreSQL's DETAIL.
    pub detail: Option<String>,
    /// PostgreSQL's HINT.
    pub hint: Option<String>,
    /// Where in the statement the error is.
    pub position: Option<ErrorPosition>,
    /// The connection is gone (nothing more can run on it).
    pub connection_lost: bool,
}

impl DbError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        DbError {
            message: message.into(),
            code: None,
            detail: None,
            hint: None,
            position: None,
            connection_lost: false,
        }
    }

    /// A connection-level error.
    pub fn connection(message: impl Into<String>) -> Self {
        DbError {
            connection_lost: true,
            ..DbError::new(message)
        }
    }

    /// The same error with a code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} ({code})", self.message)?,
            None => write!(f, "{}", self.message)?,
        }
        if let Some(detail) = &self.detail {
            write!(f, "\ndetail: {detail}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DbError {}

impl From<DbError> for LockError {
    fn from(error: DbError) -> Self {
        LockError::Database(Box::new(error))
    }
}

/// Why the run's lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another runner held it for the whole timeout.
    #[error("timed out after {} waiting for {what}", humanize(*waited))]
    Timeout {
        /// What was awaited, with its holder when known.
        what: String,
        /// How long sqlmig waited.
        waited: Duration,
    },
    /// The run was asked to stop (Ctrl-C, SIGTERM) while it waited.
    #[error("stopped after {} waiting for {what}: nothing was changed", humanize(*waited))]
    Stopped {
        /// What was awaited, with its holder when known.
        what: String,
        /// How long sqlmig waited.
        waited: Duration,
    },
    /// The database failed while taking it.
    #[error("cannot take the migration lock: {0}")]
    Database(#[from] Box<DbError>),
}

/// `1.5s`, `250ms`.
pub(crate) fn humanize(duration: Duration) -> String {
    if duration.as_millis() < 1000 {
        format!("{}ms", duration.as_millis())
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}
