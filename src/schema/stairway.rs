//! `sqlmig test` (SPEC §8): the staircase. On a scratch database, each
//! revision in application order is applied (schema S1), reverted (the
//! schema must be the one before it) and applied again (the schema must be
//! S1), so every down section is proven to undo its up section before an
//! incident needs it. Schemas are compared with the schema model; a
//! difference is a [`Diff`] from the schema reached to the one expected,
//! which is the DDL the section still has to do.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::source::{SourceContext, on_scratch};
use super::{Diff, Schema, diff, inspect};
use crate::database::Database;
use crate::error::Error;
use crate::event::Silent;
use crate::execute::{Migrator, RunOptions};
use crate::graph::{RevisionSet, Target};
use crate::migrations::Migrations;
use crate::plan::Plan;
use crate::revision::{EmptyDown, Revision};

/// How the staircase runs.
#[derive(Debug, Clone, Default)]
pub struct StairwayOptions {
    /// Revisions without a down section fail instead of being stepped over.
    pub strict: bool,
    /// Go on after a failure (on a fresh scratch database, replayed up to
    /// the revision that failed) so that every failure is found; otherwise
    /// the walk stops at the first one.
    pub keep_going: bool,
    /// Stops the walk between two revisions once set (Ctrl-C); the scratch
    /// database is dropped all the same.
    pub stop: Option<Arc<AtomicBool>>,
}

/// What the staircase found for one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Its down section undoes its up section, and the up runs again.
    Ok,
    /// It has no down section: applied and stepped over.
    Irreversible,
    /// See [`Failure`].
    Failed,
}

/// Why a revision failed.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Its up section fails on the schema its ancestors give; nothing after
    /// it can be tested.
    UpFails(String),
    /// It has no down section and the run is strict.
    Irreversible,
    /// Its down section is empty while its up section is not.
    EmptyDown(EmptyDown),
    /// Its down section fails.
    DownFails(String),
    /// Its down section leaves a schema other than the one before its up
    /// section; the difference is what the down section still has to do.
    DownDiffers(Diff),
    /// Applying it again after its down section fails.
    UpAgainFails(String),
    /// Applying it again gives another schema than the first time; the
    /// difference turns the second schema into the first.
    UpAgainDiffers(Diff),
    /// It is the head, and the schema it gives is not the wanted one
    /// (`schema_file`); the difference is what a revision must still do.
    NotWanted(Diff),
}

impl Failure {
    /// The schema difference, when the failure is one.
    pub fn difference(&self) -> Option<&Diff> {
        match self {
            Failure::DownDiffers(diff)
            | Failure::UpAgainDiffers(diff)
            | Failure::NotWanted(diff) => Some(diff),
            _ => None,
        }
    }

    /// One sentence on what went wrong (the difference itself is printed
    /// apart, as `diff` prints it).
    pub fn message(&self) -> String {
        match self {
            Failure::UpFails(error) => format!("the up section fails: {error}"),
            Failure::Irreversible => String::from(
                "it has no `-- down` section (irreversible), which `--strict` does not accept",
            ),
            Failure::EmptyDown(empty) => format!("{empty}; {}", EmptyDown::HELP),
            Failure::DownFails(error) => format!("the down section fails: {error}"),
            Failure::DownDiffers(_) => String::from(
                "the down section does not give back the schema from before the up section; it still has to do this",
            ),
            Failure::UpAgainFails(error) => {
                format!("the up section fails when applied again after the down section: {error}")
            }
            Failure::UpAgainDiffers(_) => String::from(
                "applying the up section again after the down section gives another schema than the first time; it differs by this",
            ),
            Failure::NotWanted(_) => String::from(
                "head does not give the schema of `schema_file`: a revision must still make these changes (`sqlmig diff -m MESSAGE` writes it)",
            ),
        }
    }
}

/// One revision's result.
#[derive(Debug, Clone)]
pub struct StairwayStep {
    /// The revision's id.
    pub revision: String,
    /// Its file.
    pub path: PathBuf,
    /// What was found.
    pub verdict: Verdict,
    /// Why it failed (`verdict` is [`Verdict::Failed`]).
    pub failure: Option<Failure>,
}

/// What the staircase found.
#[derive(Debug, Clone, Default)]
pub struct StairwayReport {
    /// One entry per revision tested, in application order.
    pub steps: Vec<StairwayStep>,
    /// The walk was stopped by [`StairwayOptions::stop`].
    pub interrupted: bool,
}

impl StairwayReport {
    /// How many revisions passed (ok, or irreversible and not strict).
    pub fn passed(&self) -> usize {
        self.steps
            .iter()
            .filter(|step| step.verdict != Verdict::Failed)
            .count()
    }

    /// How many revisions failed.
    pub fn failed(&self) -> usize {
        self.steps.len() - self.passed()
    }

    /// Whether every revision passed and the walk was not stopped.
    pub fn is_success(&self) -> bool {
        self.failed() == 0 && !self.interrupted
    }
}

/// Walks the staircase up to `target` on scratch databases (`context`),
/// and, when `target` is `head`, compares the schema head gives with
/// `wanted` (`schema_file`): a difference fails the head revision
/// ([`Failure::NotWanted`]). Fails before anything runs when the graph has
/// more than one head or `target` does not resolve; a revision's failure is
/// in the report, not an error.
pub fn stairway(
    migrations: &Migrations,
    target: &Target,
    wanted: Option<&Schema>,
    options: &StairwayOptions,
    context: &SourceContext<'_>,
) -> Result<StairwayReport, Error> {
    let graph = migrations.graph();
    Target::Head.resolve(graph)?;
    let plan = Plan::upgrade(graph, &RevisionSet::empty(graph.len()), target)?;
    let order: Vec<&Revision> = plan
        .steps
        .iter()
        .map(|&index| graph.revision(index))
        .collect();
    let mut report = StairwayReport::default();
    let mut head_schema = None;
    while report.steps.len() < order.len() {
        let done = report.steps.len();
        let walk = on_scratch(context, |database| {
            // After a failure: a fresh database with what came before.
            for revision in &order[..done] {
                upgrade(database, migrations, revision)?;
            }
            walk(database, migrations, &order[done..], options, &mut report)
        })?;
        match walk {
            Walk::Finished(schema) => head_schema = Some(*schema),
            Walk::Resume => {}
            Walk::Stop => break,
            Walk::Interrupted => {
                report.interrupted = true;
                break;
            }
        }
    }
    if *target == Target::Head
        && let (Some(head), Some(wanted)) = (head_schema, wanted)
        && let Some(last) = report.steps.last_mut()
        && last.failure.is_none()
    {
        let missing = diff(&head, wanted, context.dialect);
        if !missing.is_empty() {
            last.verdict = Verdict::Failed;
            last.failure = Some(Failure::NotWanted(missing));
        }
    }
    Ok(report)
}

/// How one walk on one scratch database ended.
enum Walk {
    /// Every revision was tested; the schema the last one gives.
    Finished(Box<Schema>),
    /// A revision failed and left the database in an unknown state: go on
    /// from the next one on a fresh database.
    Resume,
    /// A failure ended the walk.
    Stop,
    /// The stop flag was set.
    Interrupted,
}

fn walk(
    database: &mut Database,
    migrations: &Migrations,
    revisions: &[&Revision],
    options: &StairwayOptions,
    report: &mut StairwayReport,
) -> Result<Walk, Error> {
    let mut before = read(database)?;
    for revision in revisions {
        if options
            .stop
            .as_ref()
            .is_some_and(|stop| stop.load(Ordering::SeqCst))
        {
            return Ok(Walk::Interrupted);
        }
        let (result, schema) = climb(database, migrations, revision, &before, options.strict)?;
        let failed = result.is_some();
        report.steps.push(StairwayStep {
            revision: revision.id.clone(),
            path: revision.path.clone(),
            verdict: match (&result, revision.down.is_some()) {
                (Some(_), _) => Verdict::Failed,
                (None, true) => Verdict::Ok,
                (None, false) => Verdict::Irreversible,
            },
            failure: result,
        });
        match (schema, failed) {
            (Some(schema), false) => before = schema,
            (Some(schema), true) if options.keep_going => before = schema,
            (None, true) if options.keep_going && !up_fails(report) => return Ok(Walk::Resume),
            _ => return Ok(Walk::Stop),
        }
    }
    Ok(Walk::Finished(Box::new(before)))
}

/// Whether the last revision's up section failed: nothing after it can run.
fn up_fails(report: &StairwayReport) -> bool {
    report
        .steps
        .last()
        .is_some_and(|step| matches!(step.failure, Some(Failure::UpFails(_))))
}

/// Up, down, up for one revision. Returns its failure, if any, and the
/// schema the database is left with when it is known to be the one the
/// revision gives (`None`: the database must be replayed afresh).
fn climb(
    database: &mut Database,
    migrations: &Migrations,
    revision: &Revision,
    before: &Schema,
    strict: bool,
) -> Result<(Option<Failure>, Option<Schema>), Error> {
    if let Err(error) = upgrade(database, migrations, revision) {
        return Ok((Some(Failure::UpFails(error.to_string())), None));
    }
    let applied = read(database)?;
    if revision.down.is_none() {
        return Ok((strict.then_some(Failure::Irreversible), Some(applied)));
    }
    if let Some(empty) = revision.empty_down() {
        return Ok((Some(Failure::EmptyDown(empty)), Some(applied)));
    }
    let reverted = Migrator::new(migrations, database, &mut Silent)?
        .downgrade(&Target::Backward(1), RunOptions::default());
    if let Err(error) = reverted {
        return Ok((Some(Failure::DownFails(error.to_string())), None));
    }
    let left = diff(&read(database)?, before, database.dialect());
    if !left.is_empty() {
        return Ok((Some(Failure::DownDiffers(left)), None));
    }
    if let Err(error) = upgrade(database, migrations, revision) {
        return Ok((Some(Failure::UpAgainFails(error.to_string())), None));
    }
    let again = read(database)?;
    let differs = diff(&again, &applied, database.dialect());
    if !differs.is_empty() {
        return Ok((Some(Failure::UpAgainDiffers(differs)), None));
    }
    Ok((None, Some(again)))
}

fn upgrade(
    database: &mut Database,
    migrations: &Migrations,
    revision: &Revision,
) -> Result<(), Error> {
    Migrator::new(migrations, database, &mut Silent)?.upgrade(
        &Target::Revision(revision.id.clone()),
        RunOptions::default(),
    )?;
    Ok(())
}

fn read(database: &mut Database) -> Result<Schema, Error> {
    inspect(database).map_err(|error| Error::Inspect(Box::new(error)))
}
