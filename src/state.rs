//! The database's state read against the graph: what is applied, what is
//! unfinished, what drifted, and what the database knows that the files don't.

use std::fmt;

use crate::graph::{Graph, RevisionSet};
use crate::revision::{Checksum, Revision};
use crate::state_table::{RowDirection, RowState, StateRow};

/// The rows of the state table, classified against the graph.
#[derive(Debug, Clone)]
pub struct DatabaseState {
    /// Every row, as read.
    pub rows: Vec<StateRow>,
    /// Revisions recorded as applied (and present in the files).
    pub applied: RevisionSet,
    /// Graph index of each row, `None` when its file is gone.
    row_indices: Vec<Option<usize>>,
}

/// A reason not to migrate until a human acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateProblem {
    /// An applied revision's revision checksum changed.
    Drift {
        /// The revision id.
        revision: String,
        /// Its file.
        path: String,
        /// The checksum the database recorded (`None`: unreadable).
        recorded: Option<Checksum>,
        /// The checksum the file gives now.
        current: Checksum,
    },
    /// An applied revision whose file is gone.
    MissingFile {
        /// The revision id.
        revision: String,
        /// Where the file was when it was applied.
        recorded_path: String,
    },
    /// An applied revision whose parent or dependency is not applied: a
    /// state row was deleted or the table edited by hand. Planning from it
    /// would run the missing revision again out of order
    /// (docs/RELIABILITY.md C5).
    Gap {
        /// The revision recorded as applied.
        revision: String,
        /// What it revises or depends on, not recorded as applied.
        missing: String,
        /// The missing revision's file.
        path: String,
        /// The applied heads, which `sqlmig stamp` would record again.
        heads: Vec<String>,
    },
    /// A revision that ran outside a transaction and did not finish.
    Unfinished {
        /// The row.
        row: Box<StateRow>,
        /// The file, when it still exists.
        path: Option<String>,
    },
}

impl fmt::Display for StateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateProblem::Drift {
                revision,
                path,
                recorded,
                current,
            } => write!(
                f,
                "{path}: revision {revision} was applied with checksum {} but the file now gives {}: its up section, parents, dependencies or transaction flag changed after it was applied; restore the file, or accept the edit with `sqlmig repair --accept-checksum {revision}`",
                recorded.map_or_else(|| String::from("(unreadable)"), |c| c.short(12)),
                current.short(12)
            ),
            StateProblem::MissingFile {
                revision,
                recorded_path,
            } => write!(
                f,
                "revision {revision} is applied but its file ({recorded_path}) is gone; restore the file, or remove its row with `sqlmig repair --forget {revision}`"
            ),
            StateProblem::Gap {
                revision,
                missing,
                path,
                heads,
            } => {
                write!(
                    f,
                    "{path}: revision {missing} is not recorded as applied, but {revision}, which needs it, is: a row of the state table was deleted or edited; "
                )?;
                match heads.as_slice() {
                    [head] => write!(
                        f,
                        "if the changes of {missing} are in the database, record it again with `sqlmig stamp {head}`; otherwise restore the state table"
                    ),
                    _ => write!(
                        f,
                        "if the changes of {missing} are in the database, record it again with `sqlmig stamp` (applied heads: {}); otherwise restore the state table",
                        heads.join(", ")
                    ),
                }
            }
            StateProblem::Unfinished { row, path } => {
                let place = path.as_deref().unwrap_or(&row.path);
                let verb = match row.direction {
                    RowDirection::Up => "applying",
                    RowDirection::Down => "reverting",
                };
                match (row.state, row.failed_statement) {
                    (RowState::Failed, Some(statement)) => write!(
                        f,
                        "{place}:{}: revision {} failed while {verb} at statement {statement} ({} of its statements had run): {}; fix what it left behind, then run `sqlmig repair --clear-failed {}` to retry it or `sqlmig repair --mark-applied {}` if you finished it by hand",
                        row.failed_line.unwrap_or(0),
                        row.revision,
                        row.statements_run,
                        row.error.as_deref().unwrap_or("unknown error"),
                        row.revision,
                        row.revision
                    ),
                    _ => write!(
                        f,
                        "{place}: revision {} was interrupted while {verb} outside a transaction after {} statement(s); check what it left behind, then run `sqlmig repair --clear-failed {}` to retry it or `sqlmig repair --mark-applied {}` if you finished it by hand",
                        row.revision, row.statements_run, row.revision, row.revision
                    ),
                }
            }
        }
    }
}

impl DatabaseState {
    /// Classifies `rows` against `graph`.
    pub fn new(graph: &Graph, rows: Vec<StateRow>) -> Self {
        let mut applied = RevisionSet::empty(graph.len());
        let row_indices: Vec<Option<usize>> = rows
            .iter()
            .map(|row| graph.index_of(&row.revision))
            .collect();
        for (row, index) in rows.iter().zip(&row_indices) {
            if let (RowState::Applied, Some(index)) = (row.state, index) {
                applied.insert(*index);
            }
        }
        DatabaseState {
            rows,
            applied,
            row_indices,
        }
    }

    /// A database with nothing recorded (no state table yet).
    pub fn empty(graph: &Graph) -> Self {
        DatabaseState::new(graph, Vec::new())
    }

    /// The rows with their graph index (`None`: the file is gone).
    pub fn rows_with_indices(&self) -> impl Iterator<Item = (&StateRow, Option<usize>)> {
        self.rows.iter().zip(self.row_indices.iter().copied())
    }

    /// The row of a revision.
    pub fn row(&self, revision: &str) -> Option<&StateRow> {
        self.rows.iter().find(|row| row.revision == revision)
    }

    /// Everything that must be resolved before a run may change the database,
    /// in row order.
    pub fn problems(&self, graph: &Graph) -> Vec<StateProblem> {
        let mut problems = Vec::new();
        for (row, index) in self.rows_with_indices() {
            let revision = index.map(|index| graph.revision(index));
            if row.state != RowState::Applied {
                problems.push(StateProblem::Unfinished {
                    row: Box::new(row.clone()),
                    path: revision.map(|revision| revision.path.display().to_string()),
                });
                continue;
            }
            match revision {
                None => problems.push(StateProblem::MissingFile {
                    revision: row.revision.clone(),
                    recorded_path: row.path.clone(),
                }),
                Some(revision) if !row_matches(row, revision) => {
                    problems.push(StateProblem::Drift {
                        revision: revision.id.clone(),
                        path: revision.path.display().to_string(),
                        recorded: row.checksum,
                        current: revision.checksum,
                    })
                }
                Some(_) => {}
            }
        }
        // See: docs/RELIABILITY.md C5 (a deleted state row). Applied sets are
        // closed under parents and dependencies; a hole means the table
        // was edited, and upgrading would re-run the missing revision.
        let mut reported = RevisionSet::empty(graph.len());
        // What `stamp` would make whole again: the heads of the applied
        // revisions with everything they need (worked out only for a hole).
        let heads = || {
            let applied: Vec<usize> = self.applied.iter().collect();
            graph.ids(&graph.heads_of(&graph.ancestors_or_self(&applied)))
        };
        for &index in graph.order() {
            if !self.applied.contains(index) {
                continue;
            }
            let needed = graph.parents(index).iter().chain(graph.dependencies(index));
            for &missing in needed {
                let recorded = self.row(&graph.revision(missing).id).is_some();
                if self.applied.contains(missing) || recorded || !reported.insert(missing) {
                    continue;
                }
                problems.push(StateProblem::Gap {
                    revision: graph.revision(index).id.clone(),
                    missing: graph.revision(missing).id.clone(),
                    path: graph.revision(missing).path.display().to_string(),
                    heads: heads(),
                });
            }
        }
        problems
    }

    /// Applied revisions whose down section changed since they were applied
    /// (a warning only: fixing a broken down section must stay possible).
    pub fn changed_down_sections(&self, graph: &Graph) -> Vec<usize> {
        self.rows_with_indices()
            .filter_map(|(row, index)| {
                let index = index?;
                let changed = row.state == RowState::Applied
                    && row.down_checksum != graph.revision(index).down_checksum();
                changed.then_some(index)
            })
            .collect()
    }
}

/// Whether the recorded revision checksum still matches the file.
pub fn row_matches(row: &StateRow, revision: &Revision) -> bool {
    row.checksum == Some(revision.checksum)
}
