//! `sqlmig diff`: the DDL that turns the schema of FROM into the schema of
//! TO (`--down`: the reverse). Exit 0 when they are equal, 1 when they
//! differ, as `diff` does.

use anyhow::{Context, bail};
use serde::Serialize;
use sqlmig::schema::{Change, Source, SourceContext};

use crate::cli::Outcome;
use crate::cli::args::DiffArgs;
use crate::cli::output::{out, print_json};
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct DiffJson<'a> {
    equal: bool,
    changes: &'a [Change],
    not_compared: &'a [String],
}

pub(crate) fn run(settings: &Settings, args: &DiffArgs) -> anyhow::Result<Outcome> {
    let from: Source = args.from.as_deref().unwrap_or("migrations").parse()?;
    let to: Source = match (&args.to, settings.schema_file()) {
        (Some(to), _) => to.parse()?,
        (None, Some(file)) => Source::SqlFile(file),
        (None, None) => bail!(
            "nothing to compare with: pass --to SRC (a .sql file, a database URL or migrations@TARGET), or set `schema_file` in sqlmig.toml"
        ),
    };
    // The configured dialect, else the one a database source names.
    let url_dialect = [&from, &to].into_iter().find_map(|source| match source {
        Source::Url(url) => sqlmig::DatabaseUrl::parse(url)
            .ok()
            .map(|url| url.dialect()),
        _ => None,
    });
    let dialect = settings
        .configured_dialect
        .or(url_dialect)
        .unwrap_or_else(|| settings.dialect());
    let dev_url = settings.dev_url_if_any(args.dev_url.as_deref());
    let options = settings.database_options(false);
    let context = SourceContext {
        dialect,
        dir: &settings.dir,
        dev_url: dev_url.as_deref(),
        options: &options,
    };
    let from_schema =
        sqlmig::schema::read(&from, &context).with_context(|| format!("cannot read {from}"))?;
    let to_schema =
        sqlmig::schema::read(&to, &context).with_context(|| format!("cannot read {to}"))?;
    let diff = if args.down {
        sqlmig::schema::diff(&to_schema, &from_schema, dialect)
    } else {
        sqlmig::schema::diff(&from_schema, &to_schema, dialect)
    };
    if !diff.unsupported.is_empty() {
        bail!(
            "the difference cannot be written as DDL for {}:\n{}",
            dialect.title(),
            diff.unsupported
                .iter()
                .map(|problem| format!("  {problem}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    if settings.json {
        print_json(&DiffJson {
            equal: diff.is_empty(),
            changes: &diff.changes,
            not_compared: &diff.not_compared,
        })?;
    } else {
        if diff.needs_no_transaction {
            out!(
                "-- Run outside a transaction (a revision with `-- transaction: false`): SQLite ignores PRAGMA foreign_keys inside one."
            );
        }
        let script = diff.script();
        if !script.is_empty() {
            out!("{}", script.trim_end());
        }
        for object in &diff.not_compared {
            out!("-- not compared: {object}");
        }
    }
    Ok(if diff.is_empty() {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}
