//! `sqlmig repair`: clear failed rows, accept changed checksums, forget rows
//! of missing files, each only when asked by its flag. Without flags it lists
//! what needs repair and exits 1 if anything does.

use crate::cli::output::out;
use sqlmig::{Migrator, RepairRequest};

use crate::cli::Outcome;
use crate::cli::args::RepairArgs;
use crate::cli::output::{print_json, print_problem};
use crate::cli::progress::Progress;
use crate::cli::settings::Settings;

pub(crate) fn run(settings: &Settings, args: &RepairArgs) -> anyhow::Result<Outcome> {
    let request = RepairRequest {
        accept_checksums: args.accept_checksum.clone(),
        clear_failed: args.clear_failed.clone(),
        mark_applied: args.mark_applied.clone(),
        forget: args.forget.clone(),
    };
    let migrations = settings.load()?;
    if let Some(id) = &args.resume {
        let mut database = settings.connect(false)?;
        let mut progress = Progress::new(settings.quiet, settings.json);
        let change = Migrator::new(&migrations, &mut database, &mut progress)?.resume(id)?;
        if settings.json {
            print_json(&serde_json::json!({ "changes": [change] }))?;
        } else if !settings.quiet {
            out!("{change}");
        }
        return Ok(Outcome::Success);
    }
    if request.is_empty() {
        let mut database = settings.connect(true)?;
        let status = migrations.status(&mut database)?;
        for problem in &status.problems {
            print_problem(problem);
        }
        if settings.json {
            let problems: Vec<String> = status
                .problems
                .iter()
                .map(|problem| sqlmig::database_url::redact_urls_in(&problem.to_string()))
                .collect();
            print_json(&serde_json::json!({ "problems": problems, "changes": [] }))?;
        } else if status.problems.is_empty() && !settings.quiet {
            out!("nothing to repair");
        }
        return Ok(if status.problems.is_empty() {
            Outcome::Success
        } else {
            Outcome::CheckFailed
        });
    }
    let mut database = settings.connect(false)?;
    let mut progress = Progress::new(settings.quiet, settings.json);
    let changes = Migrator::new(&migrations, &mut database, &mut progress)?.repair(&request)?;
    if settings.json {
        print_json(&serde_json::json!({ "changes": changes }))?;
    } else if !settings.quiet {
        for change in changes {
            out!("{change}");
        }
    }
    Ok(Outcome::Success)
}
