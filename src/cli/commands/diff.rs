//! `sqlmig diff`: the DDL that turns the schema of FROM into the schema of
//! TO (`--down`: the reverse). Exit 0 when they are equal, 1 when they
//! differ, as `diff` does. With `-m`, a new revision holding the change and
//! its reverse, both verified on a scratch database before it is written.
//! `check --schema-file` and `check --drift` compare the same way.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, bail};
use serde::Serialize;
use sqlmig::schema::{Change, Diff, Schema, Source, SourceContext};
use sqlmig::{DatabaseOptions, Dialect};

use crate::cli::Outcome;
use crate::cli::args::DiffArgs;
use crate::cli::output::{out, print_json};
use crate::cli::scaffold::{Body, NewRevision, write_revision};
use crate::cli::settings::{Settings, one_line_message};

#[derive(Serialize)]
struct DiffJson<'a> {
    equal: bool,
    changes: &'a [Change],
    not_compared: &'a [String],
}

/// What reading schemas needs: the dialect, the state table's options,
/// where scratch databases go, and the flag Ctrl-C sets to stop a replay.
pub(crate) struct Reader {
    pub(crate) dialect: Dialect,
    options: DatabaseOptions,
    dev_url: Option<String>,
    stop: Option<Arc<AtomicBool>>,
}

impl Reader {
    /// The reader for `settings`; `dev_url` is `--dev-url`; `sources` are
    /// what will be read: a database URL among them names the dialect when
    /// the config does not. When one of them is replayed on a server's
    /// scratch database, Ctrl-C and SIGTERM stop the replay and drop the
    /// scratch database (a second signal ends the process at once); SQLite
    /// replays in memory, where the default handling leaves nothing behind.
    pub(crate) fn new(settings: &Settings, dev_url: Option<&str>, sources: &[&Source]) -> Self {
        let url_dialect = sources.iter().find_map(|source| match source {
            Source::Url(url) => sqlmig::DatabaseUrl::parse(url)
                .ok()
                .map(|url| url.dialect()),
            _ => None,
        });
        let dialect = settings
            .configured_dialect
            .or(url_dialect)
            .unwrap_or_else(|| settings.dialect());
        let replays_on_server = dialect.replays_on_server()
            && sources
                .iter()
                .any(|source| !matches!(source, Source::Url(_)));
        let stop = replays_on_server.then(|| {
            let stop = Arc::new(AtomicBool::new(false));
            crate::cli::interrupt::install(&[&stop]);
            stop
        });
        Reader {
            dialect,
            options: settings.database_options(false),
            dev_url: settings.dev_url_if_any(dev_url),
            stop,
        }
    }

    /// Whether Ctrl-C or SIGTERM has asked the command to stop.
    pub(crate) fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|stop| stop.load(std::sync::atomic::Ordering::SeqCst))
    }

    pub(crate) fn context<'a>(&'a self, settings: &'a Settings) -> SourceContext<'a> {
        SourceContext {
            dialect: self.dialect,
            dir: &settings.dir,
            dev_url: self.dev_url.as_deref(),
            options: &self.options,
            stop: self.stop.clone(),
        }
    }

    pub(crate) fn read(&self, settings: &Settings, source: &Source) -> anyhow::Result<Schema> {
        sqlmig::schema::read(source, &self.context(settings))
            .with_context(|| format!("cannot read {source}"))
    }
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
    let reader = Reader::new(settings, args.dev_url.as_deref(), &[&from, &to]);
    let from_schema = reader.read(settings, &from)?;
    let to_schema = reader.read(settings, &to)?;
    if let Some(message) = &args.message {
        return write(
            settings,
            &reader,
            (&from, &from_schema),
            &to_schema,
            message,
            !args.no_concurrently,
        );
    }
    let diff = if args.down {
        sqlmig::schema::diff(&to_schema, &from_schema, reader.dialect)
    } else {
        sqlmig::schema::diff(&from_schema, &to_schema, reader.dialect)
    };
    refuse_unsupported(&diff, reader.dialect)?;
    print(settings, &diff)
}

/// Prints a difference (the script, or `--json`); exit 1 when there is one.
pub(crate) fn print(settings: &Settings, diff: &Diff) -> anyhow::Result<Outcome> {
    if settings.json {
        print_json(&DiffJson {
            equal: diff.is_empty(),
            changes: &diff.changes,
            not_compared: &diff.not_compared,
        })?;
    } else {
        if let Some(why) = diff.no_transaction {
            out!("-- Run outside a transaction (a revision with `-- transaction: false`): {why}.");
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

/// Fails, naming every object, when part of a difference cannot be DDL.
pub(crate) fn refuse_unsupported(diff: &Diff, dialect: Dialect) -> anyhow::Result<()> {
    if diff.unsupported.is_empty() {
        return Ok(());
    }
    bail!(
        "the difference cannot be written as DDL for {}:\n{}",
        dialect.title(),
        diff.unsupported
            .iter()
            .map(|problem| format!("  {problem}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// `diff -m`: the revision, verified before it is written. On PostgreSQL an
/// index on a table that already exists is built `CONCURRENTLY` in a second
/// revision of its own, outside a transaction (unless `--no-concurrently`).
fn write(
    settings: &Settings,
    reader: &Reader,
    (from, from_schema): (&Source, &Schema),
    to_schema: &Schema,
    message: &str,
    concurrently: bool,
) -> anyhow::Result<Outcome> {
    let message = one_line_message(message)?;
    let concurrent = concurrently
        .then(|| sqlmig::schema::concurrent_indexes(from_schema, to_schema, reader.dialect))
        .flatten();
    let first_target = concurrent.as_ref().map_or(to_schema, |c| &c.without);
    let up = sqlmig::schema::diff(from_schema, first_target, reader.dialect);
    let down = sqlmig::schema::diff(first_target, from_schema, reader.dialect);
    refuse_unsupported(&up, reader.dialect)?;
    refuse_unsupported(&down, reader.dialect)?;
    if up.is_empty() && concurrent.is_none() {
        if !settings.quiet {
            out!("no changes: the two schemas are equal, nothing written");
        }
        return Ok(Outcome::Success);
    }
    let (up_script, down_script) = (up.script(), down.script());
    let (index_up, index_down) = concurrent.as_ref().map_or_else(Default::default, |c| {
        (statements(&c.up), statements(&c.down))
    });
    let mut steps: Vec<sqlmig::schema::Step<'_>> = Vec::new();
    if !up.is_empty() {
        steps.push((&up_script, "up", first_target));
    }
    if concurrent.is_some() {
        steps.push((&index_up, "up (indexes)", to_schema));
        steps.push((&index_down, "down (indexes)", first_target));
    }
    if !up.is_empty() {
        steps.push((&down_script, "down", from_schema));
    }
    let problems =
        sqlmig::schema::verify_scripts(from, from_schema, &steps, &reader.context(settings))
            .context("cannot verify the generated revision")?;
    if !problems.is_empty() {
        bail!(
            "the generated revision does not do what it should, so nothing was written:\n{}",
            problems
                .iter()
                .map(|problem| format!("  {problem}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    if reader.stopped() {
        return Err(sqlmig::Error::Interrupted.into());
    }
    let migrations = sqlmig::Migrations::load_allow_empty(&settings.dir, reader.dialect)?;
    let graph = migrations.graph();
    let mut parents = match graph.heads() {
        [] => Vec::new(),
        [head] => vec![graph.revision(*head).id.clone()],
        heads => bail!(
            "there are several heads ({}): join them first with `sqlmig merge -m \"merge heads\"`",
            graph.ids(heads).join(", ")
        ),
    };
    let mut written = Vec::new();
    if !up.is_empty() {
        let no_transaction = up.no_transaction.or(down.no_transaction);
        let note = match no_transaction {
            Some(why) => format!(
                "written by `sqlmig diff -m` and verified by replay; `transaction: false` because {why}"
            ),
            None => String::from("written by `sqlmig diff -m` and verified by replay"),
        };
        let new = NewRevision {
            id: None,
            parents: parents.clone(),
            dependencies: Vec::new(),
            branch: None,
            message,
            transactional: no_transaction.is_none(),
            body: Some(Body {
                up: up_script.clone(),
                down: down_script.clone(),
                note: Some(note),
            }),
        };
        let (path, id) = write_revision(migrations.dir(), graph, &new)?;
        parents = vec![id.clone()];
        written.push((path, id));
    }
    if concurrent.is_some() {
        let index_message = format!("{message} (indexes, built concurrently)");
        let new = NewRevision {
            id: None,
            parents,
            dependencies: Vec::new(),
            branch: None,
            message: &index_message,
            transactional: false,
            body: Some(Body {
                up: index_up.clone(),
                down: index_down.clone(),
                note: Some(String::from(
                    "written by `sqlmig diff -m` and verified by replay; indexes on existing tables are built CONCURRENTLY, which cannot run in a transaction, so that writes go on meanwhile",
                )),
            }),
        };
        written.push(write_revision(migrations.dir(), graph, &new)?);
    }
    if settings.json {
        print_json(&serde_json::json!({
            "revision": written.last().map(|(_, id)| id.clone()),
            "path": written.last().map(|(path, _)| path.display().to_string()),
            "revisions": written.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(),
            "paths": written.iter().map(|(path, _)| path.display().to_string()).collect::<Vec<_>>(),
            "changes": up.changes.len() + concurrent.as_ref().map_or(0, |c| c.up.len()),
        }))?;
    } else if !settings.quiet {
        for (path, id) in &written {
            out!("created {} (revision {id}, verified)", path.display());
        }
    }
    Ok(Outcome::Success)
}

/// Statements as a section's text, one per line with its `;`.
fn statements(list: &[String]) -> String {
    list.iter().map(|sql| format!("{sql};\n")).collect()
}
