//! [`Plan`] and [`StampPlan`]: what `upgrade`, `downgrade` and `stamp` will do,
//! worked out from the [`Graph`], the applied revisions and a [`Target`]
//! before anything touches a database. The online engine and the offline
//! renderer walk the same plan, so the script is what the run would do.
//!
//! The applied set is whatever the state table says. It should be closed
//! under ancestors, but a plan never assumes it: an odd set (a child applied
//! without its parent, an index the graph does not have) gives a plan that
//! fills the gaps in application order, never a panic.

use crate::graph::{Graph, RevisionSet, Target, TargetError};

/// Which way a plan moves the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Applying revisions, parents and dependencies first.
    Upgrade,
    /// Reverting revisions, children and dependents first.
    Downgrade,
}

/// The revisions to apply or revert, in the order to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Whether `steps` are applied or reverted.
    pub direction: Direction,
    /// Indices into [`Graph::revisions`], in execution order.
    pub steps: Vec<usize>,
    /// The heads of the applied set before the plan runs, sorted by id.
    pub from: Vec<usize>,
    /// The heads of the applied set once every step has run, sorted by id.
    pub to: Vec<usize>,
}

/// The state-table rows `stamp` changes, without running any SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampPlan {
    /// Applied revisions to forget, children first.
    pub delete: Vec<usize>,
    /// Revisions to record as applied, parents first.
    pub insert: Vec<usize>,
    /// The heads of the applied set before, sorted by id.
    pub from: Vec<usize>,
    /// The heads of the applied set after, sorted by id.
    pub to: Vec<usize>,
}

impl Plan {
    /// The plan for `upgrade TARGET`: every revision of the target (`heads`:
    /// all heads; `base`: none) and of its ancestors and dependencies,
    /// transitively, that is not applied yet, in application order. `+N`
    /// is the first N steps towards all heads.
    pub fn upgrade(
        graph: &Graph,
        applied: &RevisionSet,
        target: &Target,
    ) -> Result<Plan, TargetError> {
        let steps = upgrade_steps(graph, applied, target)?;
        Ok(Plan::new(graph, applied, Direction::Upgrade, steps))
    }

    /// The plan for `downgrade TARGET`: every applied revision that strictly
    /// descends from the target through children and dependents, children
    /// first; the target itself stays and must be applied when it is a
    /// revision id. `base` reverts everything, `-N` the last N applied
    /// revisions, and `head`, `heads` or `LABEL@head` revert nothing.
    pub fn downgrade(
        graph: &Graph,
        applied: &RevisionSet,
        target: &Target,
    ) -> Result<Plan, TargetError> {
        let steps = downgrade_steps(graph, applied, target)?;
        Ok(Plan::new(graph, applied, Direction::Downgrade, steps))
    }

    /// The plan for `stamp TARGET`: the applied set becomes exactly the
    /// target and its ancestors (`base`: nothing), while `+N` and `-N` move it
    /// the way `upgrade` and `downgrade` would.
    pub fn stamp(
        graph: &Graph,
        applied: &RevisionSet,
        target: &Target,
    ) -> Result<StampPlan, TargetError> {
        let before = applied_in(graph, applied);
        let (delete, insert) = match target {
            Target::Forward(_) => (Vec::new(), upgrade_steps(graph, &before, target)?),
            Target::Backward(_) => (downgrade_steps(graph, &before, target)?, Vec::new()),
            _ => {
                let wanted = graph.ancestors_or_self(&target.resolve(graph)?);
                let delete = graph
                    .order()
                    .iter()
                    .rev()
                    .copied()
                    .filter(|&index| before.contains(index) && !wanted.contains(index))
                    .collect();
                let insert = graph
                    .order()
                    .iter()
                    .copied()
                    .filter(|&index| wanted.contains(index) && !before.contains(index))
                    .collect();
                (delete, insert)
            }
        };
        let mut after = before.clone();
        for &index in &delete {
            after.remove(index);
        }
        for &index in &insert {
            after.insert(index);
        }
        Ok(StampPlan {
            from: graph.heads_of(&before),
            to: graph.heads_of(&after),
            delete,
            insert,
        })
    }

    fn new(graph: &Graph, applied: &RevisionSet, direction: Direction, steps: Vec<usize>) -> Plan {
        let before = applied_in(graph, applied);
        let mut after = before.clone();
        for &index in &steps {
            match direction {
                Direction::Upgrade => after.insert(index),
                Direction::Downgrade => after.remove(index),
            };
        }
        Plan {
            direction,
            from: graph.heads_of(&before),
            to: graph.heads_of(&after),
            steps,
        }
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps of a downgrade whose revision has no down section, in plan
    /// order, so the engine can refuse before reverting anything. Always
    /// empty for an upgrade.
    pub fn irreversible_steps(&self, graph: &Graph) -> Vec<usize> {
        self.reversed_steps()
            .iter()
            .copied()
            .filter(|&index| graph.revision(index).down.is_none())
            .collect()
    }

    /// The steps that revert a revision: all of a downgrade's, none of an
    /// upgrade's.
    pub fn reversed_steps(&self) -> &[usize] {
        match self.direction {
            Direction::Upgrade => &[],
            Direction::Downgrade => &self.steps,
        }
    }
}

impl StampPlan {
    /// Whether the state table stays as it is.
    pub fn is_empty(&self) -> bool {
        self.delete.is_empty() && self.insert.is_empty()
    }
}

/// `applied` sized for `graph`, without indices the graph does not have.
fn applied_in(graph: &Graph, applied: &RevisionSet) -> RevisionSet {
    RevisionSet::with_members(graph.len(), applied.iter())
}

fn upgrade_steps(
    graph: &Graph,
    applied: &RevisionSet,
    target: &Target,
) -> Result<Vec<usize>, TargetError> {
    match *target {
        Target::Backward(steps) => Err(TargetError::BackwardUpgrade { steps }),
        Target::Forward(requested) => {
            // Towards all heads means every revision not applied yet.
            let mut pending: Vec<usize> = graph
                .order()
                .iter()
                .copied()
                .filter(|&index| !applied.contains(index))
                .collect();
            if pending.len() < requested {
                return Err(TargetError::NotEnoughPending {
                    requested,
                    available: pending.len(),
                });
            }
            pending.truncate(requested);
            Ok(pending)
        }
        _ => {
            let wanted = graph.ancestors_or_self(&target.resolve(graph)?);
            Ok(graph
                .order()
                .iter()
                .copied()
                .filter(|&index| wanted.contains(index) && !applied.contains(index))
                .collect())
        }
    }
}

fn downgrade_steps(
    graph: &Graph,
    applied: &RevisionSet,
    target: &Target,
) -> Result<Vec<usize>, TargetError> {
    let applied_newest_first = || {
        graph
            .order()
            .iter()
            .rev()
            .copied()
            .filter(|&index| applied.contains(index))
    };
    match target {
        Target::Forward(steps) => Err(TargetError::ForwardDowngrade { steps: *steps }),
        Target::Backward(requested) => {
            // A suffix of the application order: whatever descends from a
            // reverted revision comes later, so it is reverted too.
            let steps: Vec<usize> = applied_newest_first().take(*requested).collect();
            if steps.len() < *requested {
                return Err(TargetError::NotEnoughApplied {
                    requested: *requested,
                    available: steps.len(),
                });
            }
            Ok(steps)
        }
        Target::Base => Ok(applied_newest_first().collect()),
        _ => {
            let kept = target.resolve(graph)?;
            if let Target::Revision(_) = target
                && let Some(&missing) = kept.iter().find(|&&index| !applied.contains(index))
            {
                return Err(TargetError::NotApplied {
                    revision: graph.revision(missing).id.clone(),
                });
            }
            let mut reverted = graph.descendants(&kept);
            // The targets stay, even when one depends on another (`heads`).
            for &index in &kept {
                reverted.remove(index);
            }
            Ok(applied_newest_first()
                .filter(|&index| reverted.contains(index))
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testing::{graph, irreversible, labelled, requires, revision};

    /// Two branches from `a`, the `feature` one depending across on `b`:
    ///
    /// ```text
    /// a - b - c          (main on b)
    ///  \- d - e          (feature on d; e depends on b)
    /// ```
    fn branched() -> Graph {
        graph(vec![
            revision("a", &[]),
            labelled(revision("b", &["a"]), &["main"]),
            irreversible(revision("c", &["b"])),
            labelled(revision("d", &["a"]), &["feature"]),
            requires(revision("e", &["d"]), &["b"]),
        ])
    }

    /// `branched` with a merge `f` of `c` and `e`.
    fn merged() -> Graph {
        let mut revisions = branched().revisions().to_vec();
        revisions.push(revision("f", &["c", "e"]));
        graph(revisions)
    }

    fn applied(graph: &Graph, ids: &[&str]) -> RevisionSet {
        RevisionSet::with_members(
            graph.len(),
            ids.iter().map(|id| graph.index_of(id).unwrap()),
        )
    }

    fn target(text: &str) -> Target {
        text.parse().unwrap()
    }

    fn upgrade(graph: &Graph, ids: &[&str], to: &str) -> Result<Vec<String>, TargetError> {
        Plan::upgrade(graph, &applied(graph, ids), &target(to)).map(|plan| graph.ids(&plan.steps))
    }

    fn downgrade(graph: &Graph, ids: &[&str], to: &str) -> Result<Vec<String>, TargetError> {
        Plan::downgrade(graph, &applied(graph, ids), &target(to)).map(|plan| graph.ids(&plan.steps))
    }

    const ALL: &[&str] = &["a", "b", "c", "d", "e"];

    #[test]
    fn upgrade_applies_the_target_with_its_ancestors_and_dependencies() {
        let graph = branched();
        assert_eq!(upgrade(&graph, &[], "heads").unwrap(), ALL);
        // `e` needs `b` through `depends-on`, but not `c`.
        assert_eq!(upgrade(&graph, &[], "e").unwrap(), ["a", "b", "d", "e"]);
        assert_eq!(
            upgrade(&graph, &[], "feature@head").unwrap(),
            ["a", "b", "d", "e"]
        );
        assert_eq!(upgrade(&graph, &[], "main@head").unwrap(), ["a", "b", "c"]);
        assert_eq!(
            upgrade(&graph, &["a", "b"], "heads").unwrap(),
            ["c", "d", "e"]
        );
        assert_eq!(upgrade(&graph, ALL, "heads").unwrap(), Vec::<String>::new());
        assert_eq!(upgrade(&graph, &[], "base").unwrap(), Vec::<String>::new());
        assert!(matches!(
            upgrade(&graph, &[], "head"),
            Err(TargetError::MultipleHeads { .. })
        ));
        let merged = merged();
        assert_eq!(
            upgrade(&merged, &[], "head").unwrap(),
            ["a", "b", "c", "d", "e", "f"]
        );
        assert_eq!(
            upgrade(&merged, &["a", "b", "c"], "head").unwrap(),
            ["d", "e", "f"]
        );
    }

    #[test]
    fn upgrade_by_steps() {
        let graph = branched();
        assert_eq!(upgrade(&graph, &["a"], "+2").unwrap(), ["b", "c"]);
        assert_eq!(upgrade(&graph, &["a"], "+4").unwrap(), ["b", "c", "d", "e"]);
        let error = upgrade(&graph, &["a"], "+5").unwrap_err();
        assert_eq!(
            error,
            TargetError::NotEnoughPending {
                requested: 5,
                available: 4
            }
        );
        assert_eq!(
            error.to_string(),
            "cannot upgrade 5 revisions: only 4 pending"
        );
        let backwards = upgrade(&graph, ALL, "-1").unwrap_err();
        assert_eq!(backwards, TargetError::BackwardUpgrade { steps: 1 });
        assert_eq!(
            backwards.to_string(),
            "`-1` goes back: use `sqlmig downgrade -1`"
        );
    }

    #[test]
    fn upgrade_fills_the_gaps_of_an_odd_applied_set() {
        let graph = branched();
        // `c` applied without its parents.
        assert_eq!(upgrade(&graph, &["c"], "c").unwrap(), ["a", "b"]);
        assert_eq!(
            upgrade(&graph, &["c"], "heads").unwrap(),
            ["a", "b", "d", "e"]
        );
        // Indices the graph does not have are ignored, not a panic.
        let oversized = RevisionSet::with_members(100, [2, 99]);
        let plan = Plan::upgrade(&graph, &oversized, &Target::Heads).unwrap();
        assert_eq!(graph.ids(&plan.steps), ["a", "b", "d", "e"]);
        let undersized = RevisionSet::with_members(1, [0]);
        let plan = Plan::downgrade(&graph, &undersized, &Target::Base).unwrap();
        assert_eq!(graph.ids(&plan.steps), ["a"]);
    }

    #[test]
    fn downgrade_reverts_what_descends_from_the_target_and_keeps_the_other_branch() {
        let graph = branched();
        // The feature branch goes back; the main branch stays applied.
        assert_eq!(downgrade(&graph, ALL, "d").unwrap(), ["e"]);
        // `e` depends on `b`, so it goes with `c`; `d` stays.
        assert_eq!(downgrade(&graph, ALL, "b").unwrap(), ["e", "c"]);
        assert_eq!(downgrade(&graph, ALL, "a").unwrap(), ["e", "d", "c", "b"]);
        assert_eq!(
            downgrade(&graph, ALL, "base").unwrap(),
            ["e", "d", "c", "b", "a"]
        );
        assert_eq!(
            downgrade(&graph, &["a", "b", "c"], "a").unwrap(),
            ["c", "b"]
        );
        let merged = merged();
        let everything = ["a", "b", "c", "d", "e", "f"];
        assert_eq!(downgrade(&merged, &everything, "c").unwrap(), ["f"]);
        assert_eq!(downgrade(&merged, &everything, "d").unwrap(), ["f", "e"]);
    }

    #[test]
    fn downgrade_to_heads_reverts_nothing() {
        let graph = branched();
        assert_eq!(
            downgrade(&graph, ALL, "heads").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            downgrade(&graph, ALL, "main@head").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            downgrade(&graph, &["a"], "feature@head").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            downgrade(&merged(), &["a"], "head").unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn downgrade_by_steps_and_its_errors() {
        let graph = branched();
        assert_eq!(downgrade(&graph, ALL, "-1").unwrap(), ["e"]);
        assert_eq!(downgrade(&graph, ALL, "-2").unwrap(), ["e", "d"]);
        assert_eq!(
            downgrade(&graph, ALL, "-5").unwrap(),
            ["e", "d", "c", "b", "a"]
        );
        let error = downgrade(&graph, ALL, "-6").unwrap_err();
        assert_eq!(
            error,
            TargetError::NotEnoughApplied {
                requested: 6,
                available: 5
            }
        );
        assert_eq!(
            error.to_string(),
            "cannot downgrade 6 revisions: only 5 applied"
        );
        let forwards = downgrade(&graph, ALL, "+1").unwrap_err();
        assert_eq!(forwards, TargetError::ForwardDowngrade { steps: 1 });
        assert_eq!(
            forwards.to_string(),
            "`+1` goes forward: use `sqlmig upgrade +1`"
        );
        let not_applied = downgrade(&graph, &["a", "b"], "c").unwrap_err();
        assert_eq!(
            not_applied,
            TargetError::NotApplied {
                revision: "c".into()
            }
        );
        assert_eq!(
            not_applied.to_string(),
            "cannot downgrade to `c`: it is not applied"
        );
        // An odd set: `c` and `e` applied without their parents.
        assert_eq!(downgrade(&graph, &["c", "e"], "base").unwrap(), ["e", "c"]);
        assert!(matches!(
            downgrade(&graph, &["c", "e"], "b"),
            Err(TargetError::NotApplied { .. })
        ));
    }

    #[test]
    fn plans_report_the_heads_before_and_after() {
        let graph = branched();
        let plan = Plan::upgrade(&graph, &applied(&graph, &["a", "b"]), &Target::Heads).unwrap();
        assert_eq!(plan.direction, Direction::Upgrade);
        assert_eq!(graph.ids(&plan.from), ["b"]);
        assert_eq!(graph.ids(&plan.to), ["c", "e"]);
        assert!(!plan.is_empty());
        let plan = Plan::downgrade(&graph, &applied(&graph, ALL), &target("b")).unwrap();
        assert_eq!(plan.direction, Direction::Downgrade);
        assert_eq!(graph.ids(&plan.from), ["c", "e"]);
        assert_eq!(graph.ids(&plan.to), ["b", "d"]);
    }

    #[test]
    fn irreversible_steps_are_named_before_anything_runs() {
        let graph = branched();
        let plan = Plan::downgrade(&graph, &applied(&graph, ALL), &target("b")).unwrap();
        assert_eq!(graph.ids(&plan.irreversible_steps(&graph)), ["c"]);
        let plan = Plan::downgrade(&graph, &applied(&graph, ALL), &target("d")).unwrap();
        assert!(plan.irreversible_steps(&graph).is_empty());
        let plan = Plan::upgrade(&graph, &RevisionSet::empty(graph.len()), &Target::Heads).unwrap();
        assert!(plan.irreversible_steps(&graph).is_empty());
    }

    fn stamp(graph: &Graph, ids: &[&str], to: &str) -> (Vec<String>, Vec<String>) {
        let plan = Plan::stamp(graph, &applied(graph, ids), &target(to)).unwrap();
        (graph.ids(&plan.delete), graph.ids(&plan.insert))
    }

    #[test]
    fn stamp_sets_the_state_to_the_closure_of_the_target() {
        let graph = branched();
        let none = Vec::<String>::new;
        assert_eq!(
            stamp(&graph, &["a", "b", "c"], "feature@head"),
            (vec!["c".into()], vec!["d".into(), "e".into()])
        );
        assert_eq!(
            stamp(&graph, ALL, "base"),
            (graph.ids(&[4, 3, 2, 1, 0]), none())
        );
        assert_eq!(
            stamp(&graph, &[], "heads"),
            (none(), graph.ids(&[0, 1, 2, 3, 4]))
        );
        assert_eq!(
            stamp(&graph, &["a", "b", "c"], "+1"),
            (none(), vec!["d".into()])
        );
        assert_eq!(
            stamp(&graph, &["a", "b", "c"], "-1"),
            (vec!["c".into()], none())
        );
        // An odd set is made whole: `c` gains its parents.
        assert_eq!(
            stamp(&graph, &["c"], "c"),
            (none(), vec!["a".into(), "b".into()])
        );
        let plan = Plan::stamp(&graph, &applied(&graph, ALL), &Target::Heads).unwrap();
        assert!(plan.is_empty());
        assert_eq!(graph.ids(&plan.from), ["c", "e"]);
        let plan = Plan::stamp(&graph, &applied(&graph, &["a"]), &target("c")).unwrap();
        assert_eq!(graph.ids(&plan.from), ["a"]);
        assert_eq!(graph.ids(&plan.to), ["c"]);
        assert!(matches!(
            Plan::stamp(
                &graph,
                &RevisionSet::empty(graph.len()),
                &Target::Backward(1)
            ),
            Err(TargetError::NotEnoughApplied { .. })
        ));
    }

    #[test]
    fn large_graphs_plan_without_recursion() {
        use crate::graph::testing::{chain, random_dag};
        for revisions in [chain(10_000), random_dag(10_000, 7)] {
            let graph = graph(revisions);
            let nothing = RevisionSet::empty(graph.len());
            let upgrade = Plan::upgrade(&graph, &nothing, &Target::Heads).unwrap();
            assert_eq!(upgrade.steps.len(), 10_000);
            let everything = RevisionSet::full(graph.len());
            let downgrade = Plan::downgrade(&graph, &everything, &Target::Base).unwrap();
            assert_eq!(downgrade.steps.len(), 10_000);
            let first = graph.order()[0];
            let rest = Plan::downgrade(
                &graph,
                &everything,
                &Target::Revision(graph.revision(first).id.clone()),
            )
            .unwrap();
            assert_eq!(rest.steps.len(), graph.descendants(&[first]).len());
        }
    }
}
