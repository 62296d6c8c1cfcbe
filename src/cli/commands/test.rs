//! `sqlmig test`: the staircase of SPEC §8 on a scratch database. Text:
//! one line per revision, stopping at the first failure, which names the
//! revision, its file and the difference as `diff` prints it. `--json`
//! goes on past failures (each on a freshly replayed scratch database), so
//! CI sees every broken revision at once.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use serde::Serialize;
use sqlmig::Target;
use sqlmig::schema::{Change, Failure, Source, StairwayOptions, StairwayReport, Verdict};

use crate::cli::Outcome;
use crate::cli::args::TestArgs;
use crate::cli::commands::diff::{Reader, print};
use crate::cli::output::{out, print_json, print_problem};
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct TestJson<'a> {
    revisions: Vec<RevisionJson<'a>>,
    passed: usize,
    failed: usize,
}

#[derive(Serialize)]
struct RevisionJson<'a> {
    revision: &'a str,
    result: Verdict,
    difference: &'a [Change],
    /// Why it failed, or why it was stepped over (not in SPEC §8's shape:
    /// added so that failures without a schema difference say what broke).
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

pub(crate) fn run(settings: &Settings, args: &TestArgs) -> anyhow::Result<Outcome> {
    let target: Target = args.target.as_deref().unwrap_or("head").parse()?;
    let migrations = settings.load()?;
    let reader = Reader::new(settings, args.dev_url.as_deref(), &[]);
    let wanted = match settings.schema_file() {
        Some(file) if target == Target::Head => {
            Some(reader.read(settings, &Source::SqlFile(file))?)
        }
        _ => None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    crate::cli::interrupt::install(&[&stop]);
    let options = StairwayOptions {
        strict: args.strict,
        keep_going: settings.json,
        stop: Some(stop),
    };
    let report = sqlmig::schema::stairway(
        &migrations,
        &target,
        wanted.as_ref(),
        &options,
        &reader.context(settings),
    )
    .context("cannot run the staircase")?;
    if settings.json {
        print_json(&json(&report))?;
    } else {
        text(settings, &report)?;
    }
    Ok(if report.is_success() {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

fn json(report: &StairwayReport) -> TestJson<'_> {
    TestJson {
        revisions: report
            .steps
            .iter()
            .map(|step| RevisionJson {
                revision: &step.revision,
                result: step.verdict,
                difference: step
                    .failure
                    .as_ref()
                    .and_then(|failure| failure.difference())
                    .map_or(&[], |diff| &diff.changes),
                message: match (&step.failure, step.verdict) {
                    (Some(failure), _) => Some(failure.message()),
                    (None, Verdict::Irreversible) => Some(String::from(IRREVERSIBLE)),
                    (None, _) => None,
                },
            })
            .collect(),
        passed: report.passed(),
        failed: report.failed(),
    }
}

const IRREVERSIBLE: &str = "no `-- down` section: applied and stepped over";

fn text(settings: &Settings, report: &StairwayReport) -> anyhow::Result<()> {
    for step in &report.steps {
        match (&step.failure, step.verdict) {
            // An empty down section's message names the revision and its line.
            (Some(failure @ Failure::EmptyDown(_)), _) => print_problem(&failure.message()),
            (Some(failure), _) => {
                print_problem(&format!(
                    "revision {} ({}): {}",
                    step.revision,
                    step.path.display(),
                    failure.message()
                ));
                if let Some(diff) = failure.difference() {
                    print(settings, diff)?;
                }
            }
            (None, Verdict::Irreversible) if !settings.quiet => {
                out!(
                    "irreversible {} ({}): {IRREVERSIBLE}",
                    step.revision,
                    step.path.display()
                );
            }
            (None, _) if !settings.quiet => out!("ok {}", step.revision),
            (None, _) => {}
        }
    }
    if report.interrupted {
        eprintln!(
            "interrupted after {}; the scratch database was dropped",
            crate::cli::output::revisions(report.steps.len())
        );
    } else if report.is_success() && !settings.quiet {
        let irreversible = report
            .steps
            .iter()
            .filter(|step| step.verdict == Verdict::Irreversible)
            .count();
        out!(
            "ok: {} tested, each down section undoes its up section ({irreversible} irreversible, stepped over)",
            crate::cli::output::revisions(report.steps.len())
        );
    }
    Ok(())
}
