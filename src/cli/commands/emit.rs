//! `sqlmig emit`: the SQL script that `upgrade` (or `downgrade`) would run,
//! for a DBA to review and run with the dialect's own client. Nothing but SQL
//! goes to stdout.

use std::io::Write as _;

use anyhow::{Context, bail};
use sqlmig::plan::Direction;
use sqlmig::{Dialect, Migrator, Silent, Target, emit};

use crate::cli::Outcome;
use crate::cli::args::EmitArgs;
use crate::cli::output::exit_on_write_error;
use crate::cli::settings::Settings;

pub(crate) fn run(settings: &Settings, args: &EmitArgs) -> anyhow::Result<Outcome> {
    let direction = if args.down {
        Direction::Downgrade
    } else {
        Direction::Upgrade
    };
    let target: Target = match (&args.target, direction) {
        (Some(target), _) => target.parse()?,
        (None, Direction::Upgrade) => Target::Head,
        (None, Direction::Downgrade) => {
            bail!("a downgrade script needs a TARGET (for example `base` or `-1`)")
        }
    };
    let requested = args
        .dialect
        .as_deref()
        .map(str::parse::<Dialect>)
        .transpose()?;
    if args.offline {
        let Some(dialect) = requested.or(settings.configured_dialect) else {
            bail!(
                "no dialect for the script: pass --dialect postgres|mysql|sqlite, or set `dialect` or a database URL in sqlmig.toml"
            );
        };
        // Assumed to be `base`, a downgrade would revert nothing.
        if direction == Direction::Downgrade && args.from.is_none() {
            bail!(
                "an offline downgrade script needs --from REV, the revision the database is at (for example `--from head`)"
            );
        }
        let migrations = settings.load_for(dialect)?;
        let from = args.from.as_deref().map(str::parse::<Target>).transpose()?;
        let server_version = settings.server_version(dialect, args.server_version.as_deref())?;
        let plan = emit::offline_plan(
            migrations.graph(),
            dialect,
            server_version,
            direction,
            from.as_ref(),
            &target,
        )?;
        let table = settings.state_table(dialect)?;
        let init_sql = init_sql(settings, dialect);
        deliver(settings, args, dialect, direction, &|out| {
            emit::write(
                migrations.graph(),
                &plan,
                &table,
                init_sql,
                server_version,
                out,
            )
        })?;
        // The process ends once the script is written: freeing every
        // revision one by one first (10,000 of them, each a dozen
        // allocations) is time the user would wait for, for nothing.
        std::mem::forget(migrations);
    } else {
        let mut database = settings.connect(true)?;
        let dialect = database.dialect();
        if let Some(requested) = requested.filter(|&requested| requested != dialect) {
            bail!(
                "--dialect {requested} does not match the database, which is {dialect}; add --offline to render for another dialect"
            );
        }
        let migrations = settings.load_for(dialect)?;
        let graph = migrations.graph();
        let plan =
            Migrator::new(&migrations, &mut database, &mut Silent)?.plan(direction, &target)?;
        let server_version = database.server_version()?;
        deliver(settings, args, dialect, direction, &|out| {
            emit::write(
                graph,
                &plan,
                database.state_table(),
                settings.init_sql(),
                server_version,
                out,
            )
        })?;
    }
    Ok(Outcome::Success)
}

/// Writes the script where the arguments say: to `--output`, inside the
/// JSON object of `--json`, or to stdout.
fn deliver(
    settings: &Settings,
    args: &EmitArgs,
    dialect: Dialect,
    direction: Direction,
    write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if let Some(path) = &args.output {
        let mut file = std::fs::File::create(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        write(&mut file).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if settings.json {
        let script = match &args.output {
            Some(_) => None,
            None => {
                let mut script = Vec::new();
                write(&mut script)?;
                Some(String::from_utf8(script)?)
            }
        };
        return crate::cli::output::print_json(&serde_json::json!({
            "dialect": dialect.name(),
            "direction": match direction {
                Direction::Upgrade => "upgrade",
                Direction::Downgrade => "downgrade",
            },
            "output": args.output.as_ref().map(|path| path.display().to_string()),
            "script": script,
        }));
    }
    if args.output.is_none() {
        let mut stdout = std::io::stdout().lock();
        if let Err(error) = write(&mut stdout).and_then(|()| stdout.flush()) {
            exit_on_write_error(&error);
        }
    }
    Ok(())
}

/// The session set-up an online run would execute first. Configured for a
/// database of another dialect, it would not run there: left out, with a
/// warning.
fn init_sql(settings: &Settings, dialect: Dialect) -> &[String] {
    match settings.url_dialect() {
        Some(configured) if configured != dialect && !settings.init_sql().is_empty() => {
            if !settings.quiet {
                eprintln!(
                    "{} init_sql is left out of the script: it is set up for the configured {configured} database, the script is for {dialect}",
                    crate::cli::output::warning_label()
                );
            }
            &[]
        }
        _ => settings.init_sql(),
    }
}
