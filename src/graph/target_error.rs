//! [`TargetError`]: why a target names no revision, or not the ones a command
//! can use. Messages list the candidates (heads, prefixes, labels) so the user
//! can pick one without running another command.

use std::fmt;

/// A target that cannot be resolved against the graph and the database state.
///
/// Each message reads as one line after `error: `.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// `head` with several heads.
    #[error(
        "`head` is ambiguous: there are {} heads ({}); name one, use `heads` or `LABEL@head`, or join them with `sqlmig merge`",
        heads.len(),
        heads.join(", ")
    )]
    MultipleHeads {
        /// Every head id, sorted.
        heads: Vec<String>,
    },
    /// An id that is no revision's and no revision's prefix.
    #[error("unknown revision `{target}`{}", Suggestion(suggestion.as_deref()))]
    UnknownRevision {
        /// The target as given.
        target: String,
        /// A known id close to it, when there is one.
        suggestion: Option<String>,
    },
    /// A prefix shared by several revision ids.
    #[error("revision prefix `{prefix}` is ambiguous: it matches {}", candidates.join(", "))]
    AmbiguousPrefix {
        /// The prefix as given.
        prefix: String,
        /// Every matching id, sorted.
        candidates: Vec<String>,
    },
    /// A prefix too short to be used, even though it matches.
    #[error("revision prefix `{prefix}` is too short: give at least {minimum} characters")]
    PrefixTooShort {
        /// The prefix as given.
        prefix: String,
        /// The shortest prefix length accepted.
        minimum: usize,
    },
    /// `LABEL@head` with a label no revision carries.
    #[error("unknown branch label `{label}` ({})", KnownLabels(known))]
    UnknownBranch {
        /// The label as given.
        label: String,
        /// Every label the graph knows, sorted.
        known: Vec<String>,
    },
    /// `LABEL@head` where the labelled revision leads to several heads.
    #[error(
        "branch `{label}` has {} heads ({}); name one, or join them with `sqlmig merge`",
        heads.len(),
        heads.join(", ")
    )]
    BranchHasSeveralHeads {
        /// The label.
        label: String,
        /// The heads descending from the labelled revision, sorted.
        heads: Vec<String>,
    },
    /// `+N` with fewer than N pending revisions.
    #[error("cannot upgrade {requested} revisions: only {available} pending")]
    NotEnoughPending {
        /// N.
        requested: usize,
        /// How many revisions are pending.
        available: usize,
    },
    /// `-N` with fewer than N applied revisions.
    #[error("cannot downgrade {requested} revisions: only {available} applied")]
    NotEnoughApplied {
        /// N.
        requested: usize,
        /// How many revisions are applied.
        available: usize,
    },
    /// `head` when there is no revision at all.
    #[error("there are no revisions yet, so `head` names nothing (create one with `sqlmig new`)")]
    NoRevisions,
    /// A downgrade to a revision that is not applied.
    #[error("cannot downgrade to `{revision}`: it is not applied")]
    NotApplied {
        /// The revision id.
        revision: String,
    },
    /// `-N` given to a command that only goes forward.
    #[error("`-{steps}` goes back: use `sqlmig downgrade -{steps}`")]
    BackwardUpgrade {
        /// N.
        steps: usize,
    },
    /// `+N` given to a command that only goes back.
    #[error("`+{steps}` goes forward: use `sqlmig upgrade +{steps}`")]
    ForwardDowngrade {
        /// N.
        steps: usize,
    },
    /// A target naming no revision or several, where exactly one is needed.
    #[error(
        "`{target}` names {}, where exactly one revision is needed",
        Named(revisions)
    )]
    NotOneRevision {
        /// The target as given.
        target: String,
        /// The ids it names, sorted.
        revisions: Vec<String>,
    },
    /// A relative target where no database state gives it a meaning.
    #[error("relative target `{target}` cannot be used here: name a revision instead")]
    Relative {
        /// The target as given.
        target: String,
    },
}

/// ` (did you mean `x`?)`, or nothing.
struct Suggestion<'a>(Option<&'a str>);

impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (did you mean `{id}`?)"),
            None => Ok(()),
        }
    }
}

/// `no revision` or `2 revisions (a, b)`.
struct Named<'a>(&'a [String]);

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("no revision"),
            ids => write!(f, "{} revisions ({})", ids.len(), ids.join(", ")),
        }
    }
}

/// `known labels: a, b`, or a note that there are none.
struct KnownLabels<'a>(&'a [String]);

impl fmt::Display for KnownLabels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("no revision carries a `-- branch:` label")
        } else {
            write!(f, "known labels: {}", self.0.join(", "))
        }
    }
}
