//! What the network drivers (PostgreSQL, MySQL) share: the tokio runtime
//! they run on, TCP keepalive, and the deadline for a server's answer. Built
//! only with the `postgres` or `mysql` feature.

use std::time::Duration;

use super::DbError;
use super::error;

/// How long a client waits for the answers to `statements` requests sent
/// together when each may run for `statement_timeout`: the server's own
/// limit ends a slow statement first, with a proper error and the
/// connection intact; this only catches a server that does not answer at
/// all. The grace is 1 s plus a tenth of the limit.
pub(crate) fn answer_deadline(statement_timeout: Duration, statements: usize) -> Duration {
    let count = u32::try_from(statements.max(1)).unwrap_or(u32::MAX);
    statement_timeout
        .saturating_mul(count)
        .saturating_add(Duration::from_secs(1) + statement_timeout / 10)
}

/// The error of a request left unanswered for `waited` (see
/// [`answer_deadline`]); the connection is abandoned.
pub(crate) fn no_answer(endpoint: &str, waited: Duration, statement_timeout: Duration) -> DbError {
    DbError::connection(format!(
        "no answer from {endpoint} within {} (statement_timeout {} plus grace): the server stopped answering (paused, overloaded or cut off), so sqlmig abandoned the connection; the server rolls back the transaction in progress when it notices, and `sqlmig status` shows where the run stopped",
        error::humanize(waited),
        error::humanize(statement_timeout)
    ))
}

/// TCP keepalive on every server connection: after this long without
/// traffic the operating system probes the peer, so a server host that
/// vanished (powered off, network cut) fails the connection instead of
/// leaving sqlmig waiting forever.
pub(crate) const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
/// The interval between keepalive probes (PostgreSQL; MySQL keeps the
/// operating system's).
pub(crate) const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
/// Unanswered probes before the connection is declared dead (PostgreSQL).
pub(crate) const KEEPALIVE_RETRIES: u32 = 3;

/// A single-threaded tokio runtime: the async drivers run on it, one
/// blocking call at a time, so the engine stays synchronous. sqlmig's API is
/// blocking; called from inside an async runtime it says so instead of
/// panicking.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, DbError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(DbError::connection(
            "sqlmig's API is blocking and was called from inside an async runtime: call it from a blocking thread (for example tokio::task::spawn_blocking)",
        ));
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| DbError::connection(format!("cannot start the I/O runtime: {error}")))
}
