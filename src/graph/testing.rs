//! Test helpers that build [`Revision`] values and graphs directly, without
//! revision files: `migrations/<id>.sql` with the `revision` key on line 1,
//! `revises` on line 2 and `depends-on` on line 3.

use super::Graph;
use crate::revision::{Checksum, HeaderLines, Revision, Section};

/// A revision `id` revising `parents`, with an empty up and down section.
pub(crate) fn revision(id: &str, parents: &[&str]) -> Revision {
    let relative_path = format!("{id}.sql");
    Revision {
        id: id.to_owned(),
        parents: parents.iter().map(|&parent| parent.to_owned()).collect(),
        dependencies: Vec::new(),
        branches: Vec::new(),
        message: String::new(),
        transactional: true,
        up: section(5),
        down: Some(section(6)),
        path: format!("migrations/{relative_path}").into(),
        relative_path,
        checksum: Checksum::of_bytes(id.as_bytes()),
        file_checksum: Checksum::of_bytes(id.as_bytes()),
        header_lines: HeaderLines {
            revision: 1,
            revises: if parents.is_empty() { 0 } else { 2 },
            depends_on: 0,
        },
    }
}

fn section(line: u32) -> Section {
    Section {
        line,
        statements: Vec::new(),
        checksum: Checksum::of_bytes(b""),
        nothing_to_undo: false,
    }
}

/// `revision` with `-- depends-on: dependencies` on line 3.
pub(crate) fn requires(mut revision: Revision, dependencies: &[&str]) -> Revision {
    revision.dependencies = dependencies
        .iter()
        .map(|&dependency| dependency.to_owned())
        .collect();
    revision.header_lines.depends_on = 3;
    revision
}

/// `revision` with the branch labels `labels`.
pub(crate) fn labelled(mut revision: Revision, labels: &[&str]) -> Revision {
    revision.branches = labels.iter().map(|&label| label.to_owned()).collect();
    revision
}

/// `revision` without a down section.
pub(crate) fn irreversible(mut revision: Revision) -> Revision {
    revision.down = None;
    revision
}

/// The graph of `revisions`, which must be valid.
#[track_caller]
pub(crate) fn graph(revisions: Vec<Revision>) -> Graph {
    match Graph::build(revisions) {
        Ok(graph) => graph,
        Err(errors) => panic!("invalid test graph: {errors:?}"),
    }
}

/// A deterministic linear congruential generator, so that "random" graphs are
/// the same on every run.
pub(crate) struct Lcg(u64);

impl Lcg {
    pub(crate) fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        // Knuth's MMIX constants; the high bits are the well-mixed ones.
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % bound as u64) as usize
    }
}

/// A chain of `length` revisions, each revising the one before.
pub(crate) fn chain(length: usize) -> Vec<Revision> {
    let ids: Vec<String> = (0..length).map(|number| format!("r{number:05}")).collect();
    (0..length)
        .map(|number| match number {
            0 => revision(&ids[0], &[]),
            _ => revision(&ids[number], &[&ids[number - 1]]),
        })
        .collect()
}

/// A random DAG of `size` revisions: each revises one or two earlier ones
/// (or none, now and then), and some also depend on an earlier one. Ids are
/// scrambled so that id order and edge order disagree, and the list is given
/// in id order, the way paths sorting would give them.
pub(crate) fn random_dag(size: usize, seed: u64) -> Vec<Revision> {
    let mut random = Lcg::new(seed);
    let ids: Vec<String> = (0..size)
        .map(|number| format!("{:08x}{number}", random.below(1 << 31)))
        .collect();
    let mut revisions: Vec<Revision> = (0..size)
        .map(|number| {
            let mut parents: Vec<&str> = Vec::new();
            if number > 0 && random.below(50) != 0 {
                parents.push(&ids[random.below(number)]);
                if random.below(4) == 0 {
                    let other = &ids[random.below(number)];
                    if !parents.contains(&other.as_str()) {
                        parents.push(other);
                    }
                }
            }
            let mut revision = revision(&ids[number], &parents);
            if number > 0 && random.below(5) == 0 {
                revision = requires(revision, &[&ids[random.below(number)]]);
            }
            revision
        })
        .collect();
    revisions.sort_by(|left, right| left.id.cmp(&right.id));
    revisions
}
