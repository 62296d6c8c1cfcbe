//! `sqlmig lint`: prints one finding per line (`file:line:col:
//! severity[rule-id]: message`, then the safe pattern), with `--trace` the
//! locks each statement took on a scratch database, with `--explain` what
//! a rule finds and why; exits 1 when any finding is an error.

use std::collections::HashSet;

use anyhow::bail;
use serde::Serialize;
use sqlmig::Migrations;
use sqlmig::lint::trace::{RevisionTrace, Trace, trace};
use sqlmig::lint::{Finding, LintConfig, RULES, lint, rule};

use crate::cli::Outcome;
use crate::cli::args::LintArgs;
use crate::cli::output::{out, print_json};
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct LintJson<'a> {
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a [RevisionTrace]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scratch_database: Option<&'a str>,
}

pub(crate) fn run(settings: &Settings, args: &LintArgs) -> anyhow::Result<Outcome> {
    if let Some(id) = &args.explain {
        return explain(id);
    }
    let migrations = settings.load()?;
    let selected = selection(&migrations, args)?;
    let config = LintConfig {
        deny: settings.lint_deny.clone(),
        allow: settings.lint_allow.clone(),
        init_sql: settings.init_sql().to_vec(),
    };
    let report = lint(&migrations, &selected, &config)?;
    let traces = if args.trace {
        let dev_url = settings.dev_url(args.dev_url.as_deref())?;
        // Ctrl-C cancels the statement under way and drops the scratch database.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        crate::cli::interrupt::install(&[&stop]);
        Some(trace(
            &migrations,
            &selected,
            &dev_url,
            settings.init_sql(),
            Some(&stop),
        )?)
    } else {
        None
    };
    if settings.json {
        print_json(&LintJson {
            findings: &report.findings,
            trace: traces.as_ref().map(|t| t.revisions.as_slice()),
            scratch_database: traces.as_ref().map(|t| t.scratch_database.as_str()),
        })?;
    } else {
        for finding in &report.findings {
            out!("{finding}");
        }
        if let Some(trace) = &traces {
            print_traces(trace);
        }
        if !settings.quiet {
            let errors = report
                .findings
                .iter()
                .filter(|finding| finding.severity == sqlmig::lint::Severity::Error)
                .count();
            let warnings = report.findings.len() - errors;
            eprintln!(
                "lint: {} checked, {errors} error{}, {warnings} warning{}",
                crate::cli::output::revisions(report.revisions),
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            );
        }
    }
    Ok(if report.failed() {
        Outcome::CheckFailed
    } else {
        Outcome::Success
    })
}

/// The revisions to check: those named, else those after `--since`, else all.
fn selection(migrations: &Migrations, args: &LintArgs) -> anyhow::Result<HashSet<usize>> {
    let graph = migrations.graph();
    let mut selected: HashSet<usize> = if args.revisions.is_empty() {
        (0..graph.len()).collect()
    } else {
        args.revisions
            .iter()
            .map(|id| graph.find(id))
            .collect::<Result<_, _>>()?
    };
    if let Some(since) = &args.since {
        let descendants = graph.descendants(&[graph.find(since)?]);
        selected.retain(|&index| descendants.contains(index));
    }
    Ok(selected)
}

fn print_traces(trace: &Trace) {
    if !trace.revisions.is_empty() {
        out!(
            "traced on scratch database {} (dropped since)",
            trace.scratch_database
        );
    }
    for revision in &trace.revisions {
        print_trace(revision);
    }
}

fn print_trace(revision: &RevisionTrace) {
    out!("trace {} ({})", revision.revision, revision.path);
    for statement in &revision.statements {
        out!(
            "  {}:{}:{}: {}",
            revision.path,
            statement.line,
            statement.column,
            statement.sql
        );
        if let Some(note) = &statement.note {
            out!("    {note}");
        }
        if statement.traced && statement.locks.is_empty() {
            out!("    no lock on an existing relation");
        }
        for lock in &statement.locks {
            out!("    lock {} on {}", lock.mode, lock.relation);
        }
        for relation in &statement.rewritten {
            out!("    rewrote {relation} (its file node changed)");
        }
    }
}

/// `--explain RULE`, or the list of rules when RULE is empty.
fn explain(id: &str) -> anyhow::Result<Outcome> {
    if id.is_empty() {
        for rule in RULES {
            out!("{:<28} {:<8} {}", rule.id, rule.severity, rule.finds);
        }
        return Ok(Outcome::Success);
    }
    let Some(rule) = rule(id) else {
        let ids: Vec<&str> = RULES.iter().map(|rule| rule.id).collect();
        bail!("unknown rule `{id}`; the rules are: {}", ids.join(", "));
    };
    out!(
        "{} ({}; {} by default)\n\nFinds: {}.\n\n{}\n\nInstead: {}.",
        rule.id,
        rule.dialects.join(", "),
        rule.severity,
        rule.finds,
        rule.explanation,
        rule.help
    );
    Ok(Outcome::Success)
}
