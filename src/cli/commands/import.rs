//! `sqlmig import --from FORMAT SRC [--dry-run] [--adopt]`: write another
//! tool's migrations as revision files, and with `--adopt` stamp what its
//! history table says is applied.

use serde::Serialize;
use sqlmig::Migrations;
use sqlmig::import::{Conversion, Format, Written, adopt};
use sqlmig::sum::SUM_FILE_NAME;

use crate::cli::Outcome;
use crate::cli::args::ImportArgs;
use crate::cli::output::{out, print_json};
use crate::cli::progress::Progress;
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct ImportJson {
    format: &'static str,
    directory: String,
    dry_run: bool,
    written: bool,
    revisions: Vec<RevisionJson>,
    stamped: Option<Vec<String>>,
}

#[derive(Serialize)]
struct RevisionJson {
    revision: String,
    message: String,
    path: String,
    source: String,
    transaction: bool,
}

pub(crate) fn run(settings: &Settings, args: &ImportArgs) -> anyhow::Result<Outcome> {
    let format: Format = args.from.parse()?;
    let conversion = Conversion::read(format, &args.source, settings.dialect())?;
    let dir = &settings.dir;
    let mut database = if args.adopt {
        Some(settings.connect(args.dry_run)?)
    } else {
        None
    };
    // The history is checked before anything is written, so a refused
    // adoption leaves no files either; `adopt` checks it again under the lock.
    let preview: Option<Vec<String>> = match &mut database {
        Some(database) => Some(
            adopt::preview(&conversion, database)?
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
        None => None,
    };
    let written = if args.dry_run {
        None
    } else {
        Some(conversion.write(dir)?)
    };
    let stamped: Option<Vec<String>> = match (&mut database, args.dry_run) {
        (None, _) => None,
        (Some(_), true) => preview,
        (Some(database), false) => {
            let migrations = Migrations::load(dir, settings.dialect())?;
            let mut progress = Progress::new(settings.quiet, settings.json);
            let report = adopt::adopt(&conversion, &migrations, database, &mut progress)?;
            Some(migrations.graph().ids(&report.inserted))
        }
    };
    if settings.json {
        print_json(&ImportJson {
            format: format.name(),
            directory: dir.display().to_string(),
            dry_run: args.dry_run,
            written: written == Some(Written::Created),
            revisions: conversion
                .migrations
                .iter()
                .map(|migration| RevisionJson {
                    revision: migration.version.clone(),
                    message: migration.message.clone(),
                    path: dir.join(&migration.file_name).display().to_string(),
                    source: migration.name.clone(),
                    transaction: migration.transactional,
                })
                .collect(),
            stamped,
        })?;
        return Ok(Outcome::Success);
    }
    if args.dry_run {
        for (name, text) in conversion.files() {
            out!("-- would write {}\n{text}", dir.join(name).display());
        }
        out!(
            "-- would write {} ({})",
            dir.join(SUM_FILE_NAME).display(),
            crate::cli::output::revisions(conversion.files().len())
        );
        if let Some(stamped) = &stamped {
            out!("-- would stamp as applied (no SQL run): {}", list(stamped));
        }
        return Ok(Outcome::Success);
    }
    if !settings.quiet {
        match written {
            Some(Written::Unchanged) => out!(
                "{} already holds these {format} migrations: nothing written",
                dir.display()
            ),
            _ => out!(
                "imported {} from {format} into {} (with {SUM_FILE_NAME})",
                crate::cli::output::revisions(conversion.files().len()),
                dir.display()
            ),
        }
        if let Some(stamped) = &stamped {
            out!(
                "stamped {} as applied (no SQL run){}",
                crate::cli::output::revisions(stamped.len()),
                if stamped.is_empty() {
                    String::new()
                } else {
                    format!(": {}", list(stamped))
                }
            );
        }
    }
    Ok(Outcome::Success)
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::from("none")
    } else {
        ids.join(", ")
    }
}
