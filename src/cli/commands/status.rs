//! `sqlmig status`: every revision, applied, pending or failed, and whether
//! its checksum still matches the file.

use crate::cli::output::out;
use serde::Serialize;
use sqlmig::{RevisionState, Status};

use crate::cli::Outcome;
use crate::cli::output::{print_json, print_problem};
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct FailureJson {
    statement: Option<u32>,
    line: Option<u32>,
    statements_run: u32,
    error: Option<String>,
    direction: String,
}

#[derive(Serialize)]
struct RevisionJson {
    revision: String,
    message: String,
    state: &'static str,
    checksum_ok: Option<bool>,
    down_checksum_ok: Option<bool>,
    path: String,
    applied_at: Option<String>,
    failure: Option<FailureJson>,
}

#[derive(Serialize)]
struct UnknownJson {
    revision: String,
    path: String,
    state: &'static str,
}

#[derive(Serialize)]
struct StatusJson {
    dialect: &'static str,
    database: String,
    current: Vec<String>,
    revisions: Vec<RevisionJson>,
    unknown: Vec<UnknownJson>,
    up_to_date: bool,
    problems: Vec<String>,
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Outcome> {
    let mut database = settings.connect(true)?;
    let migrations = settings.load()?;
    let graph = migrations.graph();
    let status = migrations.status(&mut database)?;
    if settings.json {
        print_json(&status_json(graph, &status, database.url().to_string()))?;
        return Ok(Outcome::Success);
    }
    out!("database: {} ({})", database.url(), status.dialect.title());
    out!(
        "current:  {}",
        if status.current.is_empty() {
            String::from("base (nothing applied)")
        } else {
            status.current.join(", ")
        }
    );
    out!("");
    let width = status
        .revisions
        .iter()
        .map(|r| graph.revision(r.index).id.len())
        .max()
        .unwrap_or(0);
    for entry in &status.revisions {
        let revision = graph.revision(entry.index);
        let mut notes = Vec::new();
        if entry.checksum_ok == Some(false) {
            notes.push(String::from("CHECKSUM CHANGED"));
        }
        if entry.down_changed {
            notes.push(String::from("down section changed"));
        }
        if let Some(row) = entry
            .row
            .as_ref()
            .filter(|_| entry.state == RevisionState::Failed)
        {
            notes.push(format!(
                "statement {} at line {}: {}",
                row.failed_statement
                    .map_or_else(|| String::from("?"), |s| s.to_string()),
                row.failed_line
                    .map_or_else(|| String::from("?"), |l| l.to_string()),
                row.error.as_deref().unwrap_or("interrupted")
            ));
        }
        let applied_at = entry
            .row
            .as_ref()
            .map(|row| row.applied_at.as_str())
            .unwrap_or("");
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  [{}]", notes.join("; "))
        };
        out!(
            "  {:<8} {:<width$}  {:<24} {}{}",
            entry.state.as_str(),
            revision.id,
            applied_at,
            revision.message,
            notes
        );
    }
    for row in &status.unknown {
        out!(
            "  {:<8} {:<width$}  {:<24} (file {} is missing)",
            "unknown",
            row.revision,
            row.applied_at,
            row.path
        );
    }
    out!("");
    out!(
        "{}: {} applied, {} pending, {} failed",
        crate::cli::output::revisions(status.revisions.len()),
        status.revisions.len() - status.pending() - status.failed(),
        status.pending(),
        status.failed()
    );
    for problem in &status.problems {
        print_problem(problem);
    }
    Ok(Outcome::Success)
}

fn status_json(graph: &sqlmig::Graph, status: &Status, database: String) -> StatusJson {
    StatusJson {
        dialect: status.dialect.name(),
        database,
        current: status.current.clone(),
        revisions: status
            .revisions
            .iter()
            .map(|entry| {
                let revision = graph.revision(entry.index);
                let row = entry.row.as_ref();
                RevisionJson {
                    revision: revision.id.clone(),
                    message: revision.message.clone(),
                    state: entry.state.as_str(),
                    checksum_ok: entry.checksum_ok,
                    down_checksum_ok: row.map(|_| !entry.down_changed),
                    path: revision.path.display().to_string(),
                    applied_at: row.map(|row| row.applied_at.clone()),
                    failure: row
                        .filter(|_| entry.state == RevisionState::Failed)
                        .map(|row| FailureJson {
                            statement: row.failed_statement,
                            line: row.failed_line,
                            statements_run: row.statements_run,
                            error: row.error.clone(),
                            direction: row.direction.to_string(),
                        }),
                }
            })
            .collect(),
        unknown: status
            .unknown
            .iter()
            .map(|row| UnknownJson {
                revision: row.revision.clone(),
                path: row.path.clone(),
                state: "applied",
            })
            .collect(),
        up_to_date: status.is_up_to_date(),
        problems: status.problems.iter().map(ToString::to_string).collect(),
    }
}
