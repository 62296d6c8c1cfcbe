//! [`Status`]: every revision with its state in the database, as `status`,
//! `current` and `check` report it.

use crate::dialect::Dialect;
use crate::graph::Graph;
use crate::state::{DatabaseState, StateProblem, row_matches};
use crate::state_table::{RowState, StateRow};

/// A revision's state in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionState {
    /// Applied completely.
    Applied,
    /// Not applied.
    Pending,
    /// Failed or interrupted outside a transaction.
    Failed,
}

impl RevisionState {
    /// `applied`, `pending` or `failed`, as `status --json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionState::Applied => "applied",
            RevisionState::Pending => "pending",
            RevisionState::Failed => "failed",
        }
    }
}

/// One revision of [`Status`].
#[derive(Debug, Clone)]
pub struct RevisionStatus {
    /// Index into the graph's revisions.
    pub index: usize,
    /// Applied, pending or failed.
    pub state: RevisionState,
    /// Whether the recorded revision checksum matches the file (`None` when pending).
    pub checksum_ok: Option<bool>,
    /// Whether the down section changed since it was applied (a warning only).
    pub down_changed: bool,
    /// The state-table row, when there is one.
    pub row: Option<StateRow>,
}

/// Every revision's state in one database.
#[derive(Debug, Clone)]
pub struct Status {
    /// The database's dialect.
    pub dialect: Dialect,
    /// Applied heads: the ids of applied revisions with no applied descendant
    /// (and applied rows whose file is gone).
    pub current: Vec<String>,
    /// Every revision of the graph, in application order.
    pub revisions: Vec<RevisionStatus>,
    /// Rows for revisions that have no file.
    pub unknown: Vec<StateRow>,
    /// What must be resolved before the database can be migrated.
    pub problems: Vec<StateProblem>,
}

impl Status {
    /// The status of `state` against `graph`.
    pub fn new(graph: &Graph, dialect: Dialect, state: &DatabaseState) -> Status {
        let changed_down = state.changed_down_sections(graph);
        let revisions = graph
            .order()
            .iter()
            .map(|&index| {
                let revision = graph.revision(index);
                let row = state.row(&revision.id).cloned();
                let (state, checksum_ok) = match &row {
                    None => (RevisionState::Pending, None),
                    Some(row) => (
                        if row.state == RowState::Applied {
                            RevisionState::Applied
                        } else {
                            RevisionState::Failed
                        },
                        Some(row_matches(row, revision)),
                    ),
                };
                RevisionStatus {
                    index,
                    state,
                    checksum_ok,
                    down_changed: changed_down.contains(&index),
                    row,
                }
            })
            .collect();
        let unknown: Vec<StateRow> = state
            .rows_with_indices()
            .filter(|(_, index)| index.is_none())
            .map(|(row, _)| row.clone())
            .collect();
        let mut current = graph.ids(&graph.heads_of(&state.applied));
        current.extend(
            unknown
                .iter()
                .filter(|row| row.state == RowState::Applied)
                .map(|row| row.revision.clone()),
        );
        Status {
            dialect,
            current,
            revisions,
            unknown,
            problems: state.problems(graph),
        }
    }

    /// Revisions not applied yet.
    pub fn pending(&self) -> usize {
        self.count(RevisionState::Pending)
    }

    /// Revisions failed or interrupted.
    pub fn failed(&self) -> usize {
        self.count(RevisionState::Failed)
    }

    fn count(&self, state: RevisionState) -> usize {
        self.revisions.iter().filter(|r| r.state == state).count()
    }

    /// At head with nothing pending, failed, drifted or unknown: what `check` requires.
    pub fn is_up_to_date(&self) -> bool {
        self.problems.is_empty() && self.pending() == 0 && self.failed() == 0
    }
}
