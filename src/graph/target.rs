//! The target language of docs/DESIGN.md §2 (`head`, `heads`, `base`, an id or prefix,
//! `LABEL@head`, `+N`, `-N`): [`Target`], its parsing, and its resolution to
//! revisions of a [`Graph`]. Relative targets need the database state, so
//! [`Plan`](crate::plan::Plan) resolves them; everything else resolves here.

use std::fmt;
use std::str::FromStr;

use super::{Graph, TargetError};

/// Where `upgrade`, `downgrade`, `stamp`, `emit` or `history -r` should go.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// `head`: the single head.
    Head,
    /// `heads`: every head.
    Heads,
    /// `base`: nothing applied.
    Base,
    /// A revision id, or a unique prefix of at least
    /// [`MIN_PREFIX_LEN`](super::MIN_PREFIX_LEN) characters.
    Revision(String),
    /// `LABEL@head`: the head of the branch carrying the label.
    BranchHead(String),
    /// `+N`: N revisions forward from the current state (N ≥ 1).
    Forward(usize),
    /// `-N`: N revisions back from the current state (N ≥ 1).
    Backward(usize),
}

impl Target {
    /// Whether the target is `+N` or `-N`, which only mean something against
    /// the applied revisions.
    pub fn is_relative(&self) -> bool {
        matches!(self, Target::Forward(_) | Target::Backward(_))
    }

    /// The revisions an absolute target names, sorted by id: one revision,
    /// every head (`heads`), or none (`base`).
    pub fn resolve(&self, graph: &Graph) -> Result<Vec<usize>, TargetError> {
        match self {
            Target::Head => match graph.heads() {
                [] => Err(TargetError::NoRevisions),
                [head] => Ok(vec![*head]),
                heads => Err(TargetError::MultipleHeads {
                    heads: graph.ids(heads),
                }),
            },
            Target::Heads => Ok(graph.heads().to_vec()),
            Target::Base => Ok(Vec::new()),
            Target::Revision(id) => graph.find(id).map(|index| vec![index]),
            Target::BranchHead(label) => {
                let Some(labelled) = graph.labelled(label) else {
                    return Err(TargetError::UnknownBranch {
                        label: label.clone(),
                        known: graph.labels().map(|(known, _)| known.to_owned()).collect(),
                    });
                };
                match graph.branch_heads(labelled).as_slice() {
                    [head] => Ok(vec![*head]),
                    heads => Err(TargetError::BranchHasSeveralHeads {
                        label: label.clone(),
                        heads: graph.ids(heads),
                    }),
                }
            }
            Target::Forward(_) | Target::Backward(_) => Err(TargetError::Relative {
                target: self.to_string(),
            }),
        }
    }

    /// The one revision an absolute target names, for commands that need
    /// exactly one (`show`): `heads` works only while there is one head,
    /// and `base` never does.
    pub fn resolve_one(&self, graph: &Graph) -> Result<usize, TargetError> {
        match self.resolve(graph)?.as_slice() {
            [index] => Ok(*index),
            indices => Err(TargetError::NotOneRevision {
                target: self.to_string(),
                revisions: graph.ids(indices),
            }),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Head => f.write_str("head"),
            Target::Heads => f.write_str("heads"),
            Target::Base => f.write_str("base"),
            Target::Revision(id) => f.write_str(id),
            Target::BranchHead(label) => write!(f, "{label}@head"),
            Target::Forward(steps) => write!(f, "+{steps}"),
            Target::Backward(steps) => write!(f, "-{steps}"),
        }
    }
}

impl FromStr for Target {
    type Err = ParseTargetError;

    /// Parses a target. The words `head`, `heads` and `base` win over a
    /// revision that would carry one of them as its id.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "" => return Err(ParseTargetError::Empty),
            "head" => return Ok(Target::Head),
            "heads" => return Ok(Target::Heads),
            "base" => return Ok(Target::Base),
            _ => {}
        }
        if let Some(steps) = text.strip_prefix('+') {
            return parse_steps(text, steps).map(Target::Forward);
        }
        if let Some(steps) = text.strip_prefix('-') {
            return parse_steps(text, steps).map(Target::Backward);
        }
        if let Some((label, suffix)) = text.split_once('@') {
            if label.is_empty() {
                return Err(ParseTargetError::MissingLabel {
                    target: text.to_owned(),
                });
            }
            if suffix != "head" {
                return Err(ParseTargetError::BadBranchSuffix {
                    target: text.to_owned(),
                });
            }
            check_name(text, label, "branch label")?;
            return Ok(Target::BranchHead(label.to_owned()));
        }
        check_name(text, text, "revision id")?;
        Ok(Target::Revision(text.to_owned()))
    }
}

/// The N of `+N` / `-N`: plain decimal digits, at least 1.
fn parse_steps(target: &str, digits: &str) -> Result<usize, ParseTargetError> {
    // `usize::from_str` would also take a sign (`+-3`, `++3`).
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ParseTargetError::BadSteps {
            target: target.to_owned(),
        });
    }
    match digits.parse::<usize>() {
        Ok(0) => Err(ParseTargetError::ZeroSteps {
            target: target.to_owned(),
        }),
        Ok(steps) => Ok(steps),
        Err(_) => Err(ParseTargetError::BadSteps {
            target: target.to_owned(),
        }),
    }
}

/// Checks `name` against the id syntax of docs/DESIGN.md §1,
/// `[A-Za-z0-9][A-Za-z0-9_.-]*`, so a typo is reported as such and not as
/// an unknown revision.
fn check_name(target: &str, name: &str, what: &'static str) -> Result<(), ParseTargetError> {
    let mut characters = name.chars();
    let starts_well = characters
        .next()
        .is_some_and(|first| first.is_ascii_alphanumeric());
    let continues_well =
        characters.all(|next| next.is_ascii_alphanumeric() || matches!(next, '_' | '.' | '-'));
    if starts_well && continues_well {
        Ok(())
    } else {
        Err(ParseTargetError::BadName {
            target: target.to_owned(),
            what,
        })
    }
}

/// A target string that is not in the target language.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseTargetError {
    /// An empty string.
    #[error(
        "empty target: expected `head`, `heads`, `base`, a revision id or prefix, `LABEL@head`, `+N` or `-N`"
    )]
    Empty,
    /// `+0` or `-0`.
    #[error("relative target `{target}` moves nothing: N must be at least 1")]
    ZeroSteps {
        /// The target as given.
        target: String,
    },
    /// `+`/`-` followed by something other than a number.
    #[error(
        "invalid relative target `{target}`: expected `+N` or `-N` with N a whole number of at least 1"
    )]
    BadSteps {
        /// The target as given.
        target: String,
    },
    /// `@head` with nothing before the `@`.
    #[error("`{target}` needs a branch label before `@` (for example `feature@head`)")]
    MissingLabel {
        /// The target as given.
        target: String,
    },
    /// `LABEL@something` other than `@head`.
    #[error("invalid branch target `{target}`: only `LABEL@head` is supported")]
    BadBranchSuffix {
        /// The target as given.
        target: String,
    },
    /// A revision id or branch label with characters ids cannot hold.
    #[error(
        "invalid target `{target}`: a {what} starts with a letter or digit and holds only letters, digits, `_`, `.` and `-`"
    )]
    BadName {
        /// The target as given.
        target: String,
        /// `revision id` or `branch label`.
        what: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::super::testing::{graph, labelled, revision};
    use super::*;

    fn parse(text: &str) -> Result<Target, ParseTargetError> {
        text.parse()
    }

    #[test]
    fn parses_every_form_and_displays_it_back() {
        let cases = [
            ("head", Target::Head),
            ("heads", Target::Heads),
            ("base", Target::Base),
            ("9f3c2a1b7d4e", Target::Revision("9f3c2a1b7d4e".into())),
            ("9f3c", Target::Revision("9f3c".into())),
            ("add_users.v2-x", Target::Revision("add_users.v2-x".into())),
            ("feature@head", Target::BranchHead("feature".into())),
            ("+1", Target::Forward(1)),
            ("+12", Target::Forward(12)),
            ("-3", Target::Backward(3)),
        ];
        for (text, target) in cases {
            assert_eq!(parse(text), Ok(target.clone()), "{text}");
            assert_eq!(target.to_string(), text);
        }
        assert!(Target::Forward(1).is_relative());
        assert!(Target::Backward(1).is_relative());
        assert!(!Target::Head.is_relative());
    }

    #[test]
    fn rejects_malformed_targets_with_clear_messages() {
        let cases = [
            (
                "",
                "empty target: expected `head`, `heads`, `base`, a revision id or prefix, `LABEL@head`, `+N` or `-N`",
            ),
            (
                "+0",
                "relative target `+0` moves nothing: N must be at least 1",
            ),
            (
                "-0",
                "relative target `-0` moves nothing: N must be at least 1",
            ),
            (
                "-x",
                "invalid relative target `-x`: expected `+N` or `-N` with N a whole number of at least 1",
            ),
            (
                "+",
                "invalid relative target `+`: expected `+N` or `-N` with N a whole number of at least 1",
            ),
            (
                "+-3",
                "invalid relative target `+-3`: expected `+N` or `-N` with N a whole number of at least 1",
            ),
            (
                "+99999999999999999999999",
                "invalid relative target `+99999999999999999999999`: expected `+N` or `-N` with N a whole number of at least 1",
            ),
            (
                "@head",
                "`@head` needs a branch label before `@` (for example `feature@head`)",
            ),
            (
                "x@tail",
                "invalid branch target `x@tail`: only `LABEL@head` is supported",
            ),
            (
                "x@",
                "invalid branch target `x@`: only `LABEL@head` is supported",
            ),
            (
                "a b",
                "invalid target `a b`: a revision id starts with a letter or digit and holds only letters, digits, `_`, `.` and `-`",
            ),
            (
                "_x",
                "invalid target `_x`: a revision id starts with a letter or digit and holds only letters, digits, `_`, `.` and `-`",
            ),
            (
                "f/x@head",
                "invalid target `f/x@head`: a branch label starts with a letter or digit and holds only letters, digits, `_`, `.` and `-`",
            ),
        ];
        for (text, message) in cases {
            let error = parse(text).expect_err(text);
            assert_eq!(error.to_string(), message, "{text}");
        }
    }

    /// a - b - c (head, via label `main` on b)
    ///      \- d - e (label `feature` on d)
    fn branched() -> Graph {
        graph(vec![
            revision("a1b2c3", &[]),
            labelled(revision("b1b2c3", &["a1b2c3"]), &["main"]),
            revision("c1b2c3", &["b1b2c3"]),
            labelled(revision("d1b2c3", &["b1b2c3"]), &["feature"]),
            revision("e1b2c3", &["d1b2c3"]),
        ])
    }

    fn resolve(graph: &Graph, text: &str) -> Result<Vec<String>, TargetError> {
        parse(text)
            .unwrap()
            .resolve(graph)
            .map(|indices| graph.ids(&indices))
    }

    #[test]
    fn resolves_absolute_targets() {
        let graph = branched();
        assert_eq!(resolve(&graph, "heads").unwrap(), ["c1b2c3", "e1b2c3"]);
        assert_eq!(resolve(&graph, "base").unwrap(), Vec::<String>::new());
        assert_eq!(resolve(&graph, "d1b2").unwrap(), ["d1b2c3"]);
        assert_eq!(resolve(&graph, "feature@head").unwrap(), ["e1b2c3"]);
        let linear = super::super::testing::graph(vec![revision("a", &[]), revision("b", &["a"])]);
        assert_eq!(resolve(&linear, "head").unwrap(), ["b"]);
    }

    #[test]
    fn head_with_several_heads_lists_them_and_suggests_the_ways_out() {
        let error = resolve(&branched(), "head").unwrap_err();
        assert_eq!(
            error,
            TargetError::MultipleHeads {
                heads: vec!["c1b2c3".into(), "e1b2c3".into()]
            }
        );
        assert_eq!(
            error.to_string(),
            "`head` is ambiguous: there are 2 heads (c1b2c3, e1b2c3); name one, use `heads` or `LABEL@head`, or join them with `sqlmig merge`"
        );
    }

    #[test]
    fn head_of_an_empty_graph_is_an_error_but_heads_is_nothing() {
        let empty = super::super::testing::graph(Vec::new());
        assert_eq!(resolve(&empty, "head"), Err(TargetError::NoRevisions));
        assert_eq!(resolve(&empty, "heads").unwrap(), Vec::<String>::new());
        assert_eq!(
            TargetError::NoRevisions.to_string(),
            "there are no revisions yet, so `head` names nothing (create one with `sqlmig new`)"
        );
    }

    #[test]
    fn branch_head_errors() {
        let graph = branched();
        let unknown = resolve(&graph, "featur@head").unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown branch label `featur` (known labels: feature, main)"
        );
        // `main` is on b, which leads to both heads.
        let several = resolve(&graph, "main@head").unwrap_err();
        assert_eq!(
            several,
            TargetError::BranchHasSeveralHeads {
                label: "main".into(),
                heads: vec!["c1b2c3".into(), "e1b2c3".into()],
            }
        );
        assert_eq!(
            several.to_string(),
            "branch `main` has 2 heads (c1b2c3, e1b2c3); name one, or join them with `sqlmig merge`"
        );
        let unlabelled = super::super::testing::graph(vec![revision("a", &[])]);
        assert_eq!(
            resolve(&unlabelled, "x@head").unwrap_err().to_string(),
            "unknown branch label `x` (no revision carries a `-- branch:` label)"
        );
    }

    #[test]
    fn branch_head_ignores_dependents_on_other_branches() {
        let graph = super::super::testing::graph(vec![
            labelled(revision("a", &[]), &["left"]),
            super::super::testing::requires(revision("b", &[]), &["a"]),
        ]);
        assert_eq!(resolve(&graph, "left@head").unwrap(), ["a"]);
    }

    #[test]
    fn revision_errors_have_candidates_and_suggestions() {
        let graph = branched();
        assert_eq!(
            resolve(&graph, "a1b2c4").unwrap_err().to_string(),
            "unknown revision `a1b2c4` (did you mean `a1b2c3`?)"
        );
        assert_eq!(
            resolve(&graph, "ffffff").unwrap_err().to_string(),
            "unknown revision `ffffff`"
        );
        assert_eq!(
            resolve(&graph, "a1b").unwrap_err().to_string(),
            "revision prefix `a1b` is too short: give at least 4 characters"
        );
        let shared =
            super::super::testing::graph(vec![revision("abcd01", &[]), revision("abcd02", &[])]);
        assert_eq!(
            resolve(&shared, "abcd").unwrap_err().to_string(),
            "revision prefix `abcd` is ambiguous: it matches abcd01, abcd02"
        );
    }

    #[test]
    fn resolve_one_needs_exactly_one_revision() {
        let graph = branched();
        let one = |text: &str| parse(text).unwrap().resolve_one(&graph);
        assert_eq!(one("d1b2"), Ok(3));
        assert_eq!(one("feature@head"), Ok(4));
        assert_eq!(
            one("heads").unwrap_err().to_string(),
            "`heads` names 2 revisions (c1b2c3, e1b2c3), where exactly one revision is needed"
        );
        assert_eq!(
            one("base").unwrap_err().to_string(),
            "`base` names no revision, where exactly one revision is needed"
        );
        let linear = super::super::testing::graph(vec![revision("a", &[])]);
        assert_eq!(Target::Heads.resolve_one(&linear), Ok(0));
    }

    #[test]
    fn relative_targets_do_not_resolve_without_state() {
        assert_eq!(
            resolve(&branched(), "-2").unwrap_err().to_string(),
            "relative target `-2` cannot be used here: name a revision instead"
        );
    }
}
