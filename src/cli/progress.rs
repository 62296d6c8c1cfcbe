//! Drawing the engine's events on stderr: an indicatif spinner and one line
//! per finished revision on a terminal, plain lines otherwise, nothing with
//! `--quiet` or `--json` (warnings still show unless `--quiet`).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use super::output::warning_label;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sqlmig::event::{Event, Observer};
use sqlmig::plan::Direction;

/// How much the CLI says while a run goes.
pub(crate) struct Progress {
    mode: Mode,
    bar: Option<ProgressBar>,
    started: Instant,
    finished: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Spinner and lines on a terminal.
    Terminal,
    /// Plain lines (stderr is a file or a pipe: CI logs).
    Lines,
    /// Only warnings (`--json`).
    WarningsOnly,
    /// Nothing (`--quiet`).
    Silent,
}

impl Progress {
    pub(crate) fn new(quiet: bool, json: bool) -> Self {
        let mode = if quiet {
            Mode::Silent
        } else if json {
            Mode::WarningsOnly
        } else if std::io::stderr().is_terminal() {
            Mode::Terminal
        } else {
            Mode::Lines
        };
        Progress {
            mode,
            bar: None,
            started: Instant::now(),
            finished: 0,
        }
    }

    fn say(&self, line: &str) {
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.println(line),
            (None, Mode::Terminal | Mode::Lines) => eprintln!("{line}"),
            (None, Mode::WarningsOnly | Mode::Silent) => {}
        }
    }

    /// The closing line: how many revisions, how long.
    pub(crate) fn finish(&mut self, direction: Direction) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let verb = past_tense(direction);
        if self.finished > 0 {
            self.say(&format!(
                "{verb} {} revision{} in {}",
                self.finished,
                if self.finished == 1 { "" } else { "s" },
                format_elapsed(self.started.elapsed())
            ));
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Observer for Progress {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::WaitingForLock { what } => self.say(&format!("waiting for {what}...")),
            Event::Planned { total, .. } => {
                self.started = Instant::now();
                if self.mode == Mode::Terminal && *total > 0 {
                    let bar = ProgressBar::with_draw_target(
                        Some(*total as u64),
                        ProgressDrawTarget::stderr(),
                    );
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg} ({elapsed})")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.enable_steady_tick(Duration::from_millis(120));
                    self.bar = Some(bar);
                }
            }
            Event::RevisionStarted {
                revision,
                direction,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!(
                        "{} {} {}",
                        present_tense(*direction),
                        revision.id,
                        revision.message
                    ));
                }
            }
            Event::RevisionFinished {
                revision,
                direction,
                elapsed,
            } => {
                self.finished += 1;
                self.say(&format!(
                    "{} {} {} ({})",
                    past_tense(*direction),
                    revision.id,
                    revision.message,
                    format_elapsed(*elapsed)
                ));
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
            }
            Event::RevisionSkipped { revision } => {
                self.say(&format!(
                    "skipped {} (already done by another runner)",
                    revision.id
                ));
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
            }
            Event::Warning { message } if self.mode != Mode::Silent => match &self.bar {
                Some(bar) => bar.println(format!("{} {message}", warning_label())),
                None => eprintln!("{} {message}", warning_label()),
            },
            _ => {}
        }
    }
}

fn present_tense(direction: Direction) -> &'static str {
    match direction {
        Direction::Upgrade => "applying",
        Direction::Downgrade => "reverting",
    }
}

fn past_tense(direction: Direction) -> &'static str {
    match direction {
        Direction::Upgrade => "applied",
        Direction::Downgrade => "reverted",
    }
}

/// `12ms`, `1.4s`.
pub(crate) fn format_elapsed(elapsed: Duration) -> String {
    if elapsed.as_millis() < 1000 {
        format!("{}ms", elapsed.as_millis())
    } else {
        format!("{:.1}s", elapsed.as_secs_f64())
    }
}
