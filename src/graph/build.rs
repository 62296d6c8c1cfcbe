//! Building a [`Graph`] from parsed revisions, and the checks of docs/DESIGN.md §2 that
//! come with it: unique ids, existing parents and dependencies, unique branch
//! labels, no cycle. Every problem is collected, none stops the others.
//!
//! Everything here is linear or `n log n` in revisions plus edges and uses
//! no recursion: the application order is Kahn's algorithm with a min-heap
//! on the id, and cycles (only looked for when Kahn's algorithm could not
//! place every revision) are found with an iterative Tarjan walk.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use super::{Graph, GraphError};
use crate::revision::Revision;
use crate::span::Span;

/// Parent and dependency edges resolved to indices, as far as the ids exist.
struct Edges {
    parents: Vec<Vec<usize>>,
    dependencies: Vec<Vec<usize>>,
}

impl Graph {
    /// Checks `revisions` (given sorted by path) and builds their graph, or
    /// returns every problem found, each naming the files involved.
    pub fn build(revisions: Vec<Revision>) -> Result<Graph, Vec<GraphError>> {
        let mut errors = Vec::new();
        let index_by_id = index_ids(&revisions, &mut errors);
        let edges = resolve_edges(&revisions, &index_by_id, &mut errors);
        let labels = index_labels(&revisions, &mut errors);

        let mut by_id: Vec<usize> = (0..revisions.len()).collect();
        // Stable, so duplicate ids (already an error) keep file order.
        by_id.sort_by(|&left, &right| revisions[left].id.cmp(&revisions[right].id));
        let mut rank = vec![0; revisions.len()];
        for (position, &index) in by_id.iter().enumerate() {
            rank[index] = position;
        }

        let children = reverse(&edges.parents);
        let dependents = reverse(&edges.dependencies);
        let order = application_order(&edges, &children, &dependents, &rank);
        if order.len() < revisions.len() {
            errors.extend(find_cycles(&revisions, &edges, &order, &rank));
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut positions = vec![0; revisions.len()];
        for (position, &index) in order.iter().enumerate() {
            positions[index] = position;
        }
        let heads = by_id
            .iter()
            .copied()
            .filter(|&index| children[index].is_empty())
            .collect();
        let bases = by_id
            .iter()
            .copied()
            .filter(|&index| edges.parents[index].is_empty())
            .collect();
        Ok(Graph {
            revisions,
            index_by_id,
            by_id,
            parents: edges.parents,
            dependencies: edges.dependencies,
            children,
            dependents,
            labels,
            order,
            positions,
            heads,
            bases,
        })
    }
}

/// The index of each id (its first file when repeated), reporting repeated ids.
fn index_ids(revisions: &[Revision], errors: &mut Vec<GraphError>) -> HashMap<String, usize> {
    let mut index_by_id = HashMap::with_capacity(revisions.len());
    let mut repeated: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, revision) in revisions.iter().enumerate() {
        if let Some(&first) = index_by_id.get(&revision.id) {
            repeated
                .entry(revision.id.as_str())
                .or_insert_with(|| vec![first])
                .push(index);
        } else {
            index_by_id.insert(revision.id.clone(), index);
        }
    }
    errors.extend(repeated.into_iter().map(|(id, indices)| {
        GraphError::DuplicateId {
            id: id.to_owned(),
            spans: indices
                .into_iter()
                .map(|index| revision_span(&revisions[index]))
                .collect(),
        }
    }));
    index_by_id
}

/// The parent and dependency indices of every revision, reporting the ids
/// that do not exist. A repeated entry is kept once, so that "more than one
/// parent" really means a merge.
fn resolve_edges(
    revisions: &[Revision],
    index_by_id: &HashMap<String, usize>,
    errors: &mut Vec<GraphError>,
) -> Edges {
    // `added[target] == owner + 1` marks an edge of `owner` already recorded,
    // which deduplicates in O(1) per edge whatever the number of parents.
    let mut added_parent = vec![0; revisions.len()];
    let mut added_dependency = vec![0; revisions.len()];
    let mut edges = Edges {
        parents: Vec::with_capacity(revisions.len()),
        dependencies: Vec::with_capacity(revisions.len()),
    };
    for (index, revision) in revisions.iter().enumerate() {
        let mut parents = Vec::with_capacity(revision.parents.len());
        for parent in &revision.parents {
            match index_by_id.get(parent) {
                Some(&target) if added_parent[target] != index + 1 => {
                    added_parent[target] = index + 1;
                    parents.push(target);
                }
                Some(_) => {}
                None => errors.push(GraphError::MissingParent {
                    revision: revision.id.clone(),
                    parent: parent.clone(),
                    span: Span::new(&revision.path, revision.header_lines.revises, 0),
                }),
            }
        }
        let mut dependencies = Vec::with_capacity(revision.dependencies.len());
        for dependency in &revision.dependencies {
            match index_by_id.get(dependency) {
                Some(&target) if added_dependency[target] != index + 1 => {
                    added_dependency[target] = index + 1;
                    dependencies.push(target);
                }
                Some(_) => {}
                None => errors.push(GraphError::MissingDependency {
                    revision: revision.id.clone(),
                    dependency: dependency.clone(),
                    span: Span::new(&revision.path, revision.header_lines.depends_on, 0),
                }),
            }
        }
        edges.parents.push(parents);
        edges.dependencies.push(dependencies);
    }
    edges
}

/// The revision carrying each branch label, reporting labels on several revisions.
fn index_labels(revisions: &[Revision], errors: &mut Vec<GraphError>) -> BTreeMap<String, usize> {
    let mut carriers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, revision) in revisions.iter().enumerate() {
        for label in &revision.branches {
            let indices = carriers.entry(label.as_str()).or_default();
            // The same label twice on one revision is the parser's to report.
            if indices.last() != Some(&index) {
                indices.push(index);
            }
        }
    }
    let mut labels = BTreeMap::new();
    for (label, indices) in carriers {
        if let [index] = indices[..] {
            labels.insert(label.to_owned(), index);
        } else {
            errors.push(GraphError::DuplicateBranchLabel {
                label: label.to_owned(),
                spans: indices
                    .into_iter()
                    .map(|index| Span::file(&revisions[index].path))
                    .collect(),
            });
        }
    }
    labels
}

/// The reverse adjacency of `edges`, each list in increasing index order.
fn reverse(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut reversed = vec![Vec::new(); edges.len()];
    for (index, targets) in edges.iter().enumerate() {
        for &target in targets {
            reversed[target].push(index);
        }
    }
    reversed
}

/// Kahn's algorithm: a revision becomes ready once its parents and
/// dependencies are placed, and the ready revision with the smallest id goes
/// first. Revisions on or behind a cycle are left out.
fn application_order(
    edges: &Edges,
    children: &[Vec<usize>],
    dependents: &[Vec<usize>],
    rank: &[usize],
) -> Vec<usize> {
    let count = rank.len();
    let mut waiting_for: Vec<usize> = (0..count)
        .map(|index| edges.parents[index].len() + edges.dependencies[index].len())
        .collect();
    let mut by_rank = vec![0; count];
    for (index, &position) in rank.iter().enumerate() {
        by_rank[position] = index;
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..count)
        .filter(|&index| waiting_for[index] == 0)
        .map(|index| Reverse(rank[index]))
        .collect();
    let mut order = Vec::with_capacity(count);
    while let Some(Reverse(position)) = ready.pop() {
        let index = by_rank[position];
        order.push(index);
        for &next in children[index].iter().chain(&dependents[index]) {
            waiting_for[next] -= 1;
            if waiting_for[next] == 0 {
                ready.push(Reverse(rank[next]));
            }
        }
    }
    order
}

/// One cycle per strongly connected component that has one, among the
/// revisions Kahn's algorithm could not place.
fn find_cycles(
    revisions: &[Revision],
    edges: &Edges,
    placed: &[usize],
    rank: &[usize],
) -> Vec<GraphError> {
    let mut stuck = vec![true; revisions.len()];
    for &index in placed {
        stuck[index] = false;
    }
    // A revision points to what it revises or depends on; only stuck
    // revisions can be on a cycle.
    let successors = |index: usize| {
        edges.parents[index]
            .iter()
            .chain(&edges.dependencies[index])
            .copied()
            .filter(|&next| stuck[next])
    };
    let components = strongly_connected_components(revisions.len(), &stuck, &successors);

    let mut component_of = vec![usize::MAX; revisions.len()];
    for (number, component) in components.iter().enumerate() {
        for &index in component {
            component_of[index] = number;
        }
    }
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for (number, component) in components.iter().enumerate() {
        let Some(&start) = component.iter().min_by_key(|&&index| rank[index]) else {
            continue;
        };
        let in_component = |next: &usize| component_of[*next] == number;
        if component.len() == 1 && !successors(start).any(|next| next == start) {
            continue;
        }
        // Walk from the smallest id, always to the smallest-id successor in the
        // component, until a revision repeats: what lies between is a cycle.
        let mut walk = vec![start];
        let mut visited_at = HashMap::from([(start, 0)]);
        let mut current = start;
        let cycle_start = loop {
            let next = successors(current)
                .filter(in_component)
                .min_by_key(|&next| rank[next])
                .expect("every revision of a cyclic component has a successor in it");
            if let Some(&at) = visited_at.get(&next) {
                break at;
            }
            visited_at.insert(next, walk.len());
            walk.push(next);
            current = next;
        };
        let mut cycle = walk.split_off(cycle_start);
        let smallest = (0..cycle.len())
            .min_by_key(|&position| rank[cycle[position]])
            .unwrap_or(0);
        cycle.rotate_left(smallest);
        cycles.push(cycle);
    }
    cycles.sort_by_key(|cycle| rank[cycle[0]]);
    cycles
        .into_iter()
        .map(|cycle| GraphError::Cycle {
            members: (0..cycle.len())
                .map(|position| {
                    let index = cycle[position];
                    let next = cycle[(position + 1) % cycle.len()];
                    let revision = &revisions[index];
                    let line = if edges.parents[index].contains(&next) {
                        revision.header_lines.revises
                    } else {
                        revision.header_lines.depends_on
                    };
                    (revision.id.clone(), Span::new(&revision.path, line, 0))
                })
                .collect(),
        })
        .collect()
}

/// Tarjan's algorithm with an explicit call stack, over the revisions marked
/// in `include`. Each component is returned as a list of indices.
fn strongly_connected_components<I>(
    count: usize,
    include: &[bool],
    successors: &impl Fn(usize) -> I,
) -> Vec<Vec<usize>>
where
    I: Iterator<Item = usize>,
{
    let mut tarjan = Tarjan {
        visit_number: vec![UNVISITED; count],
        lowest: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        counter: 0,
    };
    let mut components = Vec::new();
    // Each frame is a revision and the successors it has yet to look at.
    let mut calls: Vec<(usize, I)> = Vec::new();
    for root in (0..count).filter(|&index| include[index]) {
        if tarjan.visit_number[root] != UNVISITED {
            continue;
        }
        tarjan.enter(root);
        calls.push((root, successors(root)));
        while let Some((index, pending)) = calls.last_mut() {
            let index = *index;
            if let Some(next) = pending.next() {
                if tarjan.visit_number[next] == UNVISITED {
                    tarjan.enter(next);
                    calls.push((next, successors(next)));
                } else if tarjan.on_stack[next] {
                    tarjan.lowest[index] = tarjan.lowest[index].min(tarjan.visit_number[next]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(caller, _)) = calls.last() {
                tarjan.lowest[caller] = tarjan.lowest[caller].min(tarjan.lowest[index]);
            }
            if tarjan.lowest[index] == tarjan.visit_number[index] {
                components.push(tarjan.pop_component(index));
            }
        }
    }
    components
}

const UNVISITED: usize = usize::MAX;

/// The bookkeeping of [`strongly_connected_components`].
struct Tarjan {
    visit_number: Vec<usize>,
    lowest: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    counter: usize,
}

impl Tarjan {
    fn enter(&mut self, index: usize) {
        self.visit_number[index] = self.counter;
        self.lowest[index] = self.counter;
        self.counter += 1;
        self.stack.push(index);
        self.on_stack[index] = true;
    }

    /// Pops the component whose root is `root` off the stack.
    fn pop_component(&mut self, root: usize) -> Vec<usize> {
        let mut component = Vec::new();
        while let Some(member) = self.stack.pop() {
            self.on_stack[member] = false;
            component.push(member);
            if member == root {
                break;
            }
        }
        component
    }
}

/// The `-- revision:` line of `revision`.
fn revision_span(revision: &Revision) -> Span {
    Span::new(&revision.path, revision.header_lines.revision, 0)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{chain, labelled, random_dag, requires, revision};
    use super::*;

    fn errors(revisions: Vec<Revision>) -> Vec<GraphError> {
        match Graph::build(revisions) {
            Ok(_) => panic!("the graph should be invalid"),
            Err(errors) => errors,
        }
    }

    fn at(id: &str, line: u32) -> Span {
        Span::new(format!("migrations/{id}.sql"), line, 0)
    }

    #[test]
    fn duplicate_ids_name_every_file() {
        let mut copy = revision("a", &[]);
        copy.path = "migrations/z/a.sql".into();
        let mut third = revision("a", &[]);
        third.path = "migrations/zz/a.sql".into();
        let found = errors(vec![revision("a", &[]), revision("b", &["a"]), copy, third]);
        assert_eq!(
            found,
            [GraphError::DuplicateId {
                id: "a".into(),
                spans: vec![
                    at("a", 1),
                    Span::new("migrations/z/a.sql", 1, 0),
                    Span::new("migrations/zz/a.sql", 1, 0),
                ],
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "revision id `a` is declared by 3 files: migrations/a.sql:1, migrations/z/a.sql:1, migrations/zz/a.sql:1"
        );
    }

    #[test]
    fn missing_parents_and_dependencies_point_at_their_header_line() {
        let found = errors(vec![
            revision("a", &[]),
            requires(revision("b", &["a", "x"]), &["y", "a"]),
        ]);
        assert_eq!(
            found,
            [
                GraphError::MissingParent {
                    revision: "b".into(),
                    parent: "x".into(),
                    span: at("b", 2),
                },
                GraphError::MissingDependency {
                    revision: "b".into(),
                    dependency: "y".into(),
                    span: at("b", 3),
                },
            ]
        );
        assert_eq!(
            found[0].to_string(),
            "migrations/b.sql:2: revision `b` revises `x`, which does not exist"
        );
        assert_eq!(
            found[1].to_string(),
            "migrations/b.sql:3: revision `b` depends on `y`, which does not exist"
        );
    }

    #[test]
    fn a_revision_revising_itself_is_a_cycle_of_one() {
        let found = errors(vec![revision("a", &["a"])]);
        assert_eq!(
            found,
            [GraphError::Cycle {
                members: vec![("a".into(), at("a", 2))]
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "cycle in the revision graph (each revision revises or depends on the next): a (migrations/a.sql:2) -> a"
        );
    }

    #[test]
    fn a_cycle_is_printed_in_order_from_its_smallest_id() {
        // c revises b, b revises a, a depends on c; d hangs below the cycle
        // and e is fine.
        let found = errors(vec![
            requires(revision("a", &[]), &["c"]),
            revision("b", &["a"]),
            revision("c", &["b"]),
            revision("d", &["c"]),
            revision("e", &[]),
        ]);
        assert_eq!(
            found,
            [GraphError::Cycle {
                members: vec![
                    ("a".into(), at("a", 3)),
                    ("c".into(), at("c", 2)),
                    ("b".into(), at("b", 2)),
                ]
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "cycle in the revision graph (each revision revises or depends on the next): a (migrations/a.sql:3) -> c (migrations/c.sql:2) -> b (migrations/b.sql:2) -> a"
        );
    }

    #[test]
    fn each_cyclic_component_is_reported_once() {
        // Two separate cycles, the first with a chord (x -> z) that makes
        // several cycles through the same revisions.
        let found = errors(vec![
            revision("p", &["q"]),
            revision("q", &["p"]),
            revision("x", &["y", "z"]),
            revision("y", &["z"]),
            revision("z", &["x"]),
        ]);
        let cycles: Vec<Vec<&str>> = found
            .iter()
            .map(|error| match error {
                GraphError::Cycle { members } => {
                    members.iter().map(|(id, _)| id.as_str()).collect()
                }
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(cycles, [vec!["p", "q"], vec!["x", "y", "z"]]);
    }

    #[test]
    fn a_branch_label_may_name_only_one_revision() {
        let found = errors(vec![
            labelled(revision("a", &[]), &["main"]),
            labelled(revision("b", &["a"]), &["main", "other"]),
        ]);
        assert_eq!(
            found,
            [GraphError::DuplicateBranchLabel {
                label: "main".into(),
                spans: vec![
                    Span::file("migrations/a.sql"),
                    Span::file("migrations/b.sql")
                ],
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "branch label `main` is carried by 2 revisions, but may name only one: migrations/a.sql, migrations/b.sql"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = errors(vec![
            revision("a", &["missing"]),
            revision("a", &[]),
            labelled(revision("b", &["b"]), &["l"]),
            labelled(revision("c", &[]), &["l"]),
        ]);
        let kinds: Vec<&str> = found
            .iter()
            .map(|error| match error {
                GraphError::DuplicateId { .. } => "duplicate",
                GraphError::MissingParent { .. } => "parent",
                GraphError::DuplicateBranchLabel { .. } => "label",
                GraphError::Cycle { .. } => "cycle",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["duplicate", "parent", "label", "cycle"]);
    }

    #[test]
    fn repeated_edges_count_once() {
        let graph = Graph::build(vec![
            revision("a", &[]),
            requires(revision("b", &["a", "a"]), &["a", "a"]),
        ])
        .unwrap();
        assert_eq!(graph.parents(1), [0]);
        assert_eq!(graph.dependencies(1), [0]);
        assert!(!graph.is_merge_point(1));
        assert_eq!(graph.order(), [0, 1]);
    }

    #[test]
    fn an_empty_directory_is_an_empty_graph() {
        let graph = Graph::build(Vec::new()).unwrap();
        assert!(graph.is_empty());
        assert!(graph.heads().is_empty());
        assert!(graph.order().is_empty());
    }

    #[test]
    fn a_long_chain_builds_without_recursion() {
        let graph = Graph::build(chain(10_000)).unwrap();
        assert_eq!(graph.order(), (0..10_000).collect::<Vec<_>>());
        assert_eq!(graph.heads(), [9_999]);
        assert_eq!(graph.ancestors(&[9_999]).len(), 9_999);
        assert_eq!(graph.descendants(&[0]).len(), 9_999);
    }

    #[test]
    fn a_long_cycle_is_found_without_recursion() {
        let mut revisions = chain(10_000);
        revisions[0].parents = vec![revisions[9_999].id.clone()];
        revisions[0].header_lines.revises = 2;
        let found = errors(revisions);
        assert!(matches!(&found[..], [GraphError::Cycle { members }] if members.len() == 10_000));
    }

    #[test]
    fn a_random_dag_orders_parents_and_dependencies_first() {
        let graph = Graph::build(random_dag(10_000, 42)).unwrap();
        assert_eq!(graph.order().len(), 10_000);
        for index in 0..graph.len() {
            for &before in graph.parents(index).iter().chain(graph.dependencies(index)) {
                assert!(graph.position(before) < graph.position(index));
            }
        }
        // Same input, same order.
        let again = Graph::build(random_dag(10_000, 42)).unwrap();
        assert_eq!(graph.order(), again.order());
    }
}
