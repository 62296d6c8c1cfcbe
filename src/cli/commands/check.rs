//! `sqlmig check`: exit 0 only if the database is at head with no drift, no
//! failed and no pending revisions.

use crate::cli::output::out;
use std::path::Path;

use serde::Serialize;
use sqlmig::RevisionState;

use anyhow::{Context, bail};
use sqlmig::schema::Source;

use crate::cli::Outcome;
use crate::cli::args::CheckArgs;
use crate::cli::commands::diff::{Reader, print, refuse_unsupported};
use crate::cli::output::{print_json, print_problem};
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct CheckJson {
    up_to_date: bool,
    current: Vec<String>,
    pending: Vec<String>,
    problems: Vec<String>,
}

pub(crate) fn run(settings: &Settings, args: &CheckArgs) -> anyhow::Result<Outcome> {
    if args.drift {
        return drift(settings, args);
    }
    if let Some(file) = &args.schema_file {
        return schema_file(settings, args, file.as_deref());
    }
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

/// `check --schema-file`: the migrations replayed to head against FILE;
/// the difference printed is what a new revision must do.
fn schema_file(
    settings: &Settings,
    args: &CheckArgs,
    file: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let Some(file) = file
        .map(Path::to_path_buf)
        .or_else(|| settings.schema_file())
    else {
        bail!("no schema file: pass --schema-file FILE or set `schema_file` in sqlmig.toml");
    };
    let (from, to) = (Source::Migrations(None), Source::SqlFile(file.clone()));
    let reader = Reader::new(settings, args.dev_url.as_deref(), &[&from, &to]);
    let replayed = reader.read(settings, &from)?;
    let wanted = reader.read(settings, &to)?;
    let diff = sqlmig::schema::diff(&replayed, &wanted, reader.dialect);
    refuse_unsupported(&diff, reader.dialect)?;
    if !diff.is_empty() && !settings.json && !settings.quiet {
        eprintln!(
            "the migrations do not give the schema of {}: a revision must still make these changes (`sqlmig diff -m MESSAGE` writes it)",
            file.display()
        );
    }
    print(settings, &diff)
}

/// `check --drift`: the live schema against what its applied revisions
/// give; the difference printed is what was changed out of band.
fn drift(settings: &Settings, args: &CheckArgs) -> anyhow::Result<Outcome> {
    let mut database = settings.connect(true)?;
    let migrations = settings.load()?;
    let status = migrations.status(&mut database)?;
    let live =
        sqlmig::schema::inspect(&mut database).context("cannot read the database's schema")?;
    let reader = Reader::new(
        settings,
        args.dev_url.as_deref(),
        &[&Source::Migrations(None)],
    );
    let heads: Vec<&str> = status.current.iter().map(String::as_str).collect();
    let (expected, dev_version) =
        sqlmig::schema::read_replayed(&migrations, &heads, &reader.context(settings))
            .context("cannot replay the applied revisions")?;
    let live_version = database.server_version()?;
    if !database.dialect().same_release(dev_version, live_version) && !settings.quiet {
        eprintln!(
            "{} the dev server is {title} {dev_version} and the live server {title} {live_version}: two major releases may print the same view, default or routine differently, so a difference below may come from the versions, not from a change",
            crate::cli::output::warning_label(),
            title = database.dialect().title(),
        );
    }
    let diff = sqlmig::schema::diff(&expected, &live, database.dialect());
    refuse_unsupported(&diff, database.dialect())?;
    if !diff.is_empty() && !settings.json && !settings.quiet {
        eprintln!(
            "the database differs from what its applied revisions ({}) give: changed out of band, as this DDL would do:",
            if heads.is_empty() {
                String::from("none")
            } else {
                heads.join(", ")
            }
        );
    }
    print(settings, &diff)
}
