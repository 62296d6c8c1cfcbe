//! `sqlmig stamp TARGET`: set the state to TARGET without running SQL.

use serde::Serialize;
use sqlmig::{Migrator, Target};

use crate::cli::Outcome;
use crate::cli::args::StampArgs;
use crate::cli::output::print_json;
use crate::cli::progress::Progress;
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct StampJson {
    stamped: Vec<String>,
    removed: Vec<String>,
}

pub(crate) fn run(settings: &Settings, args: &StampArgs) -> anyhow::Result<Outcome> {
    let target: Target = args.target.parse()?;
    // The files first: a project without revisions fails before a SQLite
    // file is created for it.
    let migrations = settings.load()?;
    let mut database = settings.connect(false)?;
    let graph = migrations.graph();
    let mut progress = Progress::new(settings.quiet, settings.json);
    let report = Migrator::new(&migrations, &mut database, &mut progress)?.stamp(&target)?;
    super::schema::dump_if_configured(settings, &mut database)?;
    if settings.json {
        print_json(&StampJson {
            stamped: graph.ids(&report.inserted),
            removed: graph.ids(&report.deleted),
        })?;
    } else if !settings.quiet {
        for &index in &report.inserted {
            eprintln!(
                "stamped {} as applied (no SQL run)",
                graph.revision(index).id
            );
        }
        for &index in &report.deleted {
            eprintln!(
                "removed {} from the state (no SQL run)",
                graph.revision(index).id
            );
        }
        if report.inserted.is_empty() && report.deleted.is_empty() {
            eprintln!("nothing to stamp: the state is already {target}");
        }
    }
    Ok(Outcome::Success)
}
