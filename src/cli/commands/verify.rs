//! `sqlmig verify`: the pre-commit check. Lists each problem on its own line
//! and exits 1, or says what it checked and exits 0.

use crate::cli::output::out;
use serde::Serialize;
use sqlmig::verify::{VerifyOptions, VerifyReport, verify};

use crate::cli::Outcome;
use crate::cli::args::VerifyArgs;
use crate::cli::output::{print_json, print_problem};
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct VerifyJson {
    ok: bool,
    files: usize,
    heads: Vec<String>,
    problems: Vec<String>,
    warnings: Vec<String>,
}

pub(crate) fn run(settings: &Settings, args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let options = VerifyOptions {
        allow_multiple_heads: settings.allow_multiple_heads,
        server_version: Some(
            settings.server_version(settings.dialect(), args.server_version.as_deref())?,
        ),
    };
    let report = verify(&settings.dir, settings.dialect(), options)?;
    let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    let mut warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    warnings.extend(
        report
            .empty_downs
            .iter()
            .map(|empty| format!("{empty}; {}", sqlmig::revision::EmptyDown::HELP)),
    );
    if let Some(assumed) = assumed_version(settings, &report) {
        warnings.push(assumed);
    }
    if settings.database_url_flag && report.problems.is_empty() {
        let (database_problems, database_warnings) = check_database(settings)?;
        problems.extend(database_problems);
        warnings.extend(database_warnings);
    }
    let ok = problems.is_empty();
    if settings.json {
        print_json(&VerifyJson {
            ok,
            files: report.files,
            heads: report.heads.clone(),
            problems,
            warnings,
        })?;
    } else {
        for warning in &warnings {
            if !settings.quiet {
                eprintln!("{} {warning}", crate::cli::output::warning_label());
            }
        }
        for problem in &problems {
            print_problem(problem);
        }
        if ok && !settings.quiet {
            out!(
                "ok: {}, head {}, sqlmig.sum matches",
                crate::cli::output::revisions(report.files),
                report.heads.join(", ")
            );
        }
    }
    Ok(if ok {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

/// When a warning depends on the server's version: which version was
/// assumed, and how to name the real one.
fn assumed_version(settings: &Settings, report: &VerifyReport) -> Option<String> {
    let dialect = settings.dialect();
    let by_version = report.warnings.iter().any(|warning| {
        dialect
            .transaction_rules()
            .iter()
            .any(|rule| rule.statement == warning.rule && rule.allowed_since.is_some())
    });
    by_version.then(|| {
        format!(
            "these statements were checked for {} {} (`--server-version`, or `server_version` in sqlmig.toml, names the oldest server the revisions will meet)",
            dialect.title(),
            report.server_version
        )
    })
}

/// With `--database-url`: the applied revisions against the files (drift,
/// missing files, unfinished revisions), and changed down sections as warnings.
fn check_database(settings: &Settings) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let migrations = settings.load()?;
    let mut database = settings.connect(true)?;
    let status = migrations.status(&mut database)?;
    let graph = migrations.graph();
    let warnings = status
        .revisions
        .iter()
        .filter(|entry| entry.down_changed)
        .map(|entry| {
            let revision = graph.revision(entry.index);
            format!(
                "{}: the down section of applied revision {} changed since it was applied",
                revision.path.display(),
                revision.id
            )
        })
        .collect();
    Ok((
        status.problems.iter().map(ToString::to_string).collect(),
        warnings,
    ))
}
