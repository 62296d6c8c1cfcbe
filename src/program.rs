//! What applying or reverting one revision means, step by step. The online
//! engine ([`crate::execute`]) executes these steps; the offline renderer
//! ([`crate::emit`]) writes them as SQL. One definition, so an offline script
//! does exactly what `sqlmig upgrade` does.

use crate::dialect::{Dialect, ServerVersion};
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::migrations::map_in_parallel;
use crate::no_transaction;
use crate::plan::Direction;
use crate::plan::Plan;
use crate::revision::{Revision, Statement};
use crate::span::Span;
use crate::sql::{Binding, Sql};
use crate::state_table::{NewRow, Progress, RowDirection, RowState, StateTable};

/// The steps of one revision in one direction.
#[derive(Debug)]
pub(crate) struct Program<'a> {
    /// The revision.
    pub(crate) revision: &'a Revision,
    /// Applying or reverting.
    pub(crate) direction: Direction,
    /// Whether its statements and its state row commit together.
    pub(crate) transactional: bool,
    /// The steps, in order.
    pub(crate) steps: Vec<Step<'a>>,
}

/// One step of a [`Program`].
#[derive(Debug)]
pub(crate) enum Step<'a> {
    /// Open the revision's transaction.
    Begin,
    /// PostgreSQL: lock the state table inside the transaction, so that two
    /// runners that both got past the run's lock still cannot apply one
    /// revision twice (docs/RELIABILITY.md C-4).
    LockStateTable,
    /// Check that the revision is still to do (online: its row; offline, also
    /// that what it needs is applied), and stop otherwise.
    Guard,
    /// Run a statement of the section. Outside a transaction, its progress
    /// is recorded after it.
    Statement {
        /// 0-based position in the section.
        position: usize,
        /// The statement.
        statement: &'a Statement,
        /// What records that it ran.
        recorded: Recorded,
    },
    /// Write the revision's state row.
    Record(Record),
    /// Commit the transaction.
    Commit,
}

/// What records that a statement ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recorded {
    /// The state row, committed with the revision's transaction.
    WithTransaction,
    /// Outside a transaction: this progress, written right after it.
    Progress(Progress),
    /// Outside a transaction, the section's last statement: the closing
    /// record right after it, which writes the final progress with the
    /// revision's new state in one write instead of two.
    ByClosingRecord,
}

/// A write to the state table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Record {
    /// Insert the row of an applied revision.
    Applied {
        /// Statements in the section.
        statements_run: u32,
    },
    /// Insert a `running` row before statements that run outside a transaction.
    Running,
    /// Mark an applied revision's row as being reverted outside a transaction.
    Reverting,
    /// Mark a running revision applied, with the progress of its last statement.
    Finished {
        /// Statements that ran.
        statements_run: u32,
        /// The progress after every statement of the section.
        progress: Progress,
    },
    /// Delete the row: the revision is reverted.
    Removed,
}

/// The statements a direction runs: the up section, or the down section.
pub(crate) fn section(revision: &Revision, direction: Direction) -> &[Statement] {
    match direction {
        Direction::Upgrade => &revision.up.statements,
        // Plans are checked for missing down sections before anything runs.
        Direction::Downgrade => revision.down.as_ref().map_or(&[], |down| &down.statements),
    }
}

/// Whether a revision runs in a transaction: asked for, and possible on the
/// dialect (MySQL commits DDL implicitly).
pub(crate) fn runs_in_transaction(
    dialect: Dialect,
    revision: &Revision,
    direction: Direction,
) -> bool {
    revision.transactional
        && section(revision, direction)
            .iter()
            .all(|statement| dialect.is_transactional(&statement.sql))
}

/// The steps that apply (`Upgrade`) or revert (`Downgrade`) `revision`.
/// `in_run_transaction`: the whole run is one transaction, so the revision
/// opens and commits none of its own.
pub(crate) fn program<'a>(
    revision: &'a Revision,
    direction: Direction,
    dialect: Dialect,
    in_run_transaction: bool,
) -> Program<'a> {
    let statements = section(revision, direction);
    let transactional = runs_in_transaction(dialect, revision, direction);
    let total = count(statements.len());
    let mut steps = Vec::with_capacity(statements.len() + 6);
    if transactional {
        if !in_run_transaction {
            steps.push(Step::Begin);
        }
        if dialect.profile().locks_state_table_in_transaction() {
            steps.push(Step::LockStateTable);
        }
        steps.push(Step::Guard);
        steps.extend(
            statements
                .iter()
                .enumerate()
                .map(|(position, statement)| Step::Statement {
                    position,
                    statement,
                    recorded: Recorded::WithTransaction,
                }),
        );
        steps.push(Step::Record(match direction {
            Direction::Upgrade => Record::Applied {
                statements_run: total,
            },
            Direction::Downgrade => Record::Removed,
        }));
        if !in_run_transaction {
            steps.push(Step::Commit);
        }
    } else {
        steps.push(Step::Guard);
        steps.push(Step::Record(match direction {
            Direction::Upgrade => Record::Running,
            Direction::Downgrade => Record::Reverting,
        }));
        let mut progress = Progress::START;
        for (position, statement) in statements.iter().enumerate() {
            progress = progress.advance(&statement.sql);
            steps.push(Step::Statement {
                position,
                statement,
                recorded: if position + 1 == statements.len() {
                    Recorded::ByClosingRecord
                } else {
                    Recorded::Progress(progress)
                },
            });
        }
        steps.push(Step::Record(match direction {
            Direction::Upgrade => Record::Finished {
                statements_run: total,
                progress,
            },
            Direction::Downgrade => Record::Removed,
        }));
    }
    Program {
        revision,
        direction,
        transactional,
        steps,
    }
}

impl Program<'_> {
    /// The steps that finish a revision that failed part-way outside a
    /// transaction after `statements_run` statements: the rest of its
    /// statements and the closing record, without the guard and the
    /// `running` row it already has.
    pub(crate) fn resume_after(mut self, statements_run: usize) -> Self {
        self.steps.retain(|step| match step {
            Step::Statement { position, .. } => *position >= statements_run,
            Step::Record(record) => !matches!(record, Record::Running | Record::Reverting),
            Step::Guard | Step::Begin | Step::LockStateTable | Step::Commit => false,
        });
        self
    }
}

impl Record {
    /// The statement that writes this record for `revision`.
    pub(crate) fn sql(
        self,
        table: &StateTable,
        revision: &Revision,
        applied_by: &str,
        execution_ms: i64,
        binding: Binding,
    ) -> Sql {
        let row = |state, direction, statements_run| NewRow {
            revision,
            state,
            direction,
            applied_by,
            execution_ms,
            statements_run,
        };
        match self {
            Record::Applied { statements_run } => table.insert(
                &row(RowState::Applied, RowDirection::Up, statements_run),
                binding,
            ),
            Record::Running => table.insert(&row(RowState::Running, RowDirection::Up, 0), binding),
            Record::Reverting => table.update_reverting(&revision.id, binding),
            Record::Finished {
                statements_run,
                progress,
            } => table.update_applied(
                &revision.id,
                execution_ms,
                statements_run,
                progress.checksum,
                binding,
            ),
            Record::Removed => table.delete(&revision.id, binding),
        }
    }
}

/// Refuses, before anything runs, a plan that would stop part-way: a
/// downgrade through a revision without `-- down` or with an empty one
/// (`Revision::empty_down`), statements that the
/// server refuses inside a transaction block in revisions that ask for one
/// (every one of them named), and `single_transaction` with a revision that
/// cannot run in one. `server_version` is asked only when a statement's
/// refusal depends on it.
pub(crate) fn check_plan(
    graph: &Graph,
    plan: &Plan,
    dialect: Dialect,
    single_transaction: bool,
    server_version: &mut dyn FnMut() -> Result<ServerVersion>,
) -> Result<()> {
    let irreversible = plan.irreversible_steps(graph);
    if !irreversible.is_empty() {
        return Err(Error::Irreversible {
            revisions: irreversible
                .iter()
                .map(|&index| {
                    let revision = graph.revision(index);
                    (revision.id.clone(), Span::file(&revision.path))
                })
                .collect(),
        });
    }
    let empty_down: Vec<_> = plan
        .reversed_steps()
        .iter()
        .filter_map(|&index| graph.revision(index).empty_down())
        .collect();
    if !empty_down.is_empty() {
        return Err(Error::EmptyDown {
            revisions: empty_down,
        });
    }
    // Rules only ever relax with newer versions: what no version accepts is
    // found without asking the server.
    let refused = |index, version| {
        no_transaction::find(graph.revision(index), plan.direction, dialect, version)
    };
    // Every statement of a long plan is looked at: spread over the cores.
    let any_refused = map_in_parallel(&plan.steps, |&index| {
        !refused(index, ServerVersion::new(0, 0)).is_empty()
    })
    .contains(&true);
    if any_refused {
        let version = server_version()?;
        let statements: Vec<_> = plan
            .steps
            .iter()
            .flat_map(|&index| refused(index, version))
            .collect();
        if !statements.is_empty() {
            return Err(Error::NeedsNoTransaction {
                server: format!("{} {version}", dialect.title()),
                statements,
            });
        }
    }
    for &index in &plan.steps {
        let revision = graph.revision(index);
        if single_transaction && !runs_in_transaction(dialect, revision, plan.direction) {
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

/// A count as the state table stores it.
pub(crate) fn count(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
