//! [`GraphError`]: what makes a set of revisions not a valid graph. Each
//! error names every file involved, so one run of `sqlmig verify` shows the
//! whole picture.

use std::fmt;

use crate::span::Span;

/// A problem that stops a set of revisions from forming a valid graph.
///
/// [`Graph::build`](super::Graph::build) reports all of them at once. Each
/// message reads as one line after `error: `.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Two or more files declare the same revision id.
    #[error("revision id `{id}` is declared by {} files: {}", spans.len(), SpanList(spans))]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// The `-- revision:` line of every file declaring it, in file order.
        spans: Vec<Span>,
    },
    /// A `-- revises:` entry names no known revision.
    #[error("{span}: revision `{revision}` revises `{parent}`, which does not exist")]
    MissingParent {
        /// The revision whose header names the parent.
        revision: String,
        /// The parent id that does not exist.
        parent: String,
        /// The `-- revises:` line.
        span: Span,
    },
    /// A `-- depends-on:` entry names no known revision.
    #[error("{span}: revision `{revision}` depends on `{dependency}`, which does not exist")]
    MissingDependency {
        /// The revision whose header names the dependency.
        revision: String,
        /// The dependency id that does not exist.
        dependency: String,
        /// The `-- depends-on:` line.
        span: Span,
    },
    /// Revisions that revise or depend on each other in a circle.
    #[error(
        "cycle in the revision graph (each revision revises or depends on the next): {}",
        CycleList(members)
    )]
    Cycle {
        /// The members in cycle order, starting at the smallest id: each one
        /// revises or depends on the next, and the last on the first. The span
        /// is the header line that makes the member point to the next one.
        members: Vec<(String, Span)>,
    },
    /// A branch label carried by more than one revision.
    #[error("branch label `{label}` is carried by {} revisions, but may name only one: {}", spans.len(), SpanList(spans))]
    DuplicateBranchLabel {
        /// The label.
        label: String,
        /// Every file carrying it, in file order. The revision header does not
        /// record the line of `-- branch:`, so these name whole files.
        spans: Vec<Span>,
    },
}

/// `a.sql:1, b.sql:1`.
struct SpanList<'a>(&'a [Span]);

impl fmt::Display for SpanList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, span) in self.0.iter().enumerate() {
            if position > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{span}")?;
        }
        Ok(())
    }
}

/// `a (a.sql:2) -> b (b.sql:2) -> a`.
struct CycleList<'a>(&'a [(String, Span)]);

impl fmt::Display for CycleList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (id, span) in self.0 {
            write!(f, "{id} ({span}) -> ")?;
        }
        match self.0.first() {
            Some((id, _)) => f.write_str(id),
            None => Ok(()),
        }
    }
}
