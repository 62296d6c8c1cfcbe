//! Scratch databases: a uniquely named database created beside a dev URL's
//! database on the same server, for replaying SQL, and dropped again when
//! the guard goes out of scope, also after an error or Ctrl-C (a replay
//! run through [`ScratchDatabase::run_cancellable`] has its statement
//! cancelled, fails, and unwinds to the guard). The dev URL's own database
//! is only connected to, never written to.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::backend::{self, Backend, ConnectError, ConnectOptions, DbError};
use crate::database_url::DatabaseUrl;

/// Every scratch database's name starts with this; nothing else is dropped.
pub const PREFIX: &str = "sqlmig_scratch_";

/// How often a stopped replay's statements are cancelled again, until the
/// replay has unwound (a statement may start just after a cancel).
const CANCEL_EVERY: Duration = Duration::from_millis(100);

/// Why a scratch database could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    /// The dev URL names no server (SQLite).
    #[error("scratch databases need a database server: the dev URL {0} is {1}")]
    NoServer(String, &'static str),
    /// The dev URL has no database path to replace.
    #[error("the dev URL {0} names no database (expected scheme://user@host/database)")]
    NoDatabase(String),
    /// Connecting to the dev URL failed.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// `CREATE DATABASE` failed.
    #[error("cannot create scratch database {name} beside {url}: {source}")]
    Create {
        /// The scratch database's name.
        name: String,
        /// The dev URL, password hidden.
        url: String,
        /// The server's error.
        #[source]
        source: Box<DbError>,
    },
}

/// A scratch database: exists from [`ScratchDatabase::create`] until drop.
pub struct ScratchDatabase {
    admin: Box<dyn Backend>,
    name: String,
    url: DatabaseUrl,
    dev_url: DatabaseUrl,
}

impl ScratchDatabase {
    /// Creates a uniquely named database beside `dev_url`'s, through a
    /// connection to `dev_url`.
    pub fn create(dev_url: &DatabaseUrl) -> Result<Self, ScratchError> {
        let dialect = dev_url.dialect();
        if !dialect.profile().names().url_needs_authority {
            return Err(ScratchError::NoServer(dev_url.redacted(), dialect.title()));
        }
        let name = unique_name();
        let url = with_database(dev_url, &name)
            .ok_or_else(|| ScratchError::NoDatabase(dev_url.redacted()))?;
        let mut admin = backend::connect(dev_url, &ConnectOptions::default())?;
        let create = format!("CREATE DATABASE {}", dialect.quote_identifier(&name));
        admin
            .execute(&create)
            .map_err(|source| ScratchError::Create {
                name: name.clone(),
                url: dev_url.redacted(),
                source: Box::new(source),
            })?;
        Ok(ScratchDatabase {
            admin,
            name,
            url,
            dev_url: dev_url.clone(),
        })
    }

    /// The scratch database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the scratch database: the dev URL with its database replaced.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// Runs `body` (a replay on this database) while a watcher thread waits
    /// for `stop`: once it is set, the statements running on this database
    /// are cancelled, again every 100 ms until `body` returns, through a
    /// connection of the watcher's own to the dev URL. The replay's
    /// statement then fails and `body` returns an error instead of running
    /// to its end, so the guard drops the database.
    pub fn run_cancellable<T>(&self, stop: &AtomicBool, body: impl FnOnce() -> T) -> T {
        let (finished, done) = mpsc::channel::<()>();
        let (dev_url, name) = (&self.dev_url, self.name.as_str());
        std::thread::scope(|scope| {
            scope.spawn(move || cancel_when_stopped(dev_url, name, stop, &done));
            let result = body();
            drop(finished);
            result
        })
    }
}

/// The watcher of [`ScratchDatabase::run_cancellable`]: runs until `done`
/// says the replay has returned.
fn cancel_when_stopped(
    dev_url: &DatabaseUrl,
    name: &str,
    stop: &AtomicBool,
    done: &mpsc::Receiver<()>,
) {
    let mut admin: Option<Box<dyn Backend>> = None;
    while let Err(RecvTimeoutError::Timeout) = done.recv_timeout(CANCEL_EVERY) {
        if !stop.load(Ordering::SeqCst) {
            continue;
        }
        if admin.is_none() {
            admin = backend::connect(dev_url, &ConnectOptions::default()).ok();
        }
        if let Some(admin) = admin.as_mut() {
            // A failed cancel is tried again on the next tick; the replay
            // also stops at its next statement or revision by itself.
            let _ = dev_url
                .dialect()
                .profile()
                .cancel_queries(admin.as_mut(), name);
        }
    }
}

impl Drop for ScratchDatabase {
    /// Drops the database; connections still open to it are ended first.
    fn drop(&mut self) {
        if !self.name.starts_with(PREFIX) {
            return;
        }
        let profile = self.admin.dialect().profile();
        for statement in profile.drop_database(&self.name) {
            // Nothing to report to on drop: a leftover database carries the
            // prefix and a timestamp, so it is easy to find.
            let _ = self.admin.execute(&statement);
        }
    }
}

/// `sqlmig_scratch_<utc yyyymmddhhmmss>_<pid>_<4 hex>`.
fn unique_name() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = now.as_secs();
    let (year, month, day) = civil_date(seconds / 86_400);
    let time = seconds % 86_400;
    let noise = (now.subsec_nanos() ^ std::process::id().rotate_left(16)) & 0xffff;
    format!(
        "{PREFIX}{year:04}{month:02}{day:02}{:02}{:02}{:02}_{}_{noise:04x}",
        time / 3600,
        time / 60 % 60,
        time % 60,
        std::process::id()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// `url` with the database (its path) replaced by `name`; the query stays.
fn with_database(url: &DatabaseUrl, name: &str) -> Option<DatabaseUrl> {
    let raw = url.expose_secret();
    let (scheme, rest) = raw.split_once("://")?;
    // The userinfo runs to the last `@` before the query: a password may hold `/`.
    let userinfo_end = rest[..rest.find('?').unwrap_or(rest.len())]
        .rfind('@')
        .map_or(0, |at| at + 1);
    let authority_end = rest[userinfo_end..]
        .find(['/', '?'])
        .map_or(rest.len(), |end| userinfo_end + end);
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find('?').map_or("", |at| &tail[at..]);
    DatabaseUrl::parse(&format!("{scheme}://{authority}/{name}{query}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_prefixed_dated_and_short() {
        let name = unique_name();
        assert!(name.starts_with(PREFIX), "{name}");
        assert!(name.len() <= 63, "{name}");
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(19_723), (2024, 1, 1));
    }

    #[test]
    fn the_database_is_replaced_and_the_password_never_shown() {
        let url = DatabaseUrl::parse("postgres://me:s3cret@db:5432/app?sslmode=disable").unwrap();
        let scratch = with_database(&url, "sqlmig_scratch_x").unwrap();
        assert_eq!(
            scratch.expose_secret(),
            "postgres://me:s3cret@db:5432/sqlmig_scratch_x?sslmode=disable"
        );
        assert!(!scratch.to_string().contains("s3cret"));
        let bare = DatabaseUrl::parse("postgres://me@db").unwrap();
        assert_eq!(
            with_database(&bare, "s").unwrap().expose_secret(),
            "postgres://me@db/s"
        );
    }
}
