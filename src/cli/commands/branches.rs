//! `sqlmig branches`: every branch point and the revisions that fork from it.

use crate::cli::output::out;
use serde::Serialize;

use crate::cli::Outcome;
use crate::cli::output::print_json;
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct BranchPointJson {
    revision: String,
    message: String,
    children: Vec<String>,
}

#[derive(Serialize)]
struct BranchesJson {
    branch_points: Vec<BranchPointJson>,
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Outcome> {
    let migrations = settings.load()?;
    let graph = migrations.graph();
    let branch_points: Vec<usize> = graph
        .order()
        .iter()
        .rev()
        .copied()
        .filter(|&index| graph.is_branch_point(index))
        .collect();
    if settings.json {
        print_json(&BranchesJson {
            branch_points: branch_points
                .iter()
                .map(|&index| BranchPointJson {
                    revision: graph.revision(index).id.clone(),
                    message: graph.revision(index).message.clone(),
                    children: graph.ids(graph.children(index)),
                })
                .collect(),
        })?;
        return Ok(Outcome::Success);
    }
    for index in branch_points {
        let line = super::history::one_line(graph, index);
        out!("{line}");
        let indent = " ".repeat(graph.revision(index).id.len() + 1);
        for &child in graph.children(index) {
            out!("{indent}-> {}", super::history::one_line(graph, child));
        }
    }
    Ok(Outcome::Success)
}
