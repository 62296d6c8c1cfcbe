//! The online engine: under the migration lock, read the state, compute the
//! [`Plan`], and walk it on a [`Database`], one revision at a time.
//!
//! Order of a run (docs/RELIABILITY.md §8.2): take the lock, create the state table
//! if missing, read the state, refuse on drift, missing files or unfinished
//! revisions, plan, apply, release the lock and check that it was still held.
//! Each revision and its state row commit together; a revision that cannot
//! run in a transaction records its progress statement by statement.

mod maintenance;

pub use maintenance::{RepairRequest, StampReport};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::backend::{DbError, LockError, LockWait};
use crate::database::Database;
use crate::dialect::Dialect;
use crate::error::{Error, FailureOutcome, Result, StatementError};
use crate::event::{Event, Observer};
use crate::graph::{Graph, Target};
use crate::migrations::Migrations;
use crate::plan::{Direction, Plan};
use crate::program::{Program, Recorded, Step, check_plan, count, program, section};
use crate::revision::{Revision, Statement};
use crate::span::Span;
use crate::sql::Binding;
use crate::state::DatabaseState;
use crate::state_table::{Failure, Progress, StateRow};

/// How a run behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Compute and report the plan, change nothing.
    pub dry_run: bool,
    /// Run every revision in one transaction (all or nothing), where the
    /// dialect allows it.
    pub single_transaction: bool,
}

/// What a run did (or, for a dry run, would do).
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Upgrade or downgrade.
    pub direction: Direction,
    /// Nothing was changed.
    pub dry_run: bool,
    /// The planned revisions (graph indices), in the order they ran.
    pub plan: Vec<usize>,
    /// What happened to each revision that ran.
    pub steps: Vec<StepReport>,
    /// The applied heads before the run.
    pub from: Vec<String>,
    /// The applied heads after the run.
    pub to: Vec<String>,
    /// The run stopped between two revisions because its stop flag was set
    /// ([`Migrator::stop_when`]): `steps` holds what ran, `to` where the
    /// database is now.
    pub interrupted: bool,
}

/// One revision of a run.
#[derive(Debug, Clone)]
pub struct StepReport {
    /// The revision id.
    pub revision: String,
    /// How long it took.
    pub elapsed: Duration,
    /// Another runner had already done it.
    pub skipped: bool,
}

/// Runs plans of one graph on one database.
pub struct Migrator<'a> {
    graph: &'a Graph,
    database: &'a mut Database,
    observer: &'a mut dyn Observer,
    applied_by: String,
    stop: Option<Arc<AtomicBool>>,
    started_from: Option<Vec<String>>,
}

impl<'a> Migrator<'a> {
    /// A migrator for `migrations` on `database`, reporting to `observer`.
    /// Refuses a database of another dialect than the one the migrations'
    /// statements were split for.
    pub fn new(
        migrations: &'a Migrations,
        database: &'a mut Database,
        observer: &'a mut dyn Observer,
    ) -> Result<Self> {
        if migrations.dialect() != database.dialect() {
            return Err(Error::DialectMismatch {
                migrations: migrations.dialect(),
                database: database.dialect(),
            });
        }
        Ok(Migrator {
            graph: migrations.graph(),
            database,
            observer,
            applied_by: format!("sqlmig {}", env!("CARGO_PKG_VERSION")),
            stop: None,
            started_from: None,
        })
    }

    /// Stops a run between two revisions once `stop` is set (Ctrl-C, or a
    /// fleet whose other target failed): the revision under way finishes and
    /// commits, no further one starts, the lock is released and the report
    /// says [`RunReport::interrupted`]. With `single_transaction` the run's
    /// one transaction is rolled back instead.
    #[must_use]
    pub fn stop_when(mut self, stop: Arc<AtomicBool>) -> Self {
        self.stop = Some(stop);
        self
    }

    fn stop_requested(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|stop| stop.load(Ordering::SeqCst))
    }

    /// Applies `target` and everything it needs that is not applied yet.
    pub fn upgrade(&mut self, target: &Target, options: RunOptions) -> Result<RunReport> {
        self.run(Direction::Upgrade, target, options)
    }

    /// Reverts every applied revision above `target`.
    pub fn downgrade(&mut self, target: &Target, options: RunOptions) -> Result<RunReport> {
        self.run(Direction::Downgrade, target, options)
    }

    /// Reads the state without taking the lock or creating anything.
    pub fn read_state(&mut self) -> Result<DatabaseState> {
        if !self.state_table_exists()? {
            return Ok(DatabaseState::empty(self.graph));
        }
        self.read_existing_state()
    }

    /// The applied heads the last run started from, read under the lock:
    /// known even when the run then failed.
    pub fn started_from(&self) -> Option<&[String]> {
        self.started_from.as_deref()
    }

    fn read_existing_state(&mut self) -> Result<DatabaseState> {
        let rows = self
            .database
            .backend
            .query(&self.database.table.select_rows())
            .map_err(state_error("read"))?;
        let rows = rows
            .iter()
            .map(|values| StateRow::from_values(values))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::State {
                action: String::from("read"),
                source: Box::new(DbError::new("a row has no revision id or state")),
            })?;
        Ok(DatabaseState::new(self.graph, rows))
    }

    fn run(
        &mut self,
        direction: Direction,
        target: &Target,
        options: RunOptions,
    ) -> Result<RunReport> {
        if options.dry_run {
            let state = self.read_state()?;
            let plan = self.prepare(direction, target, options, &state)?;
            return Ok(self.report(plan, options));
        }
        let run = self.locked(|this| {
            let state = this.create_state_table()?;
            this.started_from = Some(this.graph.ids(&this.graph.heads_of(&state.applied)));
            let plan = this.prepare(direction, target, options, &state)?;
            let mut report = this.report(plan, options);
            this.execute_plan(&mut report, options)?;
            Ok(report)
        });
        match run {
            Err(Error::Lock(LockError::Stopped { .. })) => self.stopped_before_lock(direction),
            run => run,
        }
    }

    /// The report of a run stopped while it waited for the lock: nothing
    /// ran; where the database is, read without the lock.
    fn stopped_before_lock(&mut self, direction: Direction) -> Result<RunReport> {
        let state = self.read_state()?;
        let heads = self.graph.ids(&self.graph.heads_of(&state.applied));
        self.started_from = Some(heads.clone());
        Ok(RunReport {
            direction,
            dry_run: false,
            plan: Vec::new(),
            steps: Vec::new(),
            from: heads.clone(),
            to: heads,
            interrupted: true,
        })
    }

    /// The plan an upgrade or downgrade to `target` would run now, read from
    /// the database without taking the lock or creating anything (what
    /// `emit` renders from a live database).
    pub fn plan(&mut self, direction: Direction, target: &Target) -> Result<Plan> {
        let state = self.read_state()?;
        self.prepare(direction, target, RunOptions::default(), &state)
    }

    fn report(&self, plan: Plan, options: RunOptions) -> RunReport {
        RunReport {
            direction: plan.direction,
            dry_run: options.dry_run,
            from: self.graph.ids(&plan.from),
            to: self.graph.ids(&plan.to),
            plan: plan.steps,
            steps: Vec::new(),
            interrupted: false,
        }
    }

    /// Refuses on problems, plans, and checks the plan can run as asked.
    fn prepare(
        &mut self,
        direction: Direction,
        target: &Target,
        options: RunOptions,
        state: &DatabaseState,
    ) -> Result<Plan> {
        let problems = state.problems(self.graph);
        if !problems.is_empty() {
            return Err(Error::Refused { problems });
        }
        for index in state.changed_down_sections(self.graph) {
            let revision = self.graph.revision(index);
            let message = format!(
                "{}: the down section of applied revision {} changed since it was applied",
                revision.path.display(),
                revision.id
            );
            self.observer.event(&Event::Warning { message: &message });
        }
        let plan = match direction {
            Direction::Upgrade => Plan::upgrade(self.graph, &state.applied, target)?,
            Direction::Downgrade => Plan::downgrade(self.graph, &state.applied, target)?,
        };
        let database = &mut *self.database;
        check_plan(
            self.graph,
            &plan,
            database.dialect(),
            options.single_transaction,
            &mut || database.server_version(),
        )?;
        Ok(plan)
    }

    fn execute_plan(&mut self, report: &mut RunReport, options: RunOptions) -> Result<()> {
        let dialect = self.database.dialect();
        let total = report.plan.len();
        self.observer.event(&Event::Planned {
            direction: report.direction,
            total,
        });
        if options.single_transaction && total > 0 {
            self.database
                .backend
                .execute(dialect.begin_transaction())
                .map_err(state_error("begin the run's transaction for"))?;
        }
        for (position, &index) in report.plan.iter().enumerate() {
            if self.stop_requested() {
                report.interrupted = true;
                break;
            }
            let revision = self.graph.revision(index);
            self.observer.event(&Event::RevisionStarted {
                revision,
                direction: report.direction,
                number: position + 1,
                total,
            });
            let started = Instant::now();
            let steps = program(
                revision,
                report.direction,
                dialect,
                options.single_transaction,
            );
            let done = match self.run_program(&steps, Progress::START) {
                Ok(done) => done,
                Err(error) => {
                    if options.single_transaction {
                        // The statement's own error is what the user needs;
                        // a failing rollback means the connection is gone,
                        // which rolls back too.
                        let _ = self
                            .database
                            .backend
                            .execute(dialect.rollback_transaction());
                    }
                    return Err(error);
                }
            };
            let elapsed = started.elapsed();
            if done {
                self.observer.event(&Event::RevisionFinished {
                    revision,
                    direction: report.direction,
                    elapsed,
                });
            } else {
                self.observer.event(&Event::RevisionSkipped { revision });
            }
            report.steps.push(StepReport {
                revision: revision.id.clone(),
                elapsed,
                skipped: !done,
            });
        }
        if options.single_transaction && total > 0 {
            if report.interrupted || self.stop_requested() {
                // All or nothing: nothing, since the run was stopped.
                self.database
                    .backend
                    .execute(dialect.rollback_transaction())
                    .map_err(state_error("roll back the run's transaction for"))?;
                report.interrupted = true;
                report.steps.clear();
            } else {
                self.database
                    .backend
                    .execute(dialect.commit_transaction())
                    .map_err(state_error("commit the run's transaction for"))?;
            }
        }
        if report.interrupted {
            let state = self.read_state()?;
            report.to = self.graph.ids(&self.graph.heads_of(&state.applied));
        }
        Ok(())
    }

    /// Executes one revision's [`Program`]. `progress` is what already ran
    /// (a resume). `Ok(false)`: another runner had already done it.
    fn run_program(&mut self, program: &Program<'_>, progress: Progress) -> Result<bool> {
        let mut in_transaction = false;
        let result = self.run_steps(program, progress, &mut in_transaction);
        if in_transaction && !matches!(result, Ok(true)) {
            // Skipped or failed: nothing of it stays. A failing rollback
            // means the connection is gone, and the server rolls back anyway.
            let rollback = self.database.dialect().rollback_transaction();
            let _ = self.database.backend.execute(rollback);
        }
        result
    }

    fn run_steps(
        &mut self,
        program: &Program<'_>,
        mut progress: Progress,
        in_transaction: &mut bool,
    ) -> Result<bool> {
        let revision = program.revision;
        let dialect = self.database.dialect();
        let table = &self.database.table;
        let backend = &mut self.database.backend;
        let record_error = state_error_owned(record_action(revision));
        let mut started = Instant::now();
        let mut pending = Pending::new(backend.pipelines(), dialect);
        for (index, step) in program.steps.iter().enumerate() {
            if !matches!(step, Step::Begin | Step::LockStateTable | Step::Guard) {
                pending
                    .send_opening(backend.as_mut())
                    .map_err(&record_error)?;
            }
            if !pending.holds(step) {
                pending.send_batch(backend.as_mut(), program)?;
            }
            match step {
                Step::Begin => {
                    pending.open(dialect.begin_transaction().to_owned());
                    // Set before it runs: a failed BEGIN makes the
                    // ROLLBACK after it a harmless no-op.
                    *in_transaction = true;
                }
                Step::LockStateTable => {
                    if let Some(lock) = table.lock_in_transaction() {
                        pending.open(lock);
                    }
                }
                Step::Guard => {
                    // Re-checked under the lock and inside the transaction:
                    // even if two runners got this far, only one of them
                    // applies (or reverts) the revision.
                    let recorded = !pending
                        .query_after_opening(
                            backend.as_mut(),
                            &table.select_state(&revision.id, Binding::Parameters),
                        )
                        .map_err(&record_error)?
                        .is_empty();
                    let already_done = match program.direction {
                        Direction::Upgrade => recorded,
                        Direction::Downgrade => !recorded,
                    };
                    if already_done {
                        return Ok(false);
                    }
                    started = Instant::now();
                }
                Step::Statement {
                    position,
                    statement,
                    ..
                } if pending.holds(step) => {
                    crate::fault::point(|| format!("before_stmt:{}:{}", revision.id, position + 1));
                    pending.hold(*position, statement);
                }
                Step::Statement {
                    position,
                    statement,
                    recorded,
                } => {
                    crate::fault::point(|| format!("before_stmt:{}:{}", revision.id, position + 1));
                    if let Err(source) = backend.execute(&statement.sql) {
                        return Err(statement_failed(
                            backend.as_mut(),
                            table,
                            program,
                            *position,
                            progress,
                            source,
                        ));
                    }
                    crate::fault::point(|| format!("after_stmt:{}:{}", revision.id, position + 1));
                    // The last statement's progress goes with the closing record.
                    if let Recorded::Progress(after) = recorded {
                        progress = *after;
                        backend
                            .execute_with(&table.update_progress(
                                &revision.id,
                                progress,
                                Binding::Parameters,
                            ))
                            .map_err(&record_error)?;
                    }
                }
                Step::Record(record) => {
                    crate::fault::point(|| format!("before_history_write:{}", revision.id));
                    let sql = record.sql(
                        table,
                        revision,
                        &self.applied_by,
                        millis(started.elapsed()),
                        Binding::Parameters,
                    );
                    if pending.pipelines
                        && matches!(program.steps.get(index + 1), Some(Step::Commit))
                    {
                        // A failed write aborts the transaction, and the
                        // COMMIT behind it then only rolls back.
                        crate::fault::point(|| format!("before_commit:{}", revision.id));
                        backend
                            .execute_with_then(&sql, dialect.commit_transaction())
                            .map_err(&record_error)?;
                        *in_transaction = false;
                        pending.committed = true;
                    } else {
                        backend.execute_with(&sql).map_err(&record_error)?;
                    }
                }
                Step::Commit if pending.committed => {}
                Step::Commit => {
                    crate::fault::point(|| format!("before_commit:{}", revision.id));
                    backend
                        .execute(dialect.commit_transaction())
                        .map_err(&record_error)?;
                    *in_transaction = false;
                }
            }
        }
        pending.send_batch(backend.as_mut(), program)?;
        crate::fault::point(|| format!("after_commit:{}", revision.id));
        Ok(true)
    }

    /// Runs `body` holding the migration lock, released on every path.
    fn locked<T, E: From<Error>>(
        &mut self,
        body: impl FnOnce(&mut Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let timeout = self.database.lock_timeout;
        let scope = self.database.table.qualified_name();
        let observer = &mut *self.observer;
        self.database
            .backend
            .lock(
                scope,
                LockWait {
                    timeout,
                    stop: self.stop.as_deref(),
                    waiting: &mut |what| observer.event(&Event::WaitingForLock { what }),
                },
            )
            .map_err(Error::from)?;
        crate::fault::point(|| String::from("after_lock"));
        let result = body(self);
        crate::fault::point(|| String::from("before_unlock"));
        let released = self.database.backend.unlock();
        match (result, released) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(error)) => Err(Error::LockLost(Box::new(error)).into()),
            // The run's own error explains more; a lost connection also
            // released the lock.
            (Err(error), _) => Err(error),
        }
    }

    fn state_table_exists(&mut self) -> Result<bool> {
        let rows = self
            .database
            .backend
            .query(&self.database.table.exists_query())
            .map_err(state_error("look for"))?;
        Ok(!rows.is_empty())
    }

    /// Creates the state table if it is missing, and reads the state: a
    /// table just created is empty, so it is not read back.
    fn create_state_table(&mut self) -> Result<DatabaseState> {
        if self.state_table_exists()? {
            return self.read_existing_state();
        }
        for statement in self.database.table.create_statements() {
            self.database
                .backend
                .execute(&statement)
                .map_err(state_error("create"))?;
        }
        Ok(DatabaseState::empty(self.graph))
    }
}

/// What a revision holds back to send together on a backend that
/// pipelines (PostgreSQL): the statements that open it (`BEGIN`, the state
/// table's lock), sent with the guard's query in one round trip, and the
/// statements of its transaction, sent as one batch; the state row then goes
/// with the `COMMIT`. Elsewhere nothing is held but the opening.
struct Pending<'p> {
    /// Whether the backend pipelines.
    pipelines: bool,
    dialect: Dialect,
    /// `BEGIN` and the lock, waiting for the guard.
    opening: Vec<String>,
    /// Statements of the transaction, with their positions, waiting for
    /// the next step that cannot wait.
    batch: Vec<(usize, &'p Statement)>,
    /// The state row went with the `COMMIT`: the commit step has nothing to do.
    committed: bool,
}

impl<'p> Pending<'p> {
    fn new(pipelines: bool, dialect: Dialect) -> Self {
        Pending {
            pipelines,
            dialect,
            opening: Vec::new(),
            batch: Vec::new(),
            committed: false,
        }
    }

    /// Holds back a statement that opens the revision.
    fn open(&mut self, statement: String) {
        self.opening.push(statement);
    }

    /// Sends what opens the revision, then `query`, in one round trip
    /// where the backend pipelines.
    fn query_after_opening(
        &mut self,
        backend: &mut dyn crate::backend::Backend,
        query: &crate::sql::Sql,
    ) -> Result<Vec<Vec<crate::sql::Value>>, DbError> {
        let opening: Vec<&str> = self.opening.iter().map(String::as_str).collect();
        let rows = backend.query_after(&opening, query);
        self.opening.clear();
        rows
    }

    /// Sends what opens the revision, if anything still waits.
    fn send_opening(&mut self, backend: &mut dyn crate::backend::Backend) -> Result<(), DbError> {
        for statement in self.opening.drain(..) {
            backend.execute(&statement)?;
        }
        Ok(())
    }

    /// Whether `step` may wait in the batch: a statement of a transaction
    /// (a failure aborts it, so whatever was sent after the failing
    /// statement is skipped by the server), on a backend that pipelines,
    /// that cannot end the transaction or hold several statements that
    /// might (blocks), and is no `COPY` (which would wait for data).
    fn holds(&self, step: &Step<'_>) -> bool {
        match step {
            Step::Statement {
                statement,
                recorded: Recorded::WithTransaction,
                ..
            } => {
                self.pipelines
                    && !statement.delimited
                    && !self.dialect.may_end_transaction(&statement.sql)
            }
            _ => false,
        }
    }

    /// Holds back the statement at `position`.
    fn hold(&mut self, position: usize, statement: &'p Statement) {
        self.batch.push((position, statement));
    }

    /// Sends the batch, if any, in one round trip; a failure names its statement.
    fn send_batch(
        &mut self,
        backend: &mut dyn crate::backend::Backend,
        program: &Program<'_>,
    ) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let revision = program.revision;
        let statements: Vec<&str> = batch
            .iter()
            .map(|(_, statement)| statement.sql.as_str())
            .collect();
        let failed = backend.execute_pipelined(&statements).err();
        let ran = failed.as_ref().map_or(batch.len(), |(index, _)| *index);
        for (position, _) in &batch[..ran] {
            crate::fault::point(|| format!("after_stmt:{}:{}", revision.id, position + 1));
        }
        match failed {
            None => Ok(()),
            Some((index, source)) => Err(statement_error(
                revision,
                program.direction,
                section(revision, program.direction),
                batch[index].0,
                *source,
                FailureOutcome::RolledBack,
            )
            .into()),
        }
    }
}

/// The error for a statement that failed on its own. Outside a transaction
/// the failure is also recorded in the revision's row, best effort: if the
/// connection is gone the row stays `running`, which blocks the next run
/// just the same.
fn statement_failed(
    backend: &mut dyn crate::backend::Backend,
    table: &crate::state_table::StateTable,
    program: &Program<'_>,
    position: usize,
    progress: Progress,
    source: DbError,
) -> Error {
    let revision = program.revision;
    let statements = section(revision, program.direction);
    let mut error = statement_error(
        revision,
        program.direction,
        statements,
        position,
        source,
        FailureOutcome::RolledBack,
    );
    if !program.transactional {
        let failure = Failure {
            statement: count(position + 1),
            line: error.span.line,
            error: error.source.message.clone(),
        };
        let recorded = !error.source.connection_lost
            && backend
                .execute_with(&table.update_failed(
                    &revision.id,
                    progress,
                    &failure,
                    Binding::Parameters,
                ))
                .is_ok();
        error.outcome = FailureOutcome::Partial {
            statements_run: position,
            recorded,
        };
    }
    error.into()
}

/// Sends the batched statements of a transaction at once; on a failure,
/// the error of the first statement that failed, as if they had run one by
/// one (the rest were skipped by the aborted transaction).
fn statement_error(
    revision: &Revision,
    direction: Direction,
    statements: &[Statement],
    position: usize,
    source: DbError,
    outcome: FailureOutcome,
) -> StatementError {
    let statement = &statements[position];
    let (line, column) = match source.position {
        Some(crate::backend::ErrorPosition::Character(offset)) => statement.position_of(offset),
        Some(crate::backend::ErrorPosition::Line(line)) if line > 1 => {
            (statement.line + line - 1, 0)
        }
        _ => (statement.line, statement.column),
    };
    StatementError {
        revision: revision.id.clone(),
        direction,
        span: Span::new(&revision.path, line, column),
        number: position + 1,
        total: statements.len(),
        source,
        outcome,
    }
}

impl From<StatementError> for Error {
    fn from(error: StatementError) -> Self {
        Error::Statement(Box::new(error))
    }
}

fn record_action(revision: &Revision) -> String {
    format!("record revision {} in", revision.id)
}

fn state_error_owned(action: String) -> impl Fn(DbError) -> Error {
    move |source| Error::State {
        action: action.clone(),
        source: Box::new(source),
    }
}

fn state_error(action: &str) -> impl Fn(DbError) -> Error + '_ {
    move |source| Error::State {
        action: action.to_owned(),
        source: Box::new(source),
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Migrations {
    /// Upgrades `database` to the single head; what an application calls at
    /// start-up.
    pub fn upgrade(&self, database: &mut Database) -> Result<RunReport> {
        Migrator::new(self, database, &mut crate::event::Silent)?
            .upgrade(&Target::Head, RunOptions::default())
    }

    /// Every revision's state in `database` (read-only: no lock, nothing created).
    pub fn status(&self, database: &mut Database) -> Result<crate::status::Status> {
        let dialect = database.dialect();
        let state = Migrator::new(self, database, &mut crate::event::Silent)?.read_state()?;
        Ok(crate::status::Status::new(self.graph(), dialect, &state))
    }

    /// Whether `database` has every revision applied, with no drift, no
    /// failed revision and no unknown one.
    pub fn is_up_to_date(&self, database: &mut Database) -> Result<bool> {
        Ok(self.status(database)?.is_up_to_date())
    }
}
