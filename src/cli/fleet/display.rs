//! A fleet's progress on stderr: on a terminal, one line per running target
//! (indicatif's multi-progress) above a line counting the targets done;
//! otherwise one plain line per finished target. Nothing but warnings with
//! `--json`, nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use sqlmig::DatabaseUrl;
use sqlmig::event::{Event, Observer};
use sqlmig::plan::Direction;

use super::report::{State, TargetReport};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Terminal,
    Lines,
    WarningsOnly,
    Silent,
}

/// What every target's progress draws on.
pub(crate) struct Display {
    mode: Mode,
    multi: Option<MultiProgress>,
    overall: Option<ProgressBar>,
    total: usize,
    finished: AtomicUsize,
    name_width: usize,
}

impl Display {
    pub(crate) fn new(quiet: bool, json: bool, total: usize, name_width: usize) -> Self {
        let mode = if quiet {
            Mode::Silent
        } else if json {
            Mode::WarningsOnly
        } else if std::io::stderr().is_terminal() {
            Mode::Terminal
        } else {
            Mode::Lines
        };
        let (multi, overall) = if mode == Mode::Terminal {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let overall = multi.add(ProgressBar::new(total as u64));
            overall.set_style(
                ProgressStyle::with_template("{pos}/{len} targets done ({elapsed}) {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            overall.tick();
            (Some(multi), Some(overall))
        } else {
            (None, None)
        };
        Display {
            mode,
            multi,
            overall,
            total,
            finished: AtomicUsize::new(0),
            name_width: name_width.min(40),
        }
    }

    /// A line above the bars (or on its own).
    fn say(&self, line: &str) {
        match (&self.multi, self.mode) {
            (Some(multi), _) => {
                let _ = multi.println(line);
            }
            (None, Mode::Lines) => eprintln!("{line}"),
            _ => {}
        }
    }

    /// A warning about one target (shown unless `--quiet`).
    pub(crate) fn warn(&self, name: &str, message: &str) {
        let line = format!("{} {name}: {message}", crate::cli::output::warning_label());
        match (&self.multi, self.mode) {
            (_, Mode::Silent) => {}
            (Some(multi), _) => {
                let _ = multi.println(line);
            }
            (None, _) => eprintln!("{line}"),
        }
    }

    /// The progress of one target that starts now.
    pub(crate) fn start<'a>(&'a self, name: &'a str, url: &'a DatabaseUrl) -> TargetProgress<'a> {
        let bar = match (&self.multi, &self.overall) {
            (Some(multi), Some(overall)) => {
                let bar = multi.insert_before(overall, ProgressBar::new_spinner());
                bar.set_style(spinner_style(self.name_width));
                bar.set_prefix(name.to_owned());
                bar.set_message("connecting");
                bar.enable_steady_tick(Duration::from_millis(120));
                Some(bar)
            }
            _ => None,
        };
        TargetProgress {
            display: self,
            name,
            url,
            bar,
            finished: 0,
        }
    }

    /// A target is over: its line, and the count of those done.
    /// `line`: say how it ended (reading commands leave that to their
    /// summary, unless it failed).
    pub(crate) fn finished(&self, progress: TargetProgress<'_>, report: &TargetReport, line: bool) {
        if let Some(bar) = &progress.bar {
            bar.finish_and_clear();
            if let Some(multi) = &self.multi {
                multi.remove(bar);
            }
        }
        let done = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(overall) = &self.overall {
            overall.set_position(done as u64);
        }
        if !line && matches!(report.state, State::Done) {
            return;
        }
        let line = report.progress_line();
        if self.mode == Mode::Lines {
            self.say(&format!("[{done}/{}] {line}", self.total));
        } else {
            self.say(&line);
        }
    }

    /// Clears the bars before the summary is printed.
    pub(crate) fn finish(&self) {
        if let Some(overall) = &self.overall {
            overall.finish_and_clear();
        }
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }

    /// Says that the fleet stops, and why.
    pub(crate) fn stopping(&self, why: &str) {
        if let Some(overall) = &self.overall {
            overall.set_message(why.to_owned());
        }
        match self.mode {
            Mode::Silent => {}
            Mode::Terminal => self.say(why),
            _ => eprintln!("{why}"),
        }
    }
}

fn spinner_style(width: usize) -> ProgressStyle {
    ProgressStyle::with_template(&format!("{{spinner}} {{prefix:<{width}}} {{wide_msg}}"))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style(width: usize) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{spinner}} {{prefix:<{width}}} [{{pos}}/{{len}}] {{wide_msg}} ({{elapsed}})"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// One target's progress: the engine's events drawn on its line.
pub(crate) struct TargetProgress<'a> {
    display: &'a Display,
    name: &'a str,
    url: &'a DatabaseUrl,
    bar: Option<ProgressBar>,
    finished: usize,
}

impl TargetProgress<'_> {
    /// Revisions applied or reverted so far.
    pub(crate) fn finished_revisions(&self) -> usize {
        self.finished
    }

    /// A warning about this target, its password hidden.
    pub(crate) fn warn(&self, message: &str) {
        self.display.warn(self.name, &self.url.scrub(message));
    }

    /// What the target's line says while no revision runs.
    pub(crate) fn set_message(&self, message: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.to_owned());
        }
    }
}

impl Observer for TargetProgress<'_> {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::WaitingForLock { what } => {
                let what = self.url.scrub(what);
                match &self.bar {
                    Some(bar) => bar.set_message(format!("waiting for {what}")),
                    None => {
                        if self.display.mode == Mode::Lines {
                            eprintln!("{}: waiting for {what}...", self.name);
                        }
                    }
                }
            }
            Event::Planned { total, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(*total as u64);
                    bar.set_style(bar_style(self.display.name_width));
                    bar.set_message(if *total == 0 { "up to date" } else { "" });
                }
            }
            Event::RevisionStarted {
                revision,
                direction,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    let verb = match direction {
                        Direction::Upgrade => "applying",
                        Direction::Downgrade => "reverting",
                    };
                    bar.set_message(format!("{verb} {} {}", revision.id, revision.message));
                }
            }
            Event::RevisionFinished { .. } | Event::RevisionSkipped { .. } => {
                if matches!(event, Event::RevisionFinished { .. }) {
                    self.finished += 1;
                }
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
            }
            Event::Warning { message } => self.warn(message),
            _ => {}
        }
    }
}

impl State {
    /// The result column of the summary and the progress lines.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            State::Done => "ok",
            State::Failed(_) => "FAILED",
            State::Interrupted(_) => "interrupted",
            State::NotStarted => "not started",
        }
    }
}
