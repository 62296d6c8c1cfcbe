//! sqlmig: plain-SQL migrations as a checksummed revision graph.
//!
//! Revision files are parsed into [`Revision`]s, verified into a [`Graph`],
//! planned against what a database has applied, and run online by the
//! [`Migrator`] (or, offline, rendered as one script):
//!
//! ```text
//! migrations/*.sql --revision::discover (walkdir)--> files
//!   --revision::parse_revision (pest)--> Revision { id, parents, statements with lines, checksums }
//!   --Graph::build + sum::SumFile--> Graph (verified DAG)
//!   --Plan::upgrade / Plan::downgrade (graph, applied state, Target)--> Plan
//!   --Migrator (Backend: SQLite, PostgreSQL, MySQL)--> the database and its state table
//! ```
//!
//! An application can bring its database up to date at start-up:
//!
//! ```
//! use sqlmig::{Database, DatabaseOptions, Dialect, Migrations};
//!
//! let migrations = Migrations::load("migrations", Dialect::Sqlite)?;
//! let mut database = Database::connect("sqlite::memory:", &DatabaseOptions::default())?;
//! migrations.upgrade(&mut database)?;
//! assert!(migrations.is_up_to_date(&mut database)?);
//! # Ok::<(), sqlmig::Error>(())
//! ```
//!
//! Or compile the migrations into the application, verified at compile time,
//! and migrate from async code (features `macros` and `tokio`; see the
//! README's "Embedding in a Rust application"):
//!
//! ```no_run
//! # #[cfg(all(feature = "macros", feature = "tokio"))]
//! # async fn run() -> Result<(), sqlmig::Error> {
//! let migrations = std::sync::Arc::new(sqlmig::embed_migrations!("migrations"));
//! let database = sqlmig::asynchronous::AsyncDatabase::connect("sqlite:app.db", &Default::default()).await?;
//! database.upgrade(&migrations).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Cargo features: `postgres`, `mysql`, `sqlite` (the drivers) and `macros`
//! by default; `tokio` for [`asynchronous`]. A URL of a dialect whose
//! driver is left out is refused with an error naming the feature.
#![warn(missing_docs)]

#[cfg(feature = "tokio")]
pub mod asynchronous;
#[doc(hidden)]
pub mod backend;
pub mod database;
pub mod database_url;
pub mod dialect;
pub mod emit;
mod error;
pub mod event;
pub mod execute;
mod fault;
pub mod graph;
pub mod import;
pub mod lint;
pub mod migrations;
pub mod no_transaction;
pub mod plan;
mod program;
pub mod revision;
pub mod schema;
pub mod scratch;
pub mod span;
#[doc(hidden)]
pub mod sql;
pub mod state;
pub mod state_table;
pub mod status;
pub mod sum;
pub mod verify;

pub use database::{Database, DatabaseOptions};
pub use database_url::DatabaseUrl;
pub use dialect::{Dialect, ServerVersion};
pub use error::{Error, FailureOutcome, Result, StatementError};
pub use event::{Event, Observer, Silent};
pub use execute::{Migrator, RepairRequest, RunOptions, RunReport, StampReport};
pub use graph::{Graph, GraphError, RevisionSet, Target, TargetError};
pub use migrations::{LoadError, Migrations};
pub use plan::{Direction, Plan, StampPlan};
pub use revision::{Checksum, Revision, Section, Statement};
pub use span::Span;
/// Compiles a migrations directory into the application, verified at
/// compile time: see [`sqlmig_macros::embed_migrations`].
#[cfg(feature = "macros")]
pub use sqlmig_macros::embed_migrations;
pub use status::{RevisionState, Status};
