//! `sqlmig history [-r FROM:TO] [--verbose]`: the graph, newest first, with
//! heads, branch points and merge points marked.

use crate::cli::output::{out, write_stdout};
use anyhow::Context;
use serde::Serialize;
use sqlmig::{Graph, Target};

use crate::cli::Outcome;
use crate::cli::args::HistoryArgs;
use crate::cli::output::print_json;
use crate::cli::settings::Settings;

/// A revision as `history --json` and `show --json` describe it.
#[derive(Serialize)]
pub(crate) struct RevisionJson {
    revision: String,
    revises: Vec<String>,
    depends_on: Vec<String>,
    branches: Vec<String>,
    message: String,
    path: String,
    head: bool,
    branch_point: bool,
    merge_point: bool,
}

#[derive(Serialize)]
struct HistoryJson {
    revisions: Vec<RevisionJson>,
}

pub(crate) fn run(settings: &Settings, args: &HistoryArgs) -> anyhow::Result<Outcome> {
    let migrations = settings.load()?;
    let graph = migrations.graph();
    let (from, to) = match &args.range {
        Some(range) => parse_range(range)?,
        None => (None, None),
    };
    let revisions = graph.range(from.as_ref(), to.as_ref())?;
    if settings.json {
        print_json(&HistoryJson {
            revisions: revisions
                .iter()
                .map(|&index| RevisionJson::new(graph, index))
                .collect(),
        })?;
        return Ok(Outcome::Success);
    }
    for (position, &index) in revisions.iter().enumerate() {
        if args.verbose {
            if position > 0 {
                out!("");
            }
            write_stdout(format_args!("{}", verbose_block(graph, index)));
        } else {
            out!("{}", edge_line(graph, index));
        }
    }
    Ok(Outcome::Success)
}

impl RevisionJson {
    pub(crate) fn new(graph: &Graph, index: usize) -> Self {
        let revision = graph.revision(index);
        RevisionJson {
            revision: revision.id.clone(),
            revises: revision.parents.clone(),
            depends_on: revision.dependencies.clone(),
            branches: revision.branches.clone(),
            message: revision.message.clone(),
            path: revision.path.display().to_string(),
            head: graph.is_head(index),
            branch_point: graph.is_branch_point(index),
            merge_point: graph.is_merge_point(index),
        }
    }
}

/// `FROM:TO`, either side optional.
fn parse_range(range: &str) -> anyhow::Result<(Option<Target>, Option<Target>)> {
    let (from, to) = range.split_once(':').with_context(|| {
        format!("invalid range `{range}`: expected FROM:TO (either side may be empty)")
    })?;
    let side = |text: &str| -> anyhow::Result<Option<Target>> {
        if text.is_empty() {
            Ok(None)
        } else {
            Ok(Some(text.parse::<Target>()?))
        }
    };
    Ok((side(from)?, side(to)?))
}

/// The markers after an id: `(head)`, `(branchpoint)`, `(mergepoint)`, labels.
fn markers(graph: &Graph, index: usize) -> String {
    let revision = graph.revision(index);
    let mut markers = String::new();
    if graph.is_head(index) {
        markers.push_str(" (head)");
    }
    if graph.is_branch_point(index) {
        markers.push_str(" (branchpoint)");
    }
    if graph.is_merge_point(index) {
        markers.push_str(" (mergepoint)");
    }
    if !revision.branches.is_empty() {
        markers.push_str(&format!(" ({})", revision.branches.join(", ")));
    }
    markers
}

/// `ID (markers) message`, for `heads` and `branches`.
pub(crate) fn one_line(graph: &Graph, index: usize) -> String {
    let revision = graph.revision(index);
    format!(
        "{}{} {}",
        revision.id,
        markers(graph, index),
        revision.message
    )
    .trim_end()
    .to_owned()
}

/// `PARENTS -> ID (markers), message`, as Alembic's history prints it.
fn edge_line(graph: &Graph, index: usize) -> String {
    let revision = graph.revision(index);
    let parents = match revision.parents.as_slice() {
        [] => String::from("<base>"),
        [parent] => parent.clone(),
        parents => format!("({})", parents.join(", ")),
    };
    format!(
        "{parents} -> {}{}, {}",
        revision.id,
        markers(graph, index),
        revision.message
    )
}

/// Every detail of one revision, as `history --verbose` and `show` print it.
pub(crate) fn verbose_block(graph: &Graph, index: usize) -> String {
    let revision = graph.revision(index);
    let list = |items: &[String]| {
        if items.is_empty() {
            String::from("<none>")
        } else {
            items.join(", ")
        }
    };
    let down = revision.down.as_ref().map_or_else(
        || String::from("none (irreversible)"),
        |down| down.statements.len().to_string(),
    );
    format!(
        "Revision: {}{}\nRevises: {}\nDepends on: {}\nBranch labels: {}\nPath: {}\nTransaction: {}\nChecksum: {}\nStatements: {} up, {} down\nMessage: {}\n",
        revision.id,
        markers(graph, index),
        if revision.parents.is_empty() {
            String::from("<base>")
        } else {
            revision.parents.join(", ")
        },
        list(&revision.dependencies),
        list(&revision.branches),
        revision.path.display(),
        revision.transactional,
        revision.checksum,
        revision.up.statements.len(),
        down,
        revision.message,
    )
}
