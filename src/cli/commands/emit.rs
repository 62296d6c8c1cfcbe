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
    let (dialect, script) = if args.offline {
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
        let script = emit::render(
            migrations.graph(),
            &plan,
            &settings.state_table(dialect)?,
            init_sql(settings, dialect),
            server_version,
        );
        // The process ends once the script is written: freeing every
        // revision one by one first (10,000 of them, each a dozen
        // allocations) is time the user would wait for, for nothing.
        std::mem::forget(migrations);
        (dialect, script)
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
        let script = emit::render(
            graph,
            &plan,
            database.state_table(),
            settings.init_sql(),
            server_version,
        );
        (dialect, script)
    };
    if let Some(path) = &args.output {
        std::fs::write(path, &script)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match &args.output {
        _ if settings.json => crate::cli::output::print_json(&serde_json::json!({
            "dialect": dialect.name(),
            "direction": match direction {
                Direction::Upgrade => "upgrade",
                Direction::Downgrade => "downgrade",
            },
            "output": args.output.as_ref().map(|path| path.display().to_string()),
            "script": if args.output.is_some() { None } else { Some(&script) },
        }))?,
        Some(_) => {}
        None => {
            let mut stdout = std::io::stdout().lock();
            if let Err(error) = stdout
                .write_all(script.as_bytes())
                .and_then(|()| stdout.flush())
            {
                exit_on_write_error(&error);
            }
        }
    }
    Ok(Outcome::Success)
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
