//! The API awaited from a tokio application (feature `tokio`): the same
//! operations as the blocking API, each run without blocking the runtime.
//!
//! Why not native async: the engine is synchronous by design (one
//! [`crate::backend::Backend`] interface for SQLite, which is blocking, and
//! for the network drivers, which run on a private single-threaded runtime
//! one call at a time), and an async copy of the engine would be a second
//! engine to keep equal to the first. Why not `spawn_blocking`: its threads
//! keep the application's runtime current, where a driver must not start
//! its own. So each call runs the blocking engine on a thread of its own,
//! outside any runtime, and awaits the result; no runtime thread waits on
//! the database.
//!
//! Dropping a future does not stop its call: the operation runs to its end
//! (a revision is never cut short by a cancelled task), and the next call on
//! the same [`AsyncDatabase`] waits for it. Dropping the last
//! [`AsyncDatabase`] closes the connection on a thread of its own too: a
//! network driver's goodbye blocks on its private runtime.

use std::sync::{Arc, Mutex, PoisonError};

use crate::database::{Database, DatabaseOptions};
use crate::error::{Error, Result};
use crate::execute::{Migrator, RunOptions, RunReport};
use crate::graph::Target;
use crate::migrations::Migrations;
use crate::plan::Direction;
use crate::status::Status;

/// A [`Database`] used from async code. Cloning shares the connection;
/// calls on it run one at a time.
#[derive(Clone, Debug)]
pub struct AsyncDatabase {
    database: Arc<Mutex<Connection>>,
}

/// The connection, closed off the runtime when the last [`AsyncDatabase`]
/// goes; `None` only while it is being dropped.
#[derive(Debug)]
struct Connection(Option<Database>);

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(database) = self.0.take() {
            // If no thread can be started the database is dropped here,
            // which is only a problem on a runtime thread.
            let _ = std::thread::Builder::new()
                .name(String::from("sqlmig-close"))
                .spawn(move || drop(database));
        }
    }
}

impl AsyncDatabase {
    /// Connects to `url`, as [`Database::connect`] does.
    pub async fn connect(url: &str, options: &DatabaseOptions) -> Result<Self> {
        let url = url.to_owned();
        let options = options.clone();
        let database = off_runtime(move || Database::connect(&url, &options)).await??;
        Ok(AsyncDatabase::from(database))
    }

    /// Upgrades to the single head, as [`Migrations::upgrade`] does.
    pub async fn upgrade(&self, migrations: &Arc<Migrations>) -> Result<RunReport> {
        let migrations = Arc::clone(migrations);
        self.run(move |database| migrations.upgrade(database))
            .await?
    }

    /// Applies `target` and what it needs, as [`Migrator::upgrade`] does.
    pub async fn upgrade_to(
        &self,
        migrations: &Arc<Migrations>,
        target: &Target,
        options: RunOptions,
    ) -> Result<RunReport> {
        self.migrate(migrations, Direction::Upgrade, target, options)
            .await
    }

    /// Reverts every applied revision above `target`, as
    /// [`Migrator::downgrade`] does.
    pub async fn downgrade(
        &self,
        migrations: &Arc<Migrations>,
        target: &Target,
        options: RunOptions,
    ) -> Result<RunReport> {
        self.migrate(migrations, Direction::Downgrade, target, options)
            .await
    }

    async fn migrate(
        &self,
        migrations: &Arc<Migrations>,
        direction: Direction,
        target: &Target,
        options: RunOptions,
    ) -> Result<RunReport> {
        let (migrations, target) = (Arc::clone(migrations), target.clone());
        self.run(move |database| {
            let mut observer = crate::event::Silent;
            let mut migrator = Migrator::new(&migrations, database, &mut observer)?;
            match direction {
                Direction::Upgrade => migrator.upgrade(&target, options),
                Direction::Downgrade => migrator.downgrade(&target, options),
            }
        })
        .await?
    }

    /// Every revision's state, as [`Migrations::status`] reads it.
    pub async fn status(&self, migrations: &Arc<Migrations>) -> Result<Status> {
        let migrations = Arc::clone(migrations);
        self.run(move |database| migrations.status(database))
            .await?
    }

    /// Whether every revision is applied, as [`Migrations::is_up_to_date`] says.
    pub async fn is_up_to_date(&self, migrations: &Arc<Migrations>) -> Result<bool> {
        let migrations = Arc::clone(migrations);
        self.run(move |database| migrations.is_up_to_date(database))
            .await?
    }

    /// Runs any blocking operation on the database (a [`Migrator`] with an
    /// observer, `stamp`, `repair`...) off the runtime and awaits its result.
    pub async fn run<T, F>(&self, operation: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Database) -> T + Send + 'static,
    {
        let database = Arc::clone(&self.database);
        off_runtime(move || {
            // A panic in an earlier call leaves the connection as it was;
            // the engine reads the state table again on every run.
            let mut connection = database.lock().unwrap_or_else(PoisonError::into_inner);
            match connection.0.as_mut() {
                Some(database) => operation(database),
                None => unreachable!("the connection is taken only when it is dropped"),
            }
        })
        .await
    }
}

impl From<Database> for AsyncDatabase {
    /// Hands a connected [`Database`] over to async code.
    fn from(database: Database) -> Self {
        AsyncDatabase {
            database: Arc::new(Mutex::new(Connection(Some(database)))),
        }
    }
}

/// Runs `work` on a thread of its own and awaits its result; a panic in
/// `work` resumes in the awaiting task.
async fn off_runtime<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let thread = std::thread::Builder::new()
        .name(String::from("sqlmig"))
        .spawn(move || {
            // The receiver is gone only when the caller stopped waiting.
            let _ = sender.send(work());
        })
        .map_err(Error::Thread)?;
    match receiver.await {
        Ok(value) => Ok(value),
        // The sender was dropped without sending: `work` panicked, and the
        // thread has ended or is ending.
        Err(_) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the thread sends its result before it ends"),
        },
    }
}
