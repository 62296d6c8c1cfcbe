//! The revision graph: the verified DAG of docs/DESIGN.md §2 and the questions asked of
//! it (heads, bases, ancestors, application order, target resolution).
//!
//! `build` checks a list of revisions and builds a [`Graph`]; `target` is the
//! target language (`head`, `LABEL@head`, `+N`, ...); `set` is the
//! [`RevisionSet`] that queries and plans exchange. Revisions are addressed by
//! their `usize` index into [`Graph::revisions`]; every walk is iterative and
//! linear in the size of the graph, so a 10,000-revision chain neither
//! overflows the stack nor slows down.

mod build;
mod error;
mod set;
mod target;
mod target_error;
#[cfg(test)]
pub(crate) mod testing;

use std::collections::{BTreeMap, HashMap};

pub use error::GraphError;
pub use set::RevisionSet;
pub use target::{ParseTargetError, Target};
pub use target_error::TargetError;

use crate::revision::Revision;

/// The shortest revision-id prefix a target may use.
pub const MIN_PREFIX_LEN: usize = 4;

/// A verified revision graph: unique ids, existing parents and dependencies,
/// no cycle, branch labels on one revision each.
///
/// Revisions are addressed by their index into [`Graph::revisions`], which
/// keeps the order the revisions were given in (sorted by path); every
/// `index` argument and every returned list of revisions uses these indices.
#[derive(Debug, Clone)]
pub struct Graph {
    revisions: Vec<Revision>,
    index_by_id: HashMap<String, usize>,
    /// Indices sorted by id, for prefix lookups and id-ordered listings.
    by_id: Vec<usize>,
    parents: Vec<Vec<usize>>,
    dependencies: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    dependents: Vec<Vec<usize>>,
    labels: BTreeMap<String, usize>,
    order: Vec<usize>,
    positions: Vec<usize>,
    heads: Vec<usize>,
    bases: Vec<usize>,
}

impl Graph {
    /// The number of revisions.
    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    /// Whether there is no revision at all.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    /// The revisions in the order they were given (sorted by path); every
    /// index the graph uses points into this slice.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// The revision at `index`.
    ///
    /// # Panics
    /// When `index` is not an index of [`Graph::revisions`].
    pub fn revision(&self, index: usize) -> &Revision {
        &self.revisions[index]
    }

    /// The revision with exactly this id.
    pub fn get(&self, id: &str) -> Option<&Revision> {
        self.index_of(id).map(|index| &self.revisions[index])
    }

    /// The index of the revision with exactly this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index_by_id.get(id).copied()
    }

    /// The revision named by `id_or_prefix`: an exact id, or else a unique
    /// prefix of at least [`MIN_PREFIX_LEN`] characters.
    pub fn find(&self, id_or_prefix: &str) -> Result<usize, TargetError> {
        if let Some(index) = self.index_of(id_or_prefix) {
            return Ok(index);
        }
        let candidates = self.with_prefix(id_or_prefix);
        if id_or_prefix.chars().count() < MIN_PREFIX_LEN {
            return Err(if candidates.is_empty() {
                self.unknown(id_or_prefix)
            } else {
                TargetError::PrefixTooShort {
                    prefix: id_or_prefix.to_owned(),
                    minimum: MIN_PREFIX_LEN,
                }
            });
        }
        match candidates {
            [] => Err(self.unknown(id_or_prefix)),
            [index] => Ok(*index),
            _ => Err(TargetError::AmbiguousPrefix {
                prefix: id_or_prefix.to_owned(),
                candidates: self.ids(candidates),
            }),
        }
    }

    /// The indices of the revisions whose id starts with `prefix`, by id.
    fn with_prefix(&self, prefix: &str) -> &[usize] {
        let id = |index: &usize| self.revisions[*index].id.as_str();
        let start = self.by_id.partition_point(|index| id(index) < prefix);
        let length = self.by_id[start..].partition_point(|index| id(index).starts_with(prefix));
        &self.by_id[start..start + length]
    }

    fn unknown(&self, target: &str) -> TargetError {
        TargetError::UnknownRevision {
            target: target.to_owned(),
            suggestion: self.closest_id(target),
        }
    }

    /// The id closest to `target` by edit distance, when one is close enough
    /// to be a plausible typo. Only used on the error path, so a scan is fine.
    fn closest_id(&self, target: &str) -> Option<String> {
        let target: Vec<char> = target.chars().collect();
        let limit = (target.len() / 3).max(1);
        self.by_id
            .iter()
            .map(|&index| self.revisions[index].id.as_str())
            .filter(|id| id.chars().count().abs_diff(target.len()) <= limit)
            .map(|id| (edit_distance(&target, id), id))
            .filter(|&(distance, _)| distance <= limit)
            .min_by_key(|&(distance, _)| distance)
            .map(|(_, id)| id.to_owned())
    }

    /// The ids of `indices`, in the same order.
    pub fn ids(&self, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .map(|&index| self.revisions[index].id.clone())
            .collect()
    }

    /// The parents of `index` (from `-- revises:`), in header order.
    pub fn parents(&self, index: usize) -> &[usize] {
        &self.parents[index]
    }

    /// The dependencies of `index` (from `-- depends-on:`), in header order.
    pub fn dependencies(&self, index: usize) -> &[usize] {
        &self.dependencies[index]
    }

    /// The revisions that revise `index`, in file order.
    pub fn children(&self, index: usize) -> &[usize] {
        &self.children[index]
    }

    /// The revisions that depend on `index` through `-- depends-on:`, in file order.
    pub fn dependents(&self, index: usize) -> &[usize] {
        &self.dependents[index]
    }

    /// Every revision in application order: parents and dependencies first,
    /// ties broken by id, so one directory always gives one order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The place of `index` in [`Graph::order`].
    pub fn position(&self, index: usize) -> usize {
        self.positions[index]
    }

    /// The members of `set` in application order.
    pub fn in_order(&self, set: &RevisionSet) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|&index| set.contains(index))
            .collect()
    }

    /// The members of `set` in reverse application order (the order to revert them in).
    pub fn in_reverse_order(&self, set: &RevisionSet) -> Vec<usize> {
        self.order
            .iter()
            .rev()
            .copied()
            .filter(|&index| set.contains(index))
            .collect()
    }

    /// The heads, sorted by id: revisions that no other revision revises
    /// (a dependency does not stop a revision from being a head).
    pub fn heads(&self) -> &[usize] {
        &self.heads
    }

    /// Whether no other revision revises `index`.
    pub fn is_head(&self, index: usize) -> bool {
        self.children[index].is_empty()
    }

    /// The bases, sorted by id: revisions without parents.
    pub fn bases(&self) -> &[usize] {
        &self.bases
    }

    /// The heads of `set` taken alone, sorted by id: its members that no
    /// other member revises. For the applied set this is what `current` shows.
    pub fn heads_of(&self, set: &RevisionSet) -> Vec<usize> {
        self.by_id
            .iter()
            .copied()
            .filter(|&index| {
                set.contains(index)
                    && !self.children[index]
                        .iter()
                        .any(|&child| set.contains(child))
            })
            .collect()
    }

    /// Whether more than one revision revises `index`.
    pub fn is_branch_point(&self, index: usize) -> bool {
        self.children[index].len() > 1
    }

    /// Whether `index` revises more than one revision.
    pub fn is_merge_point(&self, index: usize) -> bool {
        self.parents[index].len() > 1
    }

    /// The revision carrying the branch label `label`.
    pub fn labelled(&self, label: &str) -> Option<usize> {
        self.labels.get(label).copied()
    }

    /// Every branch label with its revision, sorted by label.
    pub fn labels(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.labels
            .iter()
            .map(|(label, &index)| (label.as_str(), index))
    }

    /// Every revision reachable from a member of `of` by following parent and
    /// dependency edges one or more times: what must be applied before them.
    /// A member of `of` is included only when it is an ancestor of another.
    ///
    /// # Panics
    /// When a member of `of` is not an index of [`Graph::revisions`].
    pub fn ancestors(&self, of: &[usize]) -> RevisionSet {
        self.reach(of, &[&self.parents, &self.dependencies], false)
    }

    /// `of` together with [`Graph::ancestors`]`(of)`: everything applied once
    /// `of` is.
    pub fn ancestors_or_self(&self, of: &[usize]) -> RevisionSet {
        self.reach(of, &[&self.parents, &self.dependencies], true)
    }

    /// Every revision reachable from a member of `of` by following child and
    /// dependent edges one or more times: what must be reverted before them.
    /// A member of `of` is included only when it is a descendant of another.
    ///
    /// # Panics
    /// When a member of `of` is not an index of [`Graph::revisions`].
    pub fn descendants(&self, of: &[usize]) -> RevisionSet {
        self.reach(of, &[&self.children, &self.dependents], false)
    }

    /// `of` together with [`Graph::descendants`]`(of)`.
    pub fn descendants_or_self(&self, of: &[usize]) -> RevisionSet {
        self.reach(of, &[&self.children, &self.dependents], true)
    }

    /// The heads that descend from `index` or are `index`, following parent
    /// edges only: the heads of the branch that `index` is on.
    fn branch_heads(&self, index: usize) -> Vec<usize> {
        let branch = self.reach(&[index], &[&self.children], true);
        self.heads
            .iter()
            .copied()
            .filter(|&head| branch.contains(head))
            .collect()
    }

    /// An iterative depth-first walk over `edges` from `of`.
    fn reach(&self, of: &[usize], edges: &[&[Vec<usize>]], include_start: bool) -> RevisionSet {
        let mut seen = RevisionSet::empty(self.len());
        let mut stack = Vec::new();
        for &start in of {
            if include_start {
                seen.insert(start);
            }
            stack.push(start);
        }
        while let Some(index) = stack.pop() {
            for list in edges {
                for &next in &list[index] {
                    if seen.insert(next) {
                        stack.push(next);
                    }
                }
            }
        }
        seen
    }

    /// The revisions for `history -r FROM:TO`, newest first: descendants of
    /// FROM (or FROM itself) that are ancestors of TO (or TO itself), over
    /// parent and dependency edges. A missing side, or `base` as FROM, is
    /// unbounded; `base` as TO selects nothing. Relative targets are refused:
    /// the range does not know the database state.
    pub fn range(
        &self,
        from: Option<&Target>,
        to: Option<&Target>,
    ) -> Result<Vec<usize>, TargetError> {
        let lower = match from {
            None | Some(Target::Base) => RevisionSet::full(self.len()),
            Some(target) => self.descendants_or_self(&target.resolve(self)?),
        };
        let upper = match to {
            None => RevisionSet::full(self.len()),
            Some(target) => self.ancestors_or_self(&target.resolve(self)?),
        };
        Ok(self
            .order
            .iter()
            .rev()
            .copied()
            .filter(|&index| lower.contains(index) && upper.contains(index))
            .collect())
    }
}

/// Levenshtein distance between `target` and `candidate`, in characters, with
/// two rows of memory.
fn edit_distance(target: &[char], candidate: &str) -> usize {
    let mut previous: Vec<usize> = (0..=target.len()).collect();
    let mut current = vec![0; target.len() + 1];
    for (row, candidate_char) in candidate.chars().enumerate() {
        current[0] = row + 1;
        for (column, &target_char) in target.iter().enumerate() {
            let substitution = previous[column] + usize::from(target_char != candidate_char);
            current[column + 1] = substitution
                .min(previous[column + 1] + 1)
                .min(current[column] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[target.len()]
}

#[cfg(test)]
mod tests {
    use super::testing::{graph, labelled, requires, revision};
    use super::*;

    /// a - b - c - e (merge of c and d, e depends on f)
    ///      \- d -/
    /// f (separate root), g revises f and depends on b
    fn sample() -> Graph {
        graph(vec![
            revision("a", &[]),
            revision("b", &["a"]),
            revision("c", &["b"]),
            revision("d", &["b"]),
            requires(revision("e", &["c", "d"]), &["f"]),
            revision("f", &[]),
            requires(revision("g", &["f"]), &["b"]),
        ])
    }

    fn ids(graph: &Graph, indices: impl IntoIterator<Item = usize>) -> Vec<String> {
        indices
            .into_iter()
            .map(|index| graph.revision(index).id.clone())
            .collect()
    }

    #[test]
    fn lookups_by_index_and_id() {
        let graph = sample();
        assert_eq!(graph.len(), 7);
        assert!(!graph.is_empty());
        assert_eq!(graph.index_of("c"), Some(2));
        assert_eq!(
            graph.get("d").map(|revision| revision.id.as_str()),
            Some("d")
        );
        assert!(graph.get("zz").is_none());
        assert_eq!(graph.revision(4).id, "e");
        assert_eq!(graph.revisions().len(), 7);
    }

    #[test]
    fn edges_in_both_directions() {
        let graph = sample();
        let index = |id| graph.index_of(id).unwrap();
        assert_eq!(ids(&graph, graph.parents(index("e")).to_vec()), ["c", "d"]);
        assert_eq!(ids(&graph, graph.dependencies(index("e")).to_vec()), ["f"]);
        assert_eq!(ids(&graph, graph.children(index("b")).to_vec()), ["c", "d"]);
        assert_eq!(ids(&graph, graph.dependents(index("b")).to_vec()), ["g"]);
        assert_eq!(ids(&graph, graph.dependents(index("f")).to_vec()), ["e"]);
        assert!(graph.is_branch_point(index("b")));
        assert!(!graph.is_branch_point(index("f")));
        assert!(graph.is_merge_point(index("e")));
        assert!(!graph.is_merge_point(index("g")));
    }

    #[test]
    fn heads_and_bases_sorted_by_id() {
        // Dependencies do not count: `f` is depended on by `e` but revised by `g`;
        // `b` is depended on by `g` but is not a head because `c` revises it.
        let graph = sample();
        assert_eq!(ids(&graph, graph.heads().to_vec()), ["e", "g"]);
        assert_eq!(ids(&graph, graph.bases().to_vec()), ["a", "f"]);
        let only_dependency = graph_of_dependency_only();
        assert_eq!(
            ids(&only_dependency, only_dependency.heads().to_vec()),
            ["x", "y"]
        );
    }

    fn graph_of_dependency_only() -> Graph {
        graph(vec![
            revision("x", &[]),
            requires(revision("y", &[]), &["x"]),
        ])
    }

    #[test]
    fn order_puts_parents_and_dependencies_first_and_breaks_ties_by_id() {
        let graph = sample();
        assert_eq!(
            ids(&graph, graph.order().to_vec()),
            ["a", "b", "c", "d", "f", "e", "g"]
        );
        for (position, &index) in graph.order().iter().enumerate() {
            assert_eq!(graph.position(index), position);
        }
        // File order does not matter, only ids and edges.
        let shuffled = super::testing::graph(vec![
            revision("zeta", &[]),
            revision("beta", &["zeta"]),
            revision("alpha", &[]),
            revision("gamma", &["alpha"]),
        ]);
        assert_eq!(
            ids(&shuffled, shuffled.order().to_vec()),
            ["alpha", "gamma", "zeta", "beta"]
        );
    }

    #[test]
    fn ancestors_and_descendants_follow_dependencies() {
        let graph = sample();
        let index = |id| graph.index_of(id).unwrap();
        let set_ids = |set: RevisionSet| ids(&graph, graph.in_order(&set));
        assert_eq!(
            set_ids(graph.ancestors(&[index("e")])),
            ["a", "b", "c", "d", "f"]
        );
        assert_eq!(
            set_ids(graph.ancestors_or_self(&[index("g")])),
            ["a", "b", "f", "g"]
        );
        assert_eq!(
            set_ids(graph.descendants(&[index("b")])),
            ["c", "d", "e", "g"]
        );
        assert_eq!(set_ids(graph.descendants(&[index("f")])), ["e", "g"]);
        assert_eq!(set_ids(graph.descendants_or_self(&[index("e")])), ["e"]);
        // A member of `of` is in the strict set only when another member reaches it.
        assert_eq!(
            set_ids(graph.ancestors(&[index("a"), index("c")])),
            ["a", "b"]
        );
    }

    #[test]
    fn heads_of_a_set_and_orders_of_a_set() {
        let graph = sample();
        let applied = RevisionSet::with_members(graph.len(), [0, 1, 2, 3, 5]);
        assert_eq!(ids(&graph, graph.heads_of(&applied)), ["c", "d", "f"]);
        assert_eq!(
            ids(&graph, graph.in_reverse_order(&applied)),
            ["f", "d", "c", "b", "a"]
        );
        assert!(graph.heads_of(&RevisionSet::empty(graph.len())).is_empty());
    }

    #[test]
    fn branch_labels() {
        let graph = graph(vec![
            revision("a", &[]),
            labelled(revision("b", &["a"]), &["feature", "second"]),
            revision("c", &["b"]),
        ]);
        assert_eq!(graph.labelled("feature"), Some(1));
        assert_eq!(graph.labelled("nope"), None);
        assert_eq!(
            graph.labels().collect::<Vec<_>>(),
            [("feature", 1), ("second", 1)]
        );
        assert_eq!(graph.branch_heads(1), [2]);
    }

    #[test]
    fn find_by_id_and_prefix() {
        let graph = graph(vec![
            revision("abc", &[]),
            revision("abcdef01", &["abc"]),
            revision("abcdef02", &["abc"]),
            revision("9f3c2a1b", &[]),
        ]);
        // An exact id wins even when it is shorter than a prefix may be.
        assert_eq!(graph.find("abc"), Ok(0));
        assert_eq!(graph.find("9f3c"), Ok(3));
        assert_eq!(graph.find("abcdef02"), Ok(2));
        assert_eq!(
            graph.find("abcd"),
            Err(TargetError::AmbiguousPrefix {
                prefix: "abcd".into(),
                candidates: vec!["abcdef01".into(), "abcdef02".into()],
            })
        );
        assert_eq!(
            graph.find("9f3"),
            Err(TargetError::PrefixTooShort {
                prefix: "9f3".into(),
                minimum: 4,
            })
        );
        assert_eq!(
            graph.find("9f3c2a1c"),
            Err(TargetError::UnknownRevision {
                target: "9f3c2a1c".into(),
                suggestion: Some("9f3c2a1b".into()),
            })
        );
        assert_eq!(
            graph.find("zzzzzz"),
            Err(TargetError::UnknownRevision {
                target: "zzzzzz".into(),
                suggestion: None,
            })
        );
        // Too short and matching nothing: unknown, not too short.
        assert!(matches!(
            graph.find("xy"),
            Err(TargetError::UnknownRevision { .. })
        ));
    }

    #[test]
    fn edit_distance_counts_characters() {
        let target: Vec<char> = "kitten".chars().collect();
        assert_eq!(edit_distance(&target, "sitting"), 3);
        assert_eq!(edit_distance(&target, "kitten"), 0);
        assert_eq!(edit_distance(&[], "abc"), 3);
    }

    #[test]
    fn range_is_bounded_on_both_sides_and_newest_first() {
        let graph = sample();
        let target = |text: &str| text.parse::<Target>().unwrap();
        let range = |from: Option<&str>, to: Option<&str>| {
            let from = from.map(target);
            let to = to.map(target);
            graph
                .range(from.as_ref(), to.as_ref())
                .map(|indices| ids(&graph, indices))
        };
        assert_eq!(
            range(None, None).unwrap(),
            ["g", "e", "f", "d", "c", "b", "a"]
        );
        assert_eq!(range(Some("b"), Some("e")).unwrap(), ["e", "d", "c", "b"]);
        assert_eq!(range(Some("base"), Some("c")).unwrap(), ["c", "b", "a"]);
        assert_eq!(range(Some("c"), None).unwrap(), ["e", "c"]);
        assert_eq!(range(None, Some("base")).unwrap(), Vec::<String>::new());
        assert_eq!(
            range(Some("+1"), None),
            Err(TargetError::Relative {
                target: "+1".into()
            })
        );
        assert!(matches!(
            range(None, Some("head")),
            Err(TargetError::MultipleHeads { .. })
        ));
    }
}
