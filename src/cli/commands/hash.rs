//! `sqlmig hash`: rewrite `sqlmig.sum` from the revision files.

use crate::cli::output::out;
use sqlmig::Migrations;
use sqlmig::sum::{SUM_FILE_NAME, SumFile};

use crate::cli::Outcome;
use crate::cli::settings::Settings;

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Outcome> {
    let migrations = Migrations::load_allow_empty(&settings.dir, settings.dialect())?;
    let sum = SumFile::from_revisions(migrations.graph().revisions());
    sum.write(migrations.dir())?;
    if settings.json {
        crate::cli::output::print_json(&serde_json::json!({
            "path": migrations.dir().join(SUM_FILE_NAME).display().to_string(),
            "revisions": sum.entries().len(),
        }))?;
    } else if !settings.quiet {
        out!(
            "wrote {} ({})",
            migrations.dir().join(SUM_FILE_NAME).display(),
            crate::cli::output::revisions(sum.entries().len())
        );
    }
    Ok(Outcome::Success)
}
