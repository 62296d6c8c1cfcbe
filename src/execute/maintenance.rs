//! Keeping the state table right without running revisions: `stamp`,
//! `repair` and `repair --resume`, each under the migration lock.

use std::time::Instant;

use super::{Migrator, state_error};
use crate::backend::{Backend, DbError};
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::graph::{Graph, Target};
use crate::plan::{Direction, Plan, StampPlan};
use crate::program::program;
use crate::sql::{Binding, Sql};
use crate::state::{DatabaseState, StateProblem};
use crate::state_table::{NewRow, Progress, RowDirection, RowState, StateTable};

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

impl Migrator<'_> {
    /// Sets the state to `target` without running any SQL.
    pub fn stamp(&mut self, target: &Target) -> Result<StampReport> {
        self.locked(|this| {
            let state = this.create_state_table()?;
            refuse_stamp_blockers(&state, this.graph)?;
            let plan = Plan::stamp(this.graph, &state.applied, target)?;
            this.write_stamp(&plan)?;
            Ok(StampReport {
                inserted: plan.insert,
                deleted: plan.delete,
            })
        })
    }

    /// Records as applied, without running any SQL, the target that `read`
    /// finds on the database and everything below it; removes nothing.
    /// `read` runs under the lock, inside the transaction that writes the
    /// rows, so what it reads and what is recorded agree (`import --adopt`
    /// reads another tool's history table this way).
    pub fn stamp_with<E: From<Error>>(
        &mut self,
        read: impl FnOnce(&mut dyn Backend) -> std::result::Result<Target, E>,
    ) -> std::result::Result<StampReport, E> {
        self.locked(|this| {
            let state = this.create_state_table()?;
            refuse_stamp_blockers(&state, this.graph)?;
            let dialect = this.database.dialect();
            let backend = this.database.backend.as_mut();
            backend
                .execute(dialect.begin_transaction())
                .map_err(state_error("stamp"))?;
            let written = (|| {
                let target = read(&mut *backend)?;
                let plan = Plan::stamp(this.graph, &state.applied, &target).map_err(Error::from)?;
                let inserts = InsertRows {
                    graph: this.graph,
                    table: &this.database.table,
                    applied_by: format!("{} stamp", this.applied_by),
                };
                inserts
                    .write(backend, &plan.insert)
                    .map_err(state_error("stamp"))?;
                backend
                    .execute(dialect.commit_transaction())
                    .map_err(state_error("stamp"))?;
                Ok(plan.insert)
            })();
            match written {
                Ok(inserted) => Ok(StampReport {
                    inserted,
                    deleted: Vec::new(),
                }),
                Err(error) => {
                    let _ = backend.execute(dialect.rollback_transaction());
                    Err(error)
                }
            }
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

    /// Finishes a revision that failed part-way outside a transaction: checks
    /// that the statements that already ran are unchanged in the file, then
    /// runs the rest, starting with the one that failed.
    pub fn resume(&mut self, id: &str) -> Result<String> {
        self.locked(|this| {
            let state = this.read_state()?;
            let revision = this.graph.revision(this.graph.find(id)?);
            let refuse = |message: String| Error::State {
                action: String::from("resume a revision in"),
                source: Box::new(DbError::new(message)),
            };
            let row = state
                .row(&revision.id)
                .filter(|row| row.state != RowState::Applied && row.direction == RowDirection::Up)
                .ok_or_else(|| {
                    refuse(format!(
                        "revision {} did not fail while applying: nothing to resume",
                        revision.id
                    ))
                })?;
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
            let dialect = this.database.dialect();
            let rest = program(revision, Direction::Upgrade, dialect, false).resume_after(ran);
            this.run_program(&rest, replayed)?;
            // The failing statement may have been fixed: what is applied now
            // is the file as it is.
            this.database
                .backend
                .execute_with(&this.database.table.update_checksums(revision, Binding::Parameters))
                .map_err(state_error("record the resumed revision in"))?;
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
        let inserts = InsertRows {
            graph: self.graph,
            table,
            applied_by: format!("{} stamp", self.applied_by),
        };
        let graph = self.graph;
        transaction(self.database.backend.as_mut(), dialect, |backend| {
            for &index in &plan.delete {
                backend
                    .execute_with(&table.delete(&graph.revision(index).id, Binding::Parameters))?;
            }
            inserts.write(backend, &plan.insert)
        })
        .map_err(state_error("stamp"))
    }

    /// The statements `repair` runs, each with a line saying what it does
    /// (empty for a statement that completes the one before).
    fn plan_repair(
        &self,
        state: &DatabaseState,
        request: &RepairRequest,
    ) -> Result<Vec<(Sql, String)>> {
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
                let Some(row) = state
                    .row(&revision.id)
                    .filter(|row| row.state != RowState::Applied)
                else {
                    return refuse(format!(
                        "revision {} has no failed or interrupted row",
                        revision.id
                    ));
                };
                if mark_applied {
                    changes.push((
                        table.update_applied(
                            &revision.id,
                            row.execution_ms,
                            row.statements_run,
                            row.progress_checksum,
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
}

/// Refuses a stamp while a human must act first; drift and gaps do not
/// block, since stamping is how a hole in the table is filled again.
fn refuse_stamp_blockers(state: &DatabaseState, graph: &Graph) -> Result<()> {
    let blocking: Vec<StateProblem> = state
        .problems(graph)
        .into_iter()
        .filter(|problem| {
            !matches!(
                problem,
                StateProblem::Drift { .. } | StateProblem::Gap { .. }
            )
        })
        .collect();
    if blocking.is_empty() {
        Ok(())
    } else {
        Err(Error::Refused { problems: blocking })
    }
}

/// The `applied` rows a stamp writes, without running any SQL.
struct InsertRows<'a> {
    graph: &'a Graph,
    table: &'a StateTable,
    applied_by: String,
}

impl InsertRows<'_> {
    fn write(
        &self,
        backend: &mut dyn Backend,
        indices: &[usize],
    ) -> std::result::Result<(), DbError> {
        for &index in indices {
            let row = NewRow {
                revision: self.graph.revision(index),
                state: RowState::Applied,
                direction: RowDirection::Up,
                applied_by: &self.applied_by,
                execution_ms: 0,
                statements_run: 0,
            };
            backend.execute_with(&self.table.insert(&row, Binding::Parameters))?;
        }
        Ok(())
    }
}

/// Runs `body` in a transaction of its own, rolled back if it fails.
fn transaction(
    backend: &mut dyn Backend,
    dialect: Dialect,
    body: impl FnOnce(&mut dyn Backend) -> std::result::Result<(), DbError>,
) -> std::result::Result<(), DbError> {
    backend.execute(dialect.begin_transaction())?;
    match body(backend) {
        Ok(()) => backend.execute(dialect.commit_transaction()),
        Err(error) => {
            let _ = backend.execute(dialect.rollback_transaction());
            Err(error)
        }
    }
}
