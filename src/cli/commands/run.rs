//! `sqlmig upgrade [TARGET]` and `sqlmig downgrade TARGET`: walk the plan on
//! the database, drawing progress on stderr; `--dry-run` prints the plan.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::cli::output::out;
use serde::Serialize;
use sqlmig::plan::Direction;
use sqlmig::{Graph, Migrator, RunOptions, RunReport, Target};

use crate::cli::Outcome;
use crate::cli::args::RunArgs;
use crate::cli::output::print_json;
use crate::cli::progress::Progress;
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct RunJson {
    direction: &'static str,
    dry_run: bool,
    /// Revisions this run applied or reverted (planned ones, for a dry run).
    revisions: Vec<String>,
    /// Revisions another runner had already done.
    skipped: Vec<String>,
    from: Vec<String>,
    to: Vec<String>,
    /// Stopped by Ctrl-C or SIGTERM between two revisions.
    interrupted: bool,
}

pub(crate) fn run(
    settings: &Settings,
    direction: Direction,
    target: &str,
    args: &RunArgs,
) -> anyhow::Result<Outcome> {
    let target: Target = target.parse()?;
    // The files first: a project without revisions fails before a SQLite
    // file is created for it.
    let migrations = settings.load()?;
    let mut database = settings.connect(args.dry_run)?;
    let graph = migrations.graph();
    let mut progress = Progress::new(settings.quiet, settings.json);
    let options = RunOptions {
        dry_run: args.dry_run,
        single_transaction: args.single_transaction,
    };
    let stop = Arc::new(AtomicBool::new(false));
    crate::cli::interrupt::install(&[&stop]);
    let mut migrator =
        Migrator::new(&migrations, &mut database, &mut progress)?.stop_when(Arc::clone(&stop));
    let report = match direction {
        Direction::Upgrade => migrator.upgrade(&target, options)?,
        Direction::Downgrade => migrator.downgrade(&target, options)?,
    };
    drop(migrator);
    progress.finish(direction);
    if !report.dry_run {
        super::schema::dump_if_configured(settings, &mut database)?;
    }
    if report.interrupted && !settings.quiet {
        if report.plan.is_empty() {
            eprintln!(
                "interrupted: stopped while waiting for the migration lock, nothing changed; still at {}",
                describe_heads(&report.to)
            );
        } else {
            eprintln!(
                "interrupted: stopped after {} of {} revisions; now at {}",
                report.steps.len(),
                report.plan.len(),
                describe_heads(&report.to)
            );
        }
    }
    if settings.json {
        print_json(&RunJson {
            direction: match direction {
                Direction::Upgrade => "upgrade",
                Direction::Downgrade => "downgrade",
            },
            dry_run: report.dry_run,
            revisions: if report.dry_run {
                graph.ids(&report.plan)
            } else {
                report
                    .steps
                    .iter()
                    .filter(|s| !s.skipped)
                    .map(|s| s.revision.clone())
                    .collect()
            },
            skipped: report
                .steps
                .iter()
                .filter(|s| s.skipped)
                .map(|s| s.revision.clone())
                .collect(),
            from: report.from.clone(),
            to: report.to.clone(),
            interrupted: report.interrupted,
        })?;
    } else if report.dry_run {
        print_plan(graph, &report);
    } else if report.plan.is_empty() && !settings.quiet {
        eprintln!("nothing to do: {}", describe_heads(&report.to));
    } else if !settings.quiet && !report.interrupted {
        eprintln!("now at {}", describe_heads(&report.to));
    }
    Ok(if report.interrupted {
        Outcome::CheckFailed
    } else {
        Outcome::Success
    })
}

fn describe_heads(heads: &[String]) -> String {
    if heads.is_empty() {
        String::from("base (nothing applied)")
    } else {
        heads.join(", ")
    }
}

/// What a dry run would do, statement by statement, on stdout.
fn print_plan(graph: &Graph, report: &RunReport) {
    let verb = match report.direction {
        Direction::Upgrade => "apply",
        Direction::Downgrade => "revert",
    };
    if report.plan.is_empty() {
        out!(
            "nothing to {verb}: the database is at {}",
            describe_heads(&report.from)
        );
        return;
    }
    out!(
        "would {verb} {} revision{} (from {} to {}):",
        report.plan.len(),
        if report.plan.len() == 1 { "" } else { "s" },
        describe_heads(&report.from),
        describe_heads(&report.to)
    );
    for &index in &report.plan {
        let revision = graph.revision(index);
        out!(
            "\n-- {} {} ({})",
            revision.id,
            revision.message,
            revision.path.display()
        );
        let section = match report.direction {
            Direction::Upgrade => Some(&revision.up),
            Direction::Downgrade => revision.down.as_ref(),
        };
        for statement in section.map_or(&[][..], |section| &section.statements) {
            out!("{};", statement.sql);
        }
    }
}
