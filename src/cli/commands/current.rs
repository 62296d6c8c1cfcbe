//! `sqlmig current`: the applied heads of the database.

use crate::cli::output::out;
use serde::Serialize;

use crate::cli::Outcome;
use crate::cli::output::print_json;
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct CurrentJson {
    current: Vec<String>,
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Outcome> {
    let mut database = settings.connect(true)?;
    let migrations = settings.load()?;
    let status = migrations.status(&mut database)?;
    if settings.json {
        print_json(&CurrentJson {
            current: status.current,
        })?;
        return Ok(Outcome::Success);
    }
    if status.current.is_empty() && !settings.quiet {
        eprintln!("nothing applied yet (base)");
    }
    let graph = migrations.graph();
    for id in &status.current {
        match graph.index_of(id) {
            Some(index) => out!("{}", super::history::one_line(graph, index)),
            None => out!("{id} (its file is missing)"),
        }
    }
    Ok(Outcome::Success)
}
