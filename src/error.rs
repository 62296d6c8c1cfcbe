//! [`Error`]: everything that can stop a sqlmig operation, each variant
//! carrying where (file, line, revision) around why.

use std::fmt;

use crate::backend::{ConnectError, DbError, LockError};
use crate::database_url::UnsupportedScheme;
use crate::dialect::Dialect;
use crate::graph::TargetError;
use crate::migrations::LoadError;
use crate::no_transaction::NoTransactionStatement;
use crate::plan::Direction;
use crate::span::Span;
use crate::state::StateProblem;
use crate::state_table::InvalidTableName;

/// The result of a sqlmig operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an operation failed.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The migrations directory did not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A target that does not resolve.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// A database URL sqlmig cannot use.
    #[error(transparent)]
    Url(#[from] UnsupportedScheme),
    /// A state table or schema name that cannot be used.
    #[error(transparent)]
    TableName(#[from] InvalidTableName),
    /// The database could not be reached.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The migration lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The lock was gone when sqlmig released it: something else may have
    /// run alongside.
    #[error("the migration lock was not held at release: {0}")]
    LockLost(#[source] Box<DbError>),
    /// Reading or writing the state table failed.
    #[error("cannot {action} the state table: {source}")]
    State {
        /// What sqlmig was doing (`read`, `create`, `record revision X in`).
        action: String,
        /// The database's error.
        #[source]
        source: Box<DbError>,
    },
    /// Migrations split for one dialect, run on a database of another.
    #[error(
        "the migrations were read as {migrations} (their statements split by its rules), but the database is {database}: load them with the database's dialect (`dialect` in sqlmig.toml must match the database URL)"
    )]
    DialectMismatch {
        /// The dialect the migrations were loaded for.
        migrations: Dialect,
        /// The database's dialect.
        database: Dialect,
    },
    /// A schema source that replays SQL needs a server to make scratch
    /// databases on.
    #[error(
        "replaying SQL on {dialect} needs a scratch database: set `dev_url` in sqlmig.toml, SQLMIG_DEV_URL or --dev-url to a database on a server where sqlmig may create databases"
    )]
    NeedsDevUrl {
        /// The dialect of the replay.
        dialect: Dialect,
    },
    /// Ctrl-C or SIGTERM stopped a replay onto a scratch database, which was
    /// dropped.
    #[error(
        "interrupted: the replay stopped and its scratch database was dropped; nothing was written"
    )]
    Interrupted,
    /// A `.sql` schema source that cannot be read or applied.
    #[error("{span}: {message}")]
    SourceFile {
        /// The file, and the statement that failed.
        span: Span,
        /// Why.
        message: String,
    },
    /// The catalog could not be read.
    #[error("cannot read the schema: {0}")]
    Inspect(#[source] Box<DbError>),
    /// A target written wrong (`migrations@TARGET`).
    #[error(transparent)]
    ParseTarget(#[from] crate::graph::ParseTargetError),
    /// A scratch database could not be made.
    #[error(transparent)]
    Scratch(#[from] crate::scratch::ScratchError),
    /// The server's version could not be read.
    #[error("cannot read the server's version: {0}")]
    ServerVersion(#[source] Box<DbError>),
    /// The database's state must be fixed by a human first.
    #[error("{}", Lines(problems))]
    Refused {
        /// Every problem, each with its fix.
        problems: Vec<StateProblem>,
    },
    /// A downgrade through revisions that have no down section.
    #[error("cannot downgrade: {} no `-- down` section, so nothing was reverted: {}", if revisions.len() == 1 { "this revision has" } else { "these revisions have" }, revisions.iter().map(|(id, span)| format!("{id} ({span})")).collect::<Vec<_>>().join(", "))]
    Irreversible {
        /// The irreversible revisions in the plan, with their files.
        revisions: Vec<(String, Span)>,
    },
    /// A downgrade through revisions whose down section is empty under a
    /// non-empty up section: it would succeed and undo nothing.
    #[error(
        "cannot downgrade, nothing was reverted:\n{}\nhelp: {}",
        Lines(revisions),
        crate::revision::EmptyDown::HELP
    )]
    EmptyDown {
        /// Every such revision in the plan.
        revisions: Vec<crate::revision::EmptyDown>,
    },
    /// Statements that the server refuses inside a transaction block, in
    /// revisions that ask for one: every one in the plan, before anything runs.
    #[error(
        "{} cannot run inside a transaction block on {server}, so nothing was run:\n{}",
        if statements.len() == 1 { "a statement" } else { "these statements" },
        statements.iter().map(|statement| format!("  {statement}")).collect::<Vec<_>>().join("\n")
    )]
    NeedsNoTransaction {
        /// The server the rules were applied for (`PostgreSQL 11.0`).
        server: String,
        /// Every refused statement, in plan order.
        statements: Vec<NoTransactionStatement>,
    },
    /// `--single-transaction` with a revision that cannot run in one.
    #[error("--single-transaction is not possible: {reason}")]
    SingleTransaction {
        /// Which revision prevents it and why.
        reason: String,
    },
    /// A revision's statement failed.
    #[error(transparent)]
    Statement(#[from] Box<StatementError>),
    /// The thread that runs an awaited operation could not be started
    /// (`asynchronous`).
    #[error("cannot start the thread that runs the migration: {0}")]
    Thread(#[source] std::io::Error),
}

/// A failing statement of a revision, with where it is and what became of the revision.
#[derive(Debug, thiserror::Error)]
#[error("{span}: revision {revision} failed ({direction_text}), statement {number} of {total}: {source}\n{outcome}", direction_text = match direction { Direction::Upgrade => "applying", Direction::Downgrade => "reverting" })]
pub struct StatementError {
    /// The revision id.
    pub revision: String,
    /// Applying or reverting.
    pub direction: Direction,
    /// The file, line and column of the error (the statement's start when the
    /// database gives no position).
    pub span: Span,
    /// 1-based index of the failing statement in its section.
    pub number: usize,
    /// Statements in the section.
    pub total: usize,
    /// The database's error.
    #[source]
    pub source: DbError,
    /// What is left of the revision.
    pub outcome: FailureOutcome,
}

/// What a failed revision left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Rolled back: nothing of the revision remains.
    RolledBack,
    /// Ran outside a transaction: the statements before the failing one
    /// remain, and the revision is recorded as failed.
    Partial {
        /// Statements that ran before the failure.
        statements_run: usize,
        /// Whether the failure could be recorded; if the connection was lost
        /// the row stays `running`, which blocks later runs just the same.
        recorded: bool,
    },
}

impl fmt::Display for FailureOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureOutcome::RolledBack => {
                f.write_str("the revision was rolled back: nothing of it was applied")
            }
            FailureOutcome::Partial {
                statements_run,
                recorded,
            } => write!(
                f,
                "the revision ran outside a transaction: {statements_run} statement(s) before the failing one stay applied, and it is recorded as {}; fix the file and what was left behind, then see `sqlmig status` and `sqlmig repair`",
                if *recorded {
                    "failed"
                } else {
                    "running (the failure itself could not be recorded)"
                }
            ),
        }
    }
}

struct Lines<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for Lines<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}
