//! What the engine reports while it runs. The library never prints: the CLI
//! draws these (progress bars, log lines) and applications may log them.

use std::time::Duration;

use crate::plan::Direction;
use crate::revision::Revision;

/// Something that happened during a run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The lock is held by someone else; sqlmig waits for it.
    WaitingForLock {
        /// What is awaited, with the holder when known.
        what: &'a str,
    },
    /// The plan is known: `total` revisions will be applied or reverted.
    Planned {
        /// Upgrade or downgrade.
        direction: Direction,
        /// How many revisions.
        total: usize,
    },
    /// A revision starts.
    RevisionStarted {
        /// The revision.
        revision: &'a Revision,
        /// Applying or reverting.
        direction: Direction,
        /// 1-based position in the plan.
        number: usize,
        /// Revisions in the plan.
        total: usize,
    },
    /// A revision finished and its state row is committed.
    RevisionFinished {
        /// The revision.
        revision: &'a Revision,
        /// Applying or reverting.
        direction: Direction,
        /// How long it took.
        elapsed: Duration,
    },
    /// A planned revision was already done by another runner and was skipped.
    RevisionSkipped {
        /// The revision.
        revision: &'a Revision,
    },
    /// Something the user should know that does not stop the run.
    Warning {
        /// The message.
        message: &'a str,
    },
}

/// Receives [`Event`]s.
pub trait Observer {
    /// Called for each event, in order.
    fn event(&mut self, event: &Event<'_>);
}

/// An [`Observer`] that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Observer for Silent {
    fn event(&mut self, _event: &Event<'_>) {}
}
