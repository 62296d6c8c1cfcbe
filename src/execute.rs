//! The online engine: under the migration lock, read the state, compute the
//! [`Plan`], and walk it on a [`Database`], one revision at a time.
//!
//! Order of a run (RELIABILITY.md §8.2): take the lock, create the state table
//! if missing, read the state, refuse on drift, missing files or unfinished
//! revisions, plan, apply, release the lock and check that it was still held.
//! Each revision and its state row commit together; a revision that cannot
//! run in a transaction records its progress statement by statement.

use std::time::{Duration, Instant};

use crate::backend::DbError;
use crate::database::Database;
use crate::dialect::Dialect;
use crate::error::{Error, FailureOutcome, Result, StatementError};
use crate::event::{Event, Observer};
use crate::graph::{Graph, Target};
use crate::plan::{Direction, Plan, StampPlan};
use crate::revision::{Revision, Statement};
use crate::span::Span;
use crate::sql::Binding;
use crate::state::{DatabaseState, StateProblem};
use crate::state_table::{Failure, NewRow, Progress, RowDirection, RowState, StateRow};

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

/// What `stamp` changed.
#[derive(Debug, Clone)]
pub struct StampReport {
    /// Revisions recorded as applied (graph indices).
    pub inserted: Vec<usize>,
    /// Revisions whose rows were removed (graph indices).
    pub deleted: Vec<usize>,
}

/// What `repair` is asked to do; each list holds revision ids or prefixes.
#[derive(Debug, Clone, Default)]
pub struct RepairRequest {
    /// Record the files' current checksums for these applied revisions.
    pub accept_checksums: Vec<String>,
    /// Remove these failed or interrupted rows, so the revisions run again.
    pub clear_failed: Vec<String>,
    /// Record these failed or interrupted revisions as applied.
    pub mark_applied: Vec<String>,
    /// Remove the rows of these applied revisions whose files are gone (exact ids).
    pub forget: Vec<String>,
}

impl RepairRequest {
    /// Whether nothing is asked.
    pub fn is_empty(&self) -> bool {
        self.accept_checksums.is_empty()
            && self.clear_failed.is_empty()
            && self.mark_applied.is_empty()
            && self.forget.is_empty()
    }
}

/// Runs plans of one graph on one database.
pub struct Migrator<'a> {
    graph: &'a Graph,
    database: &'a mut Database,
    observer: &'a mut dyn Observer,
    applied_by: String,
}

impl<'a> Migrator<'a> {
    /// A migrator for `graph` on `database`, reporting to `observer`.
    pub fn new(
        graph: &'a Graph,
        database: &'a mut Database,
        observer: &'a mut dyn Observer,
    ) -> Self {
        Migrator {
            graph,
            database,
            observer,
            applied_by: format!("sqlmig {}", env!("CARGO_PKG_VERSION")),
        }
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

    /// Sets the state to `target` without running any SQL.
    pub fn stamp(&mut self, target: &Target) -> Result<StampReport> {
        self.locked(|this| {
            this.create_state_table()?;
            let state = this.read_state()?;
            let blocking: Vec<StateProblem> = state
                .problems(this.graph)
                .into_iter()
                .filter(|problem| !matches!(problem, StateProblem::Drift { .. }))
                .collect();
            if !blocking.is_empty() {
                return Err(Error::Refused { problems: blocking });
            }
            let plan = Plan::stamp(this.graph, &state.applied, target)?;
            this.write_stamp(&plan)?;
            Ok(StampReport {
                inserted: plan.insert,
                deleted: plan.delete,
            })
        })
    }

    /// Clears failed rows, accepts changed checksums or forgets rows of
    /// missing files, each only as asked. Returns one line per change made.
    pub fn repair(&mut self, request: &RepairRequest) -> Result<Vec<String>> {
        self.locked(|this| {
            let state = this.read_state()?;
            let changes = this.plan_repair(&state, request)?;
            let dialect = this.database.dialect();
            let backend = &mut this.database.backend;
            transaction(backend.as_mut(), dialect, |backend| {
                for (sql, _) in &changes {
                    backend.execute_with(sql)?;
                }
                Ok(())
            })
            .map_err(state_error("repair"))?;
            Ok(changes
                .into_iter()
                .map(|(_, description)| description)
                .filter(|description| !description.is_empty())
                .collect())
        })
    }

    fn run(
        &mut self,
        direction: Direction,
        target: &Target,
        options: RunOptions,
    ) -> Result<RunReport> {
        if options.dry_run {
            let state = self.read_state()?;
            return self.prepare(direction, target, options, &state);
        }
        self.locked(|this| {
            this.create_state_table()?;
            let state = this.read_state()?;
            let mut report = this.prepare(direction, target, options, &state)?;
            this.execute_plan(&mut report, options)?;
            Ok(report)
        })
    }

    /// Refuses on problems, plans, and checks the plan can run as asked.
    fn prepare(
        &mut self,
        direction: Direction,
        target: &Target,
        options: RunOptions,
        state: &DatabaseState,
    ) -> Result<RunReport> {
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
        self.check_plan(&plan, options)?;
        Ok(RunReport {
            direction,
            dry_run: options.dry_run,
            from: self.graph.ids(&plan.from),
            to: self.graph.ids(&plan.to),
            plan: plan.steps,
            steps: Vec::new(),
        })
    }

    /// Everything that would stop the plan part-way is refused before it starts.
    fn check_plan(&self, plan: &Plan, options: RunOptions) -> Result<()> {
        let irreversible = plan.irreversible_steps(self.graph);
        if !irreversible.is_empty() {
            return Err(Error::Irreversible {
                revisions: irreversible
                    .iter()
                    .map(|&index| {
                        let revision = self.graph.revision(index);
                        (revision.id.clone(), Span::file(&revision.path))
                    })
                    .collect(),
            });
        }
        let dialect = self.database.dialect();
        for &index in &plan.steps {
            let revision = self.graph.revision(index);
            let statements = section(revision, plan.direction);
            let refused = statements
                .iter()
                .find(|s| dialect.needs_no_transaction(&s.sql));
            if let (true, Some(statement)) = (revision.transactional, refused) {
                return Err(Error::NeedsNoTransaction {
                    revision: revision.id.clone(),
                    span: Span::new(&revision.path, statement.line, statement.column),
                    statement: first_words(&statement.sql),
                });
            }
            if options.single_transaction && !runs_in_transaction(dialect, revision, statements) {
                let reason = if revision.transactional {
                    format!(
                        "{}: revision {} holds statements that {} commits implicitly",
                        revision.path.display(),
                        revision.id,
                        dialect.title()
                    )
                } else {
                    format!(
                        "{}: revision {} is `transaction: false`",
                        revision.path.display(),
                        revision.id
                    )
                };
                return Err(Error::SingleTransaction { reason });
            }
        }
        Ok(())
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
            let revision = self.graph.revision(index);
            self.observer.event(&Event::RevisionStarted {
                revision,
                direction: report.direction,
                number: position + 1,
                total,
            });
            let started = Instant::now();
            let outcome = self.apply(revision, report.direction, options.single_transaction);
            let done = match outcome {
                Ok(done) => done,
                Err(error) => {
                    if options.single_transaction {
                        // The statement's own error is what the user needs;
                        // a failing rollback means the connection is gone,
                        // which rolls back too.
                        let _ = self.database.backend.execute("ROLLBACK");
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
            self.database
                .backend
                .execute("COMMIT")
                .map_err(state_error("commit the run's transaction for"))?;
        }
        Ok(())
    }

    /// Applies or reverts one revision. `Ok(false)`: another runner had
    /// already done it.
    fn apply(
        &mut self,
        revision: &Revision,
        direction: Direction,
        in_run_transaction: bool,
    ) -> Result<bool> {
        let dialect = self.database.dialect();
        let statements = section(revision, direction);
        if runs_in_transaction(dialect, revision, statements) {
            self.apply_in_transaction(revision, direction, in_run_transaction)
        } else {
            self.apply_statement_by_statement(revision, direction)
        }
    }

    /// The revision's statements and its state row commit together.
    fn apply_in_transaction(
        &mut self,
        revision: &Revision,
        direction: Direction,
        in_run_transaction: bool,
    ) -> Result<bool> {
        let dialect = self.database.dialect();
        if !in_run_transaction {
            self.database
                .backend
                .execute(dialect.begin_transaction())
                .map_err(state_error(&format!(
                    "begin a transaction for revision {} in",
                    revision.id
                )))?;
        }
        let result = self.transaction_body(revision, direction);
        let backend = &mut self.database.backend;
        match result {
            Ok(true) if !in_run_transaction => {
                backend
                    .execute("COMMIT")
                    .map_err(state_error(&record_action(revision)))?;
                Ok(true)
            }
            Ok(done) => {
                if !done && !in_run_transaction {
                    backend
                        .execute("ROLLBACK")
                        .map_err(state_error(&record_action(revision)))?;
                }
                Ok(done)
            }
            Err(error) => {
                if !in_run_transaction {
                    // The original error matters; a failed rollback means the
                    // connection is gone, and the server rolls back anyway.
                    let _ = backend.execute("ROLLBACK");
                }
                Err(error)
            }
        }
    }

    fn transaction_body(&mut self, revision: &Revision, direction: Direction) -> Result<bool> {
        let table = &self.database.table;
        let backend = &mut self.database.backend;
        if let Some(lock) = table.lock_in_transaction() {
            backend
                .execute(&lock)
                .map_err(state_error(&record_action(revision)))?;
        }
        // Re-checked inside the transaction: even if two runners got past the
        // run's lock, only one of them can apply (or revert) this revision.
        let recorded = !backend
            .query(&table.select_state(&revision.id, Binding::Parameters))
            .map_err(state_error(&record_action(revision)))?
            .is_empty();
        let already_done = match direction {
            Direction::Upgrade => recorded,
            Direction::Downgrade => !recorded,
        };
        if already_done {
            return Ok(false);
        }
        let started = Instant::now();
        let statements = section(revision, direction);
        for (position, statement) in statements.iter().enumerate() {
            backend.execute(&statement.sql).map_err(|source| {
                statement_error(
                    revision,
                    direction,
                    statements,
                    position,
                    source,
                    FailureOutcome::RolledBack,
                )
            })?;
        }
        let sql = match direction {
            Direction::Upgrade => table.insert(
                &NewRow {
                    revision,
                    state: RowState::Applied,
                    direction: RowDirection::Up,
                    applied_by: &self.applied_by,
                    execution_ms: millis(started.elapsed()),
                    statements_run: count(statements.len()),
                },
                Binding::Parameters,
            ),
            Direction::Downgrade => table.delete(&revision.id, Binding::Parameters),
        };
        backend
            .execute_with(&sql)
            .map_err(state_error(&record_action(revision)))?;
        Ok(true)
    }

    /// Outside a transaction: a `running` row first, progress after each
    /// statement, `failed` with where and why if one fails.
    fn apply_statement_by_statement(
        &mut self,
        revision: &Revision,
        direction: Direction,
    ) -> Result<bool> {
        let table = &self.database.table;
        let start = match direction {
            Direction::Upgrade => table.insert(
                &NewRow {
                    revision,
                    state: RowState::Running,
                    direction: RowDirection::Up,
                    applied_by: &self.applied_by,
                    execution_ms: 0,
                    statements_run: 0,
                },
                Binding::Parameters,
            ),
            Direction::Downgrade => table.update_reverting(&revision.id, Binding::Parameters),
        };
        self.database
            .backend
            .execute_with(&start)
            .map_err(state_error(&record_action(revision)))?;
        self.run_from(revision, direction, Progress::START)?;
        Ok(true)
    }

    /// Runs the statements after `progress`, recording progress after each,
    /// then records the revision applied (or removes its row when reverting).
    fn run_from(
        &mut self,
        revision: &Revision,
        direction: Direction,
        mut progress: Progress,
    ) -> Result<()> {
        let table = &self.database.table;
        let backend = &mut self.database.backend;
        let started = Instant::now();
        let statements = section(revision, direction);
        let first = usize::try_from(progress.statements_run).unwrap_or(usize::MAX);
        for (position, statement) in statements.iter().enumerate().skip(first) {
            if let Err(source) = backend.execute(&statement.sql) {
                let mut error = statement_error(
                    revision,
                    direction,
                    statements,
                    position,
                    source,
                    FailureOutcome::Partial {
                        statements_run: position,
                        recorded: false,
                    },
                );
                let failure = Failure {
                    statement: count(position + 1),
                    line: error.span.line,
                    error: error.source.message.clone(),
                };
                // Best effort: if the connection is gone the row stays
                // `running`, which blocks the next run just the same.
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
                return Err(Error::Statement(Box::new(error)));
            }
            progress = progress.advance(&statement.sql);
            backend
                .execute_with(&table.update_progress(&revision.id, progress, Binding::Parameters))
                .map_err(state_error(&record_action(revision)))?;
        }
        let finish = match direction {
            Direction::Upgrade => table.update_applied(
                &revision.id,
                millis(started.elapsed()),
                progress.statements_run,
                Binding::Parameters,
            ),
            Direction::Downgrade => table.delete(&revision.id, Binding::Parameters),
        };
        backend
            .execute_with(&finish)
            .map_err(state_error(&record_action(revision)))?;
        if direction == Direction::Upgrade {
            // A resumed revision may have had its failing statement fixed:
            // what is applied now is the file as it is.
            backend
                .execute_with(&table.update_checksums(revision, Binding::Parameters))
                .map_err(state_error(&record_action(revision)))?;
        }
        Ok(())
    }

    /// Finishes a revision that failed part-way outside a transaction: checks
    /// that the statements that already ran are unchanged in the file, then
    /// runs the rest, starting with the one that failed.
    pub fn resume(&mut self, id: &str) -> Result<String> {
        self.locked(|this| {
            let state = this.read_state()?;
            let index = this.graph.find(id)?;
            let revision = this.graph.revision(index);
            let refuse = |message: String| Error::State {
                action: String::from("resume a revision in"),
                source: Box::new(DbError::new(message)),
            };
            let row = state
                .row(&revision.id)
                .filter(|row| row.state != RowState::Applied && row.direction == RowDirection::Up)
                .ok_or_else(|| refuse(format!("revision {} did not fail while applying: nothing to resume", revision.id)))?;
            let statements = &revision.up.statements;
            let ran = usize::try_from(row.statements_run).unwrap_or(usize::MAX);
            if ran > statements.len() {
                return Err(refuse(format!(
                    "{}: revision {} recorded {ran} statements as run, but the file now has {}",
                    revision.path.display(),
                    revision.id,
                    statements.len()
                )));
            }
            let replayed = statements[..ran]
                .iter()
                .fold(Progress::START, |progress, statement| progress.advance(&statement.sql));
            if replayed.checksum != row.progress_checksum {
                return Err(refuse(format!(
                    "{}: statements 1 to {ran} of revision {} changed since they ran, so resuming could skip an edited statement; restore them, or fix the database by hand and use `sqlmig repair --mark-applied {}`",
                    revision.path.display(),
                    revision.id,
                    revision.id
                )));
            }
            this.observer.event(&Event::RevisionStarted {
                revision,
                direction: Direction::Upgrade,
                number: 1,
                total: 1,
            });
            let started = Instant::now();
            this.run_from(revision, Direction::Upgrade, replayed)?;
            this.observer.event(&Event::RevisionFinished {
                revision,
                direction: Direction::Upgrade,
                elapsed: started.elapsed(),
            });
            Ok(format!(
                "resumed revision {} at statement {} of {}: it is applied",
                revision.id,
                ran + 1,
                statements.len()
            ))
        })
    }

    fn write_stamp(&mut self, plan: &StampPlan) -> Result<()> {
        let dialect = self.database.dialect();
        let table = &self.database.table;
        let applied_by = format!("{} stamp", self.applied_by);
        let graph = self.graph;
        transaction(self.database.backend.as_mut(), dialect, |backend| {
            for &index in &plan.delete {
                backend
                    .execute_with(&table.delete(&graph.revision(index).id, Binding::Parameters))?;
            }
            for &index in &plan.insert {
                let revision = graph.revision(index);
                let row = NewRow {
                    revision,
                    state: RowState::Applied,
                    direction: RowDirection::Up,
                    applied_by: &applied_by,
                    execution_ms: 0,
                    statements_run: 0,
                };
                backend.execute_with(&table.insert(&row, Binding::Parameters))?;
            }
            Ok(())
        })
        .map_err(state_error("stamp"))
    }

    fn plan_repair(
        &self,
        state: &DatabaseState,
        request: &RepairRequest,
    ) -> Result<Vec<(crate::sql::Sql, String)>> {
        let table = &self.database.table;
        let mut changes = Vec::new();
        let refuse = |message: String| {
            Err(Error::State {
                action: String::from("repair"),
                source: Box::new(DbError::new(message)),
            })
        };
        for id in &request.accept_checksums {
            let revision = self.graph.revision(self.graph.find(id)?);
            match state.row(&revision.id) {
                Some(row)
                    if row.state == RowState::Applied
                        && row.checksum != Some(revision.checksum) =>
                {
                    changes.push((
                        table.update_checksums(revision, Binding::Parameters),
                        format!(
                            "accepted the current checksum {} of revision {}",
                            revision.checksum.short(12),
                            revision.id
                        ),
                    ));
                }
                Some(row) if row.state == RowState::Applied => {
                    return refuse(format!(
                        "revision {} has not drifted: its checksum matches",
                        revision.id
                    ));
                }
                _ => return refuse(format!("revision {} is not applied", revision.id)),
            }
        }
        for (ids, mark_applied) in [
            (&request.clear_failed, false),
            (&request.mark_applied, true),
        ] {
            for id in ids {
                let revision = self.graph.revision(self.graph.find(id)?);
                match state.row(&revision.id) {
                    Some(row) if row.state != RowState::Applied => {
                        if mark_applied {
                            changes.push((
                                table.update_applied(
                                    &revision.id,
                                    row.execution_ms,
                                    row.statements_run,
                                    Binding::Parameters,
                                ),
                                format!("marked revision {} applied", revision.id),
                            ));
                            changes.push((
                                table.update_checksums(revision, Binding::Parameters),
                                String::new(),
                            ));
                        } else {
                            changes.push((
                                table.delete(&revision.id, Binding::Parameters),
                                format!(
                                    "cleared the failed row of revision {}: it is pending again",
                                    revision.id
                                ),
                            ));
                        }
                    }
                    _ => {
                        return refuse(format!(
                            "revision {} has no failed or interrupted row",
                            revision.id
                        ));
                    }
                }
            }
        }
        for id in &request.forget {
            match state
                .rows_with_indices()
                .find(|(row, _)| &row.revision == id)
            {
                Some((_, None)) => changes.push((
                    table.delete(id, Binding::Parameters),
                    format!("forgot revision {id}, whose file is gone"),
                )),
                Some((_, Some(_))) => {
                    return refuse(format!(
                        "revision {id} still has its file; use `sqlmig downgrade` to revert it"
                    ));
                }
                None => return refuse(format!("revision {id} has no row in the state table")),
            }
        }
        Ok(changes)
    }

    /// Runs `body` holding the migration lock, released on every path.
    fn locked<T>(&mut self, body: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let timeout = self.database.lock_timeout;
        let scope = self.database.table.qualified_name();
        let observer = &mut *self.observer;
        self.database.backend.lock(&scope, timeout, &mut |what| {
            observer.event(&Event::WaitingForLock { what })
        })?;
        let result = body(self);
        let released = self.database.backend.unlock();
        match (result, released) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(error)) => Err(Error::LockLost(Box::new(error))),
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

    fn create_state_table(&mut self) -> Result<()> {
        if self.state_table_exists()? {
            return Ok(());
        }
        for statement in self.database.table.create_statements() {
            self.database
                .backend
                .execute(&statement)
                .map_err(state_error("create"))?;
        }
        Ok(())
    }
}

/// Runs `body` in a transaction of its own, rolled back if it fails.
fn transaction(
    backend: &mut dyn crate::backend::Backend,
    dialect: Dialect,
    body: impl FnOnce(&mut dyn crate::backend::Backend) -> std::result::Result<(), DbError>,
) -> std::result::Result<(), DbError> {
    backend.execute(dialect.begin_transaction())?;
    match body(backend) {
        Ok(()) => backend.execute("COMMIT"),
        Err(error) => {
            let _ = backend.execute("ROLLBACK");
            Err(error)
        }
    }
}

/// The statements a direction runs: the up section, or the down section.
fn section(revision: &Revision, direction: Direction) -> &[Statement] {
    match direction {
        Direction::Upgrade => &revision.up.statements,
        // Plans are checked for missing down sections before anything runs.
        Direction::Downgrade => revision.down.as_ref().map_or(&[], |down| &down.statements),
    }
}

/// Whether a revision runs in a transaction: asked for, and possible on the
/// dialect (MySQL commits DDL implicitly).
fn runs_in_transaction(dialect: Dialect, revision: &Revision, statements: &[Statement]) -> bool {
    revision.transactional && statements.iter().all(|s| dialect.is_transactional(&s.sql))
}

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

fn state_error(action: &str) -> impl Fn(DbError) -> Error + '_ {
    move |source| Error::State {
        action: action.to_owned(),
        source: Box::new(source),
    }
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ")
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn count(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl crate::migrations::Migrations {
    /// Upgrades `database` to the single head; what an application calls at
    /// start-up.
    pub fn upgrade(&self, database: &mut Database) -> Result<RunReport> {
        Migrator::new(self.graph(), database, &mut crate::event::Silent)
            .upgrade(&Target::Head, RunOptions::default())
    }

    /// Every revision's state in `database` (read-only: no lock, nothing created).
    pub fn status(&self, database: &mut Database) -> Result<crate::status::Status> {
        let dialect = database.dialect();
        let state =
            Migrator::new(self.graph(), database, &mut crate::event::Silent).read_state()?;
        Ok(crate::status::Status::new(self.graph(), dialect, &state))
    }

    /// Whether `database` has every revision applied, with no drift, no
    /// failed revision and no unknown one.
    pub fn is_up_to_date(&self, database: &mut Database) -> Result<bool> {
        Ok(self.status(database)?.is_up_to_date())
    }
}
