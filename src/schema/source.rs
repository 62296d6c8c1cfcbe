//! Where a schema comes from (`diff --from/--to`, `check`): the migrations
//! directory replayed up to a target, a `.sql` file applied, or a live
//! database read. Replays run on a scratch database that is dropped
//! afterwards (SQLite: in memory); the database is the parser.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Schema;
use crate::backend::DbError;
use crate::database::{Database, DatabaseOptions};
use crate::dialect::{Dialect, ServerVersion};
use crate::error::Error;
use crate::event::Silent;
use crate::execute::{Migrator, RunOptions};
use crate::graph::Target;
use crate::migrations::Migrations;
use crate::revision::split_statements;
use crate::span::Span;

/// A schema source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The migrations directory replayed up to a target (`migrations`,
    /// `migrations@TARGET`; default `head`).
    Migrations(Option<String>),
    /// A `.sql` file applied to a scratch database.
    SqlFile(PathBuf),
    /// A live database, read only.
    Url(String),
}

/// A source that is neither `migrations`, a `.sql` file nor a database URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a schema source: expected `migrations`, `migrations@TARGET`, a path ending in .sql, or a database URL"
)]
pub struct InvalidSource(pub String);

impl FromStr for Source {
    type Err = InvalidSource;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "migrations" {
            return Ok(Source::Migrations(None));
        }
        if let Some(target) = text.strip_prefix("migrations@").filter(|t| !t.is_empty()) {
            return Ok(Source::Migrations(Some(target.to_owned())));
        }
        if crate::database_url::DatabaseUrl::parse(text).is_ok() {
            return Ok(Source::Url(text.to_owned()));
        }
        if Path::new(text)
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("sql"))
        {
            return Ok(Source::SqlFile(PathBuf::from(text)));
        }
        // A URL-looking source may hold a password: echo only plain text.
        let shown = if text.contains('@') || text.contains("://") {
            String::from("(a URL sqlmig cannot use)")
        } else {
            text.to_owned()
        };
        Err(InvalidSource(shown))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Migrations(None) => f.write_str("migrations"),
            Source::Migrations(Some(target)) => write!(f, "migrations@{target}"),
            Source::SqlFile(path) => write!(f, "{}", path.display()),
            Source::Url(url) => match crate::database_url::DatabaseUrl::parse(url) {
                Ok(url) => f.write_str(&url.redacted()),
                Err(_) => f.write_str("(database URL)"),
            },
        }
    }
}

/// What reading a source needs.
#[derive(Debug)]
pub struct SourceContext<'a> {
    /// The dialect of the schemas compared.
    pub dialect: Dialect,
    /// The migrations directory.
    pub dir: &'a Path,
    /// Where scratch databases are made (PostgreSQL, MySQL); SQLite
    /// replays in memory.
    pub dev_url: Option<&'a str>,
    /// The state table's options, for live databases and replays.
    pub options: &'a DatabaseOptions,
    /// Set by Ctrl-C or SIGTERM: a replay under way stops at its next
    /// statement or revision (the statement running on a scratch database is
    /// cancelled), its scratch database is dropped, and reading fails with
    /// [`Error::Interrupted`].
    pub stop: Option<Arc<AtomicBool>>,
}

impl SourceContext<'_> {
    fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|stop| stop.load(Ordering::SeqCst))
    }

    /// `Err(Interrupted)` once the stop flag is set.
    fn go_on(&self) -> Result<(), Error> {
        if self.stopped() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Reads the schema `source` gives.
pub fn read(source: &Source, context: &SourceContext<'_>) -> Result<Schema, Error> {
    match source {
        Source::Url(url) => {
            let options = DatabaseOptions {
                read_only: true,
                ..context.options.clone()
            };
            let mut database = Database::connect(url, &options)?;
            if database.dialect() != context.dialect {
                return Err(Error::DialectMismatch {
                    migrations: context.dialect,
                    database: database.dialect(),
                });
            }
            super::inspect(&mut database).map_err(|error| Error::Inspect(Box::new(error)))
        }
        Source::SqlFile(path) => on_scratch(context, |database| {
            apply_file(database, path, context)?;
            super::inspect(database).map_err(|error| Error::Inspect(Box::new(error)))
        }),
        Source::Migrations(target) => {
            let migrations = Migrations::load(context.dir, context.dialect)?;
            read_replayed(&migrations, &[target.as_deref().unwrap_or("head")], context)
                .map(|(schema, _)| schema)
        }
    }
}

/// The schema the migrations give when `targets` are applied, one after
/// the other, on a scratch database (`check --drift` replays the applied
/// heads of a live database this way), and the version of the server that
/// read it.
pub fn read_replayed(
    migrations: &Migrations,
    targets: &[&str],
    context: &SourceContext<'_>,
) -> Result<(Schema, ServerVersion), Error> {
    on_scratch(context, |database| {
        replay(database, migrations, targets, context)?;
        let schema = super::inspect(database).map_err(|error| Error::Inspect(Box::new(error)))?;
        Ok((schema, database.server_version()?))
    })
}

/// Applies `targets`, one after the other, to `database`; stops between
/// two revisions once the context's stop flag is set.
fn replay(
    database: &mut Database,
    migrations: &Migrations,
    targets: &[&str],
    context: &SourceContext<'_>,
) -> Result<(), Error> {
    for target in targets {
        let target: Target = target.parse()?;
        let mut silent = Silent;
        let mut migrator = Migrator::new(migrations, database, &mut silent)?;
        if let Some(stop) = &context.stop {
            migrator = migrator.stop_when(Arc::clone(stop));
        }
        if migrator
            .upgrade(&target, RunOptions::default())?
            .interrupted
        {
            return Err(Error::Interrupted);
        }
    }
    Ok(())
}

/// Runs `body` on a fresh scratch database, dropped afterwards, also when
/// the context's stop flag interrupts it: then whatever `body` returned, the
/// result is [`Error::Interrupted`].
pub(super) fn on_scratch<T>(
    context: &SourceContext<'_>,
    body: impl FnOnce(&mut Database) -> Result<T, Error>,
) -> Result<T, Error> {
    context.go_on()?;
    let options = DatabaseOptions {
        read_only: false,
        ..context.options.clone()
    };
    if let Some(memory) = context.dialect.profile().memory_url() {
        let mut database = Database::connect(memory, &options)?;
        let result = body(&mut database);
        context.go_on()?;
        return result;
    }
    let Some(dev_url) = context.dev_url else {
        return Err(Error::NeedsDevUrl {
            dialect: context.dialect,
        });
    };
    let dev_url = crate::database_url::DatabaseUrl::parse(dev_url)?;
    let scratch = crate::scratch::ScratchDatabase::create(&dev_url)?;
    let run = || {
        let mut database = Database::connect(scratch.url().expose_secret(), &options)?;
        body(&mut database)
    };
    let result = match &context.stop {
        Some(stop) => scratch.run_cancellable(stop, run),
        None => run(),
    };
    drop(scratch);
    context.go_on()?;
    result
}

/// One step of a verification: a script, what it is called in messages,
/// and the schema it must reach.
pub type Step<'a> = (&'a str, &'a str, &'a Schema);

/// Replays `from` on a scratch database, then runs each step's script
/// there in turn and checks that it reaches the step's schema. Returns what
/// is left after each step, each line naming its object; empty when every
/// script does exactly its job.
pub fn verify_scripts(
    from: &Source,
    from_schema: &Schema,
    steps: &[Step<'_>],
    context: &SourceContext<'_>,
) -> Result<Vec<String>, Error> {
    let replay = |database: &mut Database| -> Result<(), Error> {
        match from {
            Source::Url(_) => apply_text(
                database,
                &super::dump(from_schema, context.dialect),
                Path::new("FROM schema"),
                context,
            ),
            Source::SqlFile(path) => apply_file(database, path, context),
            Source::Migrations(target) => {
                let migrations = Migrations::load(context.dir, context.dialect)?;
                replay(
                    database,
                    &migrations,
                    &[target.as_deref().unwrap_or("head")],
                    context,
                )
            }
        }
    };
    on_scratch(context, |database| {
        replay(database)?;
        let mut problems = Vec::new();
        for &(script, name, expected) in steps {
            apply_text(database, script, Path::new(name), context)?;
            let reached =
                super::inspect(database).map_err(|error| Error::Inspect(Box::new(error)))?;
            let left = super::diff(&reached, expected, context.dialect);
            problems.extend(left.changes.iter().map(|change| {
                format!(
                    "the {name} section leaves {} {} to {}",
                    change.kind,
                    change.object,
                    describe(change.action)
                )
            }));
            problems.extend(
                left.unsupported
                    .iter()
                    .map(|problem| format!("the {name} section leaves {problem}")),
            );
        }
        Ok(problems)
    })
}

fn describe(action: super::Action) -> &'static str {
    match action {
        super::Action::Create => "create",
        super::Action::Drop => "drop",
        super::Action::Alter => "change",
    }
}

/// Applies the statements of `path` one by one; a failure names the file,
/// the statement's line and the server's message.
fn apply_file(
    database: &mut Database,
    path: &Path,
    context: &SourceContext<'_>,
) -> Result<(), Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::SourceFile {
        span: Span::file(path),
        message: format!("cannot read it: {source}"),
    })?;
    let text = crate::revision::normalize(&bytes).map_err(|error| Error::SourceFile {
        span: Span::file(path),
        message: format!("not valid UTF-8 at byte {}", error.offset),
    })?;
    apply_text(database, &text, path, context)
}

/// Applies the statements of `text` (read from `path`) one by one; stops
/// before the next one once the context's stop flag is set.
fn apply_text(
    database: &mut Database,
    text: &str,
    path: &Path,
    context: &SourceContext<'_>,
) -> Result<(), Error> {
    let statements =
        split_statements(text, database.dialect()).map_err(|error| Error::SourceFile {
            span: Span::file(path),
            message: error.to_string(),
        })?;
    for statement in statements {
        context.go_on()?;
        database
            .backend
            .execute(&statement.sql)
            .map_err(|error: DbError| Error::SourceFile {
                span: Span::new(path, statement.line, statement.column),
                message: error.to_string(),
            })?;
    }
    Ok(())
}
