//! `sqlmig lint --trace`: runs the revisions on a scratch database prepared
//! with their ancestors and reports, per statement, the locks it took
//! (relation and mode) and the tables and indexes it rewrote (their file
//! node changed). The dialect's `Tracer` reads its own catalog; this
//! module walks the revisions.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::backend::{self, Backend, ConnectError, ConnectOptions, DbError};
use crate::database_url::DatabaseUrl;
use crate::migrations::Migrations;
use crate::revision::Revision;
use crate::scratch::{ScratchDatabase, ScratchError};

use super::statement::Kind;

/// A lock one statement took on a relation that existed before the revision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Lock {
    /// The table or index.
    pub relation: String,
    /// The lock mode as the server names it (`AccessExclusiveLock`).
    pub mode: String,
}

/// What one statement did.
#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace {
    /// 1-based line of the statement.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The statement's first line.
    pub sql: String,
    /// Whether its locks could be observed (see `note`).
    pub traced: bool,
    /// Locks it took that were not already held, on relations that existed
    /// before the revision.
    pub locks: Vec<Lock>,
    /// Tables and indexes whose file node changed: rewritten.
    pub rewritten: Vec<String>,
    /// How it was traced when not in the revision's transaction, or why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What one revision did.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionTrace {
    /// The revision's id.
    pub revision: String,
    /// Its file.
    pub path: String,
    /// Its up section's statements, in order.
    pub statements: Vec<StatementTrace>,
}

/// A whole trace run.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// The scratch database it ran on (dropped since).
    pub scratch_database: String,
    /// The traced revisions, in application order.
    pub revisions: Vec<RevisionTrace>,
}

/// Why tracing failed.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The dialect has no tracer.
    #[error("lint --trace observes locks on PostgreSQL only; this project's dialect is {0}")]
    Unsupported(&'static str),
    /// The scratch database could not be made.
    #[error(transparent)]
    Scratch(Box<ScratchError>),
    /// Connecting to the scratch database failed.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// Ctrl-C or SIGTERM stopped the trace; its scratch database was dropped.
    #[error("interrupted: the trace stopped and its scratch database was dropped")]
    Interrupted,
    /// A statement failed on the scratch database.
    #[error(
        "{path}:{line}: revision {revision} failed on scratch database {database} (dropped since): {source}"
    )]
    Statement {
        /// The scratch database.
        database: String,
        /// The revision's id.
        revision: String,
        /// Its file.
        path: String,
        /// The statement's line.
        line: u32,
        /// The server's error.
        #[source]
        source: Box<DbError>,
    },
}

impl From<ScratchError> for TraceError {
    fn from(error: ScratchError) -> Self {
        TraceError::Scratch(Box::new(error))
    }
}

/// How a dialect observes what a statement does.
pub(crate) trait Tracer: Sync {
    /// The relations that exist now, as (object id, name, file node).
    fn relations(&self, backend: &mut dyn Backend) -> Result<Vec<Relation>, DbError>;
    /// The relation locks this session holds now.
    fn locks(&self, backend: &mut dyn Backend) -> Result<Vec<(String, Lock)>, DbError>;
    /// Runs `sql`, which cannot run in a transaction, on `backend` and
    /// returns the locks it held while it ran, observed from a second
    /// connection to `url`; `None` when it cannot be observed, with why.
    fn run_outside(
        &self,
        backend: &mut dyn Backend,
        url: &DatabaseUrl,
        options: &ConnectOptions,
        sql: &str,
        kind: &Kind,
    ) -> Result<Result<Vec<(String, Lock)>, String>, DbError>;
}

/// A relation and its file node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Relation {
    /// Its object id, as text.
    pub(crate) oid: String,
    /// Its name.
    pub(crate) name: String,
    /// Its file node, as text.
    pub(crate) file_node: String,
}

/// Traces the revisions at graph indices `selected` on a scratch database
/// beside `dev_url`: every revision before them in application order is
/// applied first, each selected one statement by statement. The scratch
/// database is dropped before this returns, whatever happened; once `stop`
/// is set (Ctrl-C), the statement under way is cancelled and the trace
/// fails with [`TraceError::Interrupted`].
pub fn trace(
    migrations: &Migrations,
    selected: &HashSet<usize>,
    dev_url: &DatabaseUrl,
    init_sql: &[String],
    stop: Option<&AtomicBool>,
) -> Result<Trace, TraceError> {
    let dialect = migrations.dialect();
    let profile = dialect.profile();
    let tracer = profile
        .tracer()
        .ok_or(TraceError::Unsupported(dialect.title()))?;
    let graph = migrations.graph();
    let Some(last) = graph
        .order()
        .iter()
        .rposition(|index| selected.contains(index))
    else {
        return Ok(Trace {
            scratch_database: String::new(),
            revisions: Vec::new(),
        });
    };
    let scratch = ScratchDatabase::create(dev_url)?;
    let options = ConnectOptions {
        init_sql: init_sql.to_vec(),
        read_only: false,
        statement_timeout: None,
    };
    let stopped = || stop.is_some_and(|stop| stop.load(Ordering::SeqCst));
    let work = || -> Result<Vec<RevisionTrace>, TraceError> {
        let mut backend = backend::connect(scratch.url(), &options)?;
        let mut run = Run {
            database: scratch.name(),
            tracer,
            backend: backend.as_mut(),
            url: scratch.url(),
            options: &options,
        };
        let mut traces = Vec::new();
        for &index in &graph.order()[..=last] {
            if stopped() {
                return Err(TraceError::Interrupted);
            }
            let revision = graph.revision(index);
            if selected.contains(&index) {
                traces.push(run.revision(revision)?);
            } else {
                run.apply(revision)?;
            }
        }
        Ok(traces)
    };
    let result = match stop {
        Some(stop) => scratch.run_cancellable(stop, work),
        None => work(),
    };
    let database = scratch.name().to_owned();
    drop(scratch);
    if stopped() {
        return Err(TraceError::Interrupted);
    }
    Ok(Trace {
        scratch_database: database,
        revisions: result?,
    })
}

/// One trace run's connection and tools.
struct Run<'a> {
    database: &'a str,
    tracer: &'static dyn Tracer,
    backend: &'a mut dyn Backend,
    url: &'a DatabaseUrl,
    options: &'a ConnectOptions,
}

impl Run<'_> {
    /// Applies a revision's up section as `upgrade` would, without a state table.
    fn apply(&mut self, revision: &Revision) -> Result<(), TraceError> {
        let dialect = self.backend.dialect();
        let fail =
            |line: u32, source: DbError| statement_error(self.database, revision, line, source);
        if revision.transactional {
            self.backend
                .execute(dialect.begin_transaction())
                .map_err(|e| fail(revision.up.line, e))?;
        }
        for statement in &revision.up.statements {
            self.backend
                .execute(&statement.sql)
                .map_err(|e| fail(statement.line, e))?;
        }
        if revision.transactional {
            self.backend
                .execute(dialect.commit_transaction())
                .map_err(|e| fail(revision.up.line, e))?;
        }
        Ok(())
    }

    /// Runs a revision's up section statement by statement, observing each.
    fn revision(&mut self, revision: &Revision) -> Result<RevisionTrace, TraceError> {
        let dialect = self.backend.dialect();
        let profile = dialect.profile();
        let fail =
            |line: u32, source: DbError| statement_error(self.database, revision, line, source);
        let existing = self
            .tracer
            .relations(self.backend)
            .map_err(|e| fail(revision.up.line, e))?;
        let existing_oids: HashSet<&str> = existing.iter().map(|r| r.oid.as_str()).collect();
        let mut statements = Vec::new();
        if revision.transactional {
            self.backend
                .execute(dialect.begin_transaction())
                .map_err(|e| fail(revision.up.line, e))?;
        }
        for statement in &revision.up.statements {
            let fail = |source| fail(statement.line, source);
            let kind = profile.classify(&statement.sql);
            let outside = !revision.transactional
                && dialect
                    .transaction_refusal(&statement.sql, dialect.oldest_supported_version())
                    .is_some();
            let before = self.tracer.relations(self.backend).map_err(fail)?;
            let (traced, locks, note) = if outside {
                match self
                    .tracer
                    .run_outside(self.backend, self.url, self.options, &statement.sql, &kind)
                    .map_err(fail)?
                {
                    Ok(locks) => (
                        true,
                        locks,
                        Some(String::from(
                            "run outside a transaction; locks read from a second connection while it waited",
                        )),
                    ),
                    Err(why) => (false, Vec::new(), Some(why)),
                }
            } else {
                if !revision.transactional {
                    self.backend
                        .execute(dialect.begin_transaction())
                        .map_err(fail)?;
                }
                let held = self.tracer.locks(self.backend).map_err(fail)?;
                self.backend.execute(&statement.sql).map_err(fail)?;
                let now = self.tracer.locks(self.backend).map_err(fail)?;
                if !revision.transactional {
                    self.backend
                        .execute(dialect.commit_transaction())
                        .map_err(fail)?;
                }
                let new = now
                    .into_iter()
                    .filter(|lock| !held.contains(lock))
                    .collect();
                (true, new, None)
            };
            let after = self.tracer.relations(self.backend).map_err(fail)?;
            let mut locks: Vec<Lock> = locks
                .into_iter()
                .filter(|(oid, _)| existing_oids.contains(oid.as_str()))
                .map(|(_, lock)| lock)
                .collect();
            locks.sort();
            locks.dedup();
            let rewritten = before
                .iter()
                .filter(|old| existing_oids.contains(old.oid.as_str()))
                .filter(|old| {
                    after
                        .iter()
                        .any(|new| new.oid == old.oid && new.file_node != old.file_node)
                })
                .map(|old| old.name.clone())
                .collect();
            statements.push(StatementTrace {
                line: statement.line,
                column: statement.column,
                sql: statement.sql.lines().next().unwrap_or_default().to_owned(),
                traced,
                locks,
                rewritten,
                note,
            });
        }
        if revision.transactional {
            self.backend
                .execute(dialect.commit_transaction())
                .map_err(|e| fail(revision.up.line, e))?;
        }
        Ok(RevisionTrace {
            revision: revision.id.clone(),
            path: revision.path.display().to_string(),
            statements,
        })
    }
}

fn statement_error(database: &str, revision: &Revision, line: u32, source: DbError) -> TraceError {
    TraceError::Statement {
        database: database.to_owned(),
        revision: revision.id.clone(),
        path: revision.path.display().to_string(),
        line,
        source: Box::new(source),
    }
}
