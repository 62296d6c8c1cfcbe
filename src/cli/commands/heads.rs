//! `sqlmig heads`: the revisions nothing revises.

use crate::cli::output::out;
use serde::Serialize;

use crate::cli::Outcome;
use crate::cli::output::print_json;
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct HeadsJson {
    heads: Vec<String>,
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Outcome> {
    let migrations = settings.load()?;
    let graph = migrations.graph();
    if settings.json {
        print_json(&HeadsJson {
            heads: graph.ids(graph.heads()),
        })?;
        return Ok(Outcome::Success);
    }
    for &head in graph.heads() {
        out!("{}", super::history::one_line(graph, head));
    }
    Ok(Outcome::Success)
}
