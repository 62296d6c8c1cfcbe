//! What each target of a fleet came to: the summary table, the error lines
//! and `--json`.

use serde::Serialize;

use crate::cli::output::{out, print_json};

/// Where a target ended.
#[derive(Debug, Clone)]
pub(crate) enum State {
    /// Done: at its target (or read).
    Done,
    /// Failed, with the error (its password hidden).
    Failed(String),
    /// Stopped between two revisions: why.
    Interrupted(String),
    /// Never started: the fleet stopped first.
    NotStarted,
}

/// One target's line of the summary.
#[derive(Debug, Clone)]
pub(crate) struct TargetReport {
    pub(crate) name: String,
    pub(crate) dialect: &'static str,
    pub(crate) state: State,
    /// Applied heads before (for reading commands: the current heads).
    pub(crate) from: Vec<String>,
    /// Applied heads after.
    pub(crate) to: Vec<String>,
    /// Whether `from` and `to` were read at all.
    pub(crate) known: bool,
    /// Revisions applied, reverted, stamped, planned or scripted.
    pub(crate) applied: usize,
    pub(crate) seconds: f64,
    /// A word about the target: pending count, script path, dry run.
    pub(crate) note: Option<String>,
    /// `status` and `check`: revisions not applied yet.
    pub(crate) pending: Option<usize>,
}

impl TargetReport {
    pub(crate) fn not_started(name: &str, dialect: &'static str) -> Self {
        TargetReport {
            name: name.to_owned(),
            dialect,
            state: State::NotStarted,
            from: Vec::new(),
            to: Vec::new(),
            known: false,
            applied: 0,
            seconds: 0.0,
            note: None,
            pending: None,
        }
    }

    /// The line printed when the target is over.
    pub(crate) fn progress_line(&self) -> String {
        let mut line = format!("{:<11} {}", self.state.label(), self.name);
        if self.known {
            line.push_str(&format!(
                ": {} -> {}, {} ({:.2}s)",
                heads(&self.from),
                heads(&self.to),
                crate::cli::output::revisions(self.applied),
                self.seconds
            ));
        }
        match &self.state {
            State::Failed(error) | State::Interrupted(error) => {
                line.push_str(": ");
                line.push_str(error.lines().next().unwrap_or_default());
            }
            State::Done | State::NotStarted => {
                if let Some(note) = &self.note {
                    line.push_str(&format!(" [{note}]"));
                }
            }
        }
        line
    }
}

fn heads(ids: &[String]) -> String {
    if ids.is_empty() {
        String::from("base")
    } else {
        ids.join(",")
    }
}

/// The counts of the closing line.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    pub(crate) done: usize,
    pub(crate) failed: usize,
    pub(crate) interrupted: usize,
    pub(crate) not_started: usize,
}

impl Totals {
    pub(crate) fn of(reports: &[TargetReport]) -> Self {
        let mut totals = Totals::default();
        for report in reports {
            match report.state {
                State::Done => totals.done += 1,
                State::Failed(_) => totals.failed += 1,
                State::Interrupted(_) => totals.interrupted += 1,
                State::NotStarted => totals.not_started += 1,
            }
        }
        totals
    }

    /// Every target done.
    pub(crate) fn all_done(&self) -> bool {
        self.failed + self.interrupted + self.not_started == 0
    }
}

/// The summary table on stdout: one line per target, then the total.
pub(crate) fn print_table(reports: &[TargetReport], seconds: f64) {
    let rows: Vec<[String; 7]> = reports
        .iter()
        .map(|report| {
            let (from, to, applied, secs) = if report.known {
                (
                    heads(&report.from),
                    heads(&report.to),
                    report.applied.to_string(),
                    format!("{:.2}", report.seconds),
                )
            } else {
                let dash = || String::from("-");
                let secs = if matches!(report.state, State::NotStarted) {
                    dash()
                } else {
                    format!("{:.2}", report.seconds)
                };
                (dash(), dash(), dash(), secs)
            };
            [
                report.name.clone(),
                from,
                to,
                applied,
                secs,
                report.state.label().to_owned(),
                report.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "target", "from", "to", "applied", "seconds", "result", "note",
    ]
    .map(String::from);
    let with_notes = rows.iter().any(|row| !row[6].is_empty());
    let columns = if with_notes { 7 } else { 6 };
    let mut widths = [0usize; 7];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (column, cell) in row.iter().enumerate().take(columns) {
            if column > 0 {
                line.push_str("  ");
            }
            let width = widths[column];
            if matches!(column, 3 | 4) {
                line.push_str(&format!("{cell:>width$}"));
            } else if column + 1 == columns {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}"));
            }
        }
        out!("{}", line.trim_end());
    }
    let totals = Totals::of(reports);
    out!(
        "{} target{} in {seconds:.1}s: {} ok, {} failed, {} interrupted, {} not started",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        totals.done,
        totals.failed,
        totals.interrupted,
        totals.not_started
    );
}

/// The failed and interrupted targets' errors on stderr, one `error:`
/// line each.
pub(crate) fn print_errors(reports: &[TargetReport]) {
    for report in reports {
        if let State::Failed(error) = &report.state {
            for line in error.lines() {
                eprintln!(
                    "{} {}: {line}",
                    crate::cli::output::error_label(),
                    report.name
                );
            }
        }
    }
}

#[derive(Serialize)]
struct FleetJson<'a> {
    command: &'a str,
    targets: Vec<TargetJson<'a>>,
    ok: usize,
    failed: usize,
    skipped: usize,
    seconds: f64,
}

#[derive(Serialize)]
struct TargetJson<'a> {
    name: &'a str,
    /// `ok`, `failed` or `skipped` (interrupted or not started).
    result: &'static str,
    /// `done`, `failed`, `interrupted` or `not started`.
    state: &'static str,
    dialect: &'static str,
    from: &'a [String],
    to: &'a [String],
    applied: usize,
    seconds: f64,
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// `--json`: `{"targets": [...]}` with the totals.
pub(crate) fn print_fleet_json(
    command: &str,
    reports: &[TargetReport],
    seconds: f64,
) -> anyhow::Result<()> {
    let targets: Vec<TargetJson<'_>> = reports
        .iter()
        .map(|report| {
            let (result, state, error) = match &report.state {
                State::Done => ("ok", "done", None),
                State::Failed(error) => ("failed", "failed", Some(error.as_str())),
                State::Interrupted(why) => ("skipped", "interrupted", Some(why.as_str())),
                State::NotStarted => ("skipped", "not started", None),
            };
            TargetJson {
                name: &report.name,
                result,
                state,
                dialect: report.dialect,
                from: &report.from,
                to: &report.to,
                applied: report.applied,
                seconds: round3(report.seconds),
                error,
                pending: report.pending,
                note: report.note.as_deref(),
            }
        })
        .collect();
    let ok = targets.iter().filter(|t| t.result == "ok").count();
    let failed = targets.iter().filter(|t| t.result == "failed").count();
    let skipped = targets.len() - ok - failed;
    print_json(&FleetJson {
        command,
        targets,
        ok,
        failed,
        skipped,
        seconds: round3(seconds),
    })
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
