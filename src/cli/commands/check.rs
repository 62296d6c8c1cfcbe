//! `sqlmig check`: exit 0 only if the database is at head with no drift, no
//! failed and no pending revisions.

use crate::cli::output::out;
use serde::Serialize;
use sqlmig::RevisionState;

use crate::cli::Outcome;
use crate::cli::output::{print_json, print_problem};
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct CheckJson {
    up_to_date: bool,
    current: Vec<String>,
    pending: Vec<String>,
    problems: Vec<String>,
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Outcome> {
    let mut database = settings.connect(true)?;
    let migrations = settings.load()?;
    let graph = migrations.graph();
    let status = migrations.status(&mut database)?;
    let pending: Vec<String> = status
        .revisions
        .iter()
        .filter(|entry| entry.state == RevisionState::Pending)
        .map(|entry| graph.revision(entry.index).id.clone())
        .collect();
    let up_to_date = status.is_up_to_date();
    if settings.json {
        print_json(&CheckJson {
            up_to_date,
            current: status.current.clone(),
            pending,
            problems: status.problems.iter().map(ToString::to_string).collect(),
        })?;
    } else {
        for problem in &status.problems {
            print_problem(problem);
        }
        if !pending.is_empty() {
            // One id a line: a long list stays readable and greppable.
            print_problem(&format!(
                "{} pending (run `sqlmig upgrade`):",
                crate::cli::output::revisions(pending.len()),
            ));
            for id in &pending {
                eprintln!("  {id}");
            }
        }
        if up_to_date && !settings.quiet {
            out!("up to date at {}", status.current.join(", "));
        }
    }
    Ok(if up_to_date {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}
