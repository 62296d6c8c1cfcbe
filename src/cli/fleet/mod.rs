//! Fleets (README "Many databases"): one command run once per target — a database or a
//! PostgreSQL schema — by a bounded pool of worker threads over the
//! single-database engine. Each target gets its own connection (opened when
//! its job starts), lock, state and plan; the migrations are loaded once per
//! dialect present and shared.
//!
//! Order: the first `--canary K` targets run first; if one fails nothing
//! else starts. Then the rest, `--jobs` at a time, in the order listed. A
//! failure (without `--keep-going`) or Ctrl-C/SIGTERM sets the stop flag:
//! no target starts any more, and the engine stops the running ones between
//! two revisions, so every target ends done, failed, interrupted or not
//! started, never half-way through a revision.

mod display;
mod report;
mod targets;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context as _, bail};
use sqlmig::plan::Direction;
use sqlmig::{
    Database, DatabaseOptions, Dialect, Migrations, Migrator, RunOptions, Silent, Target, emit,
};

use crate::cli::Outcome;
use crate::cli::args::FleetArgs;
use crate::cli::output::error_message;
use crate::cli::settings::Settings;
use display::{Display, TargetProgress};
use report::{State, TargetReport, Totals};
use targets::FleetTarget;

/// The most targets run at a time by default.
const DEFAULT_MAX_JOBS: usize = 8;

/// What runs on each target.
#[derive(Debug)]
pub(crate) enum Job {
    /// `upgrade` or `downgrade`.
    Run {
        direction: Direction,
        target: Target,
        options: RunOptions,
    },
    Stamp {
        target: Target,
    },
    Status,
    Current,
    Check,
    /// `emit`: one script per target into `output`.
    Emit {
        direction: Direction,
        target: Target,
        output: PathBuf,
    },
}

impl Job {
    fn command(&self) -> &'static str {
        match self {
            Job::Run {
                direction: Direction::Upgrade,
                ..
            } => "upgrade",
            Job::Run {
                direction: Direction::Downgrade,
                ..
            } => "downgrade",
            Job::Stamp { .. } => "stamp",
            Job::Status => "status",
            Job::Current => "current",
            Job::Check => "check",
            Job::Emit { .. } => "emit",
        }
    }

    /// Changes nothing in any database: a failure is no reason to stop.
    fn read_only(&self) -> bool {
        match self {
            Job::Run { options, .. } => options.dry_run,
            Job::Stamp { .. } => false,
            Job::Status | Job::Current | Job::Check | Job::Emit { .. } => true,
        }
    }

    /// Reading commands print their summary even with `--quiet`: it is the
    /// data asked for.
    fn summary_is_data(&self) -> bool {
        matches!(self, Job::Status | Job::Current | Job::Check)
    }
}

/// What one target's job came to, when it ran to its end.
struct Done {
    from: Vec<String>,
    to: Vec<String>,
    applied: usize,
    /// Stopped between two revisions: after how many, of how many.
    interrupted: Option<(usize, usize)>,
    note: Option<String>,
    pending: Option<usize>,
    /// `check`: why the target is not up to date.
    check_failed: Option<String>,
}

/// What is known of a target whose job failed.
#[derive(Default)]
struct Partial {
    from: Option<Vec<String>>,
    to: Option<Vec<String>>,
}

/// Everything the workers share.
struct Fleet<'a> {
    settings: &'a Settings,
    job: &'a Job,
    targets: &'a [FleetTarget],
    migrations: BTreeMap<Dialect, Migrations>,
    /// `emit`: the script's file name per target.
    script_names: Vec<String>,
    display: Display,
    reports: Mutex<Vec<TargetReport>>,
    /// No target starts any more, running ones stop between revisions.
    stop: Arc<AtomicBool>,
    /// Set by Ctrl-C or SIGTERM (with `stop`).
    interrupted: Arc<AtomicBool>,
    failed: AtomicBool,
}

/// Runs `job` once per target and prints the summary.
pub(crate) fn run(settings: &Settings, args: &FleetArgs, job: &Job) -> anyhow::Result<Outcome> {
    let targets = targets::resolve(settings, args)?;
    let started = Instant::now();
    if targets.is_empty() {
        if !settings.quiet {
            eprintln!(
                "{} the schemas query returned no schema: nothing to do",
                super::output::warning_label()
            );
        }
        if settings.json {
            report::print_fleet_json(job.command(), &[], 0.0)?;
        }
        return Ok(Outcome::Success);
    }
    // Parsed once per dialect present, before any connection is opened.
    let mut migrations = BTreeMap::new();
    for target in &targets {
        let dialect = target.dialect();
        if let std::collections::btree_map::Entry::Vacant(entry) = migrations.entry(dialect) {
            entry.insert(settings.load_for(dialect)?);
        }
    }
    if let Job::Emit { output, .. } = job {
        std::fs::create_dir_all(output)
            .with_context(|| format!("cannot create the directory {}", output.display()))?;
    }
    let jobs = usize::from(args.jobs.unwrap_or(0));
    let jobs = if jobs == 0 {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(DEFAULT_MAX_JOBS)
    } else {
        jobs
    };
    let name_width = targets
        .iter()
        .map(|target| target.name.chars().count())
        .max()
        .unwrap_or(0);
    let stop = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    crate::cli::interrupt::install(&[&interrupted, &stop]);
    let fleet = Fleet {
        settings,
        job,
        targets: &targets,
        migrations,
        script_names: script_names(&targets),
        display: Display::new(settings.quiet, settings.json, targets.len(), name_width),
        reports: Mutex::new(
            targets
                .iter()
                .map(|target| TargetReport::not_started(&target.name, target.dialect().name()))
                .collect(),
        ),
        stop,
        interrupted,
        failed: AtomicBool::new(false),
    };
    let canary = args.canary.unwrap_or(0).min(targets.len());
    let keep_going = args.keep_going || job.read_only();
    if canary > 0 {
        // Among the canaries, --keep-going holds as for any target (the
        // other canaries finish); after them, one failure stops the fleet.
        fleet.run_pool(0..canary, jobs, keep_going);
        if fleet.failed.load(Ordering::SeqCst) {
            fleet.stop.store(true, Ordering::SeqCst);
            fleet.display.stopping(&format!(
                "a canary target failed: the other {} targets do not run",
                targets.len() - canary
            ));
        }
    }
    fleet.run_pool(canary..targets.len(), jobs, keep_going);
    fleet.display.finish();
    let reports = fleet
        .reports
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let seconds = started.elapsed().as_secs_f64();
    if settings.json {
        report::print_fleet_json(job.command(), &reports, seconds)?;
    } else if !settings.quiet || job.summary_is_data() {
        report::print_table(&reports, seconds);
    }
    report::print_errors(&reports);
    let totals = Totals::of(&reports);
    if fleet.interrupted.load(Ordering::SeqCst) && !settings.quiet {
        eprintln!(
            "interrupted: {} targets done, {} interrupted, {} not started; run the command again to finish",
            totals.done, totals.interrupted, totals.not_started
        );
    }
    Ok(if totals.all_done() {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

impl Fleet<'_> {
    /// Runs the targets of `range`, in order, `jobs` at a time.
    fn run_pool(&self, range: Range<usize>, jobs: usize, keep_going: bool) {
        if range.is_empty() || self.stop.load(Ordering::SeqCst) {
            return;
        }
        let next = AtomicUsize::new(range.start);
        let workers = jobs.clamp(1, range.len());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        if self.stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let index = next.fetch_add(1, Ordering::SeqCst);
                        if index >= range.end {
                            break;
                        }
                        let report = self.run_target(index);
                        let failed = matches!(report.state, State::Failed(_));
                        self.reports
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)[index] = report;
                        if failed {
                            self.failed.store(true, Ordering::SeqCst);
                            if !keep_going && !self.stop.swap(true, Ordering::SeqCst) {
                                self.display.stopping(
                                    "a target failed: no other target starts, running ones stop after their current revision (--keep-going runs them all)",
                                );
                            }
                        }
                    }
                });
            }
        });
    }

    fn run_target(&self, index: usize) -> TargetReport {
        let target = &self.targets[index];
        let started = Instant::now();
        let mut progress = self.display.start(&target.name, &target.url);
        let mut partial = Partial::default();
        let result = self.execute(index, target, &mut progress, &mut partial);
        let seconds = started.elapsed().as_secs_f64();
        let mut report = TargetReport::not_started(&target.name, target.dialect().name());
        report.seconds = seconds;
        match result {
            Ok(done) => {
                report.known = true;
                report.from = done.from;
                report.to = done.to;
                report.applied = done.applied;
                report.note = done.note;
                report.pending = done.pending;
                report.state = if let Some(why) = done.check_failed {
                    State::Failed(target.url.scrub(&why))
                } else if let Some((ran, planned)) = done.interrupted {
                    let cause = if self.interrupted.load(Ordering::SeqCst) {
                        "Ctrl-C or SIGTERM"
                    } else {
                        "another target failed"
                    };
                    State::Interrupted(if planned == 0 {
                        format!(
                            "stopped ({cause}) while waiting for the migration lock: nothing changed"
                        )
                    } else {
                        format!("stopped ({cause}) after {ran} of {planned} revisions")
                    })
                } else {
                    State::Done
                };
            }
            Err(error) => {
                if let (Some(from), Some(to)) = (partial.from, partial.to) {
                    report.known = true;
                    report.from = from;
                    report.to = to;
                    report.applied = progress.finished_revisions();
                }
                report.state = State::Failed(target.url.scrub(&error_message(&error)));
            }
        }
        self.display
            .finished(progress, &report, !self.job.summary_is_data());
        report
    }

    fn execute(
        &self,
        index: usize,
        target: &FleetTarget,
        progress: &mut TargetProgress<'_>,
        partial: &mut Partial,
    ) -> anyhow::Result<Done> {
        let settings = self.settings;
        let options = DatabaseOptions {
            table: settings.table().to_owned(),
            schema: target
                .schema
                .clone()
                .or_else(|| settings.schema().map(str::to_owned)),
            init_sql: target.init_sql.clone(),
            lock_timeout: settings.lock_timeout(),
            read_only: self.job.read_only(),
            statement_timeout: settings.statement_timeout(),
        };
        let mut database = Database::connect(target.url.expose_secret(), &options)?;
        for warning in database.warnings() {
            progress.warn(warning);
        }
        progress.set_message("reading the state");
        let migrations = &self.migrations[&database.dialect()];
        let graph = migrations.graph();
        let done = |from, to, applied| Done {
            from,
            to,
            applied,
            interrupted: None,
            note: None,
            pending: None,
            check_failed: None,
        };
        Ok(match self.job {
            Job::Run {
                direction,
                target: to,
                options,
            } => {
                let report = {
                    let mut migrator = Migrator::new(migrations, &mut database, progress)?
                        .stop_when(Arc::clone(&self.stop));
                    let report = match direction {
                        Direction::Upgrade => migrator.upgrade(to, *options),
                        Direction::Downgrade => migrator.downgrade(to, *options),
                    };
                    // Read under the lock before anything ran: a target that
                    // fails part-way still says where it started.
                    partial.from = migrator.started_from().map(<[String]>::to_vec);
                    report
                };
                let report = match report {
                    Ok(report) => report,
                    Err(error) => {
                        partial.to = migrations
                            .status(&mut database)
                            .ok()
                            .map(|status| status.current);
                        return Err(error.into());
                    }
                };
                let applied = if report.dry_run {
                    report.plan.len()
                } else {
                    report.steps.iter().filter(|step| !step.skipped).count()
                };
                let mut result = done(report.from, report.to, applied);
                if report.dry_run {
                    result.note = Some(String::from("dry run: nothing changed"));
                }
                if report.interrupted {
                    result.interrupted = Some((report.steps.len(), report.plan.len()));
                }
                result
            }
            Job::Stamp { target: to } => {
                let from = migrations.status(&mut database)?.current;
                let stamped = Migrator::new(migrations, &mut database, progress)?.stamp(to)?;
                let now = migrations.status(&mut database)?.current;
                done(from, now, stamped.inserted.len() + stamped.deleted.len())
            }
            Job::Status | Job::Current | Job::Check => {
                let status = migrations.status(&mut database)?;
                let current = status.current.clone();
                let mut result = done(current.clone(), current, 0);
                let pending = status.pending();
                result.pending = Some(pending);
                if !matches!(self.job, Job::Current) {
                    let mut note = format!(
                        "{} applied, {pending} pending, {} failed",
                        status.revisions.len() - pending - status.failed(),
                        status.failed()
                    );
                    if !status.problems.is_empty() {
                        note.push_str(&format!(", {} problems", status.problems.len()));
                    }
                    result.note = Some(note);
                }
                if matches!(self.job, Job::Check) && !status.is_up_to_date() {
                    let mut why: Vec<String> =
                        status.problems.iter().map(ToString::to_string).collect();
                    if pending > 0 {
                        why.push(format!(
                            "{} pending (run `sqlmig upgrade`)",
                            crate::cli::output::revisions(pending)
                        ));
                    }
                    result.check_failed = Some(format!("not up to date: {}", why.join("; ")));
                }
                result
            }
            Job::Emit {
                direction,
                target: to,
                output,
            } => {
                let plan =
                    Migrator::new(migrations, &mut database, &mut Silent)?.plan(*direction, to)?;
                let server_version = database.server_version()?;
                let path = output.join(&self.script_names[index]);
                std::fs::File::create(&path)
                    .and_then(|mut file| {
                        emit::write(
                            graph,
                            &plan,
                            database.state_table(),
                            &target.init_sql,
                            server_version,
                            &mut file,
                        )
                    })
                    .with_context(|| format!("cannot write {}", path.display()))?;
                let mut result = done(graph.ids(&plan.from), graph.ids(&plan.to), plan.steps.len());
                result.note = Some(path.display().to_string());
                result
            }
        })
    }
}

/// One script file name per target, from its name: `tenant_a.sql`; names
/// that come out the same get `-2`, `-3`...
fn script_names(targets: &[FleetTarget]) -> Vec<String> {
    let mut used = HashSet::new();
    targets
        .iter()
        .map(|target| {
            let mut stem = String::new();
            for c in target.name.chars() {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    stem.push(c);
                } else if !stem.ends_with('_') {
                    stem.push('_');
                }
            }
            let stem = stem.trim_matches(['_', '.']).to_owned();
            let stem = if stem.is_empty() {
                String::from("target")
            } else {
                stem
            };
            let mut name = format!("{stem}.sql");
            let mut number = 2;
            while !used.insert(name.clone()) {
                name = format!("{stem}-{number}.sql");
                number += 1;
            }
            name
        })
        .collect()
}

/// The directory `emit` writes the scripts into: `--output` is required.
pub(crate) fn check_output(output: Option<&Path>) -> anyhow::Result<PathBuf> {
    match output {
        Some(path) => Ok(path.to_path_buf()),
        None => bail!("emit with several targets writes one script per target: pass --output DIR"),
    }
}
