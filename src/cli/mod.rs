//! The command-line interface: clap types in `args`, resolved settings in
//! `settings`, one module per verb in `commands`. Only this part of the crate
//! prints.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the command-line interface is where sqlmig talks to its user"
)]

pub(crate) mod args;
mod commands;
mod fleet;
mod interrupt;
mod output;
mod progress;
mod scaffold;
mod settings;

use std::process::ExitCode;

use args::{Cli, Command};
use settings::Settings;
use sqlmig::plan::Direction;

/// What a command reports besides errors: success, or a check that failed
/// after saying why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    CheckFailed,
}

/// Runs the parsed command line and returns the process's exit code.
pub(crate) fn run(cli: Cli) -> ExitCode {
    let json = cli.global.json;
    match dispatch(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::CheckFailed) => ExitCode::FAILURE,
        Err(error) => {
            output::print_error(&error, json);
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Init(args) => {
            return commands::init::run(args, cli.global.quiet, cli.global.json);
        }
        Command::Completions(args) => {
            return commands::completions::run(args, cli.global.json);
        }
        Command::Man => return commands::completions::man(cli.global.json),
        _ => {}
    }
    if cli.global.fleet.enabled() {
        let job = fleet_job(&cli.command)?;
        let settings = Settings::resolve(&cli.global)?;
        return fleet::run(&settings, &cli.global.fleet, &job);
    }
    if let Some(flag) = cli.global.fleet.fleet_only_flag() {
        usage_error(&format!(
            "{flag} is for fleets: add --all-targets (the [[targets]] of sqlmig.toml), --targets FILE or --schemas-query SQL"
        ));
    }
    let settings = Settings::resolve(&cli.global)?;
    match cli.command {
        Command::Init(_) | Command::Completions(_) | Command::Man => {
            unreachable!("handled above: these need no settings")
        }
        Command::New(args) => commands::new::run(&settings, &args),
        Command::Heads => commands::heads::run(&settings),
        Command::Branches => commands::branches::run(&settings),
        Command::History(args) => commands::history::run(&settings, &args),
        Command::Show(args) => commands::show::run(&settings, &args),
        Command::Merge(args) => commands::merge::run(&settings, &args),
        Command::Hash => commands::hash::run(&settings),
        Command::Verify(args) => commands::verify::run(&settings, &args),
        Command::Upgrade(args) => {
            commands::run::run(&settings, Direction::Upgrade, &args.target, &args.run)
        }
        Command::Downgrade(args) => {
            commands::run::run(&settings, Direction::Downgrade, &args.target, &args.run)
        }
        Command::Current => commands::current::run(&settings),
        Command::Status => commands::status::run(&settings),
        Command::Stamp(args) => commands::stamp::run(&settings, &args),
        Command::Check(args) => commands::check::run(&settings, &args),
        Command::Repair(args) => commands::repair::run(&settings, &args),
        Command::Emit(args) => commands::emit::run(&settings, &args),
        Command::Schema(args) => commands::schema::run(&settings, &args),
        Command::Import(args) => commands::import::run(&settings, &args),
        Command::Lint(args) => commands::lint::run(&settings, &args),
        Command::Diff(args) => commands::diff::run(&settings, &args),
        Command::Test(args) => commands::test::run(&settings, &args),
    }
}

/// What a fleet runs on each target; a command that does not run per
/// target is a usage error (exit 2).
fn fleet_job(command: &Command) -> anyhow::Result<fleet::Job> {
    use sqlmig::{RunOptions, Target};
    let run_options = |args: &args::RunArgs| RunOptions {
        dry_run: args.dry_run,
        single_transaction: args.single_transaction,
    };
    Ok(match command {
        Command::Upgrade(args) => fleet::Job::Run {
            direction: Direction::Upgrade,
            target: args.target.parse()?,
            options: run_options(&args.run),
        },
        Command::Downgrade(args) => fleet::Job::Run {
            direction: Direction::Downgrade,
            target: args.target.parse()?,
            options: run_options(&args.run),
        },
        Command::Stamp(args) => fleet::Job::Stamp {
            target: args.target.parse()?,
        },
        Command::Status => fleet::Job::Status,
        Command::Current => fleet::Job::Current,
        Command::Check(args) if args.schema_file.is_none() && !args.drift => fleet::Job::Check,
        Command::Emit(args) => {
            if args.offline || args.dialect.is_some() {
                usage_error(
                    "emit --offline renders without a database, once: drop --all-targets/--targets/--schemas-query, or drop --offline and --dialect to render one script per live target",
                );
            }
            let direction = if args.down {
                Direction::Downgrade
            } else {
                Direction::Upgrade
            };
            let target: Target = match (&args.target, direction) {
                (Some(target), _) => target.parse()?,
                (None, Direction::Upgrade) => Target::Head,
                (None, Direction::Downgrade) => {
                    anyhow::bail!("a downgrade script needs a TARGET (for example `base` or `-1`)")
                }
            };
            fleet::Job::Emit {
                direction,
                target,
                output: fleet::check_output(args.output.as_deref())?,
            }
        }
        _ => usage_error(
            "--all-targets, --targets and --schemas-query work with upgrade, downgrade, stamp, status, current, check and emit",
        ),
    })
}

/// A usage error: clap's message format and exit code 2.
fn usage_error(message: &str) -> ! {
    use clap::CommandFactory;
    usage_failed(&Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message))
}

/// Ends the process for bad usage: clap's message on stderr and exit 2 (help
/// and version exit 0), with the `{"error": ...}` object on stdout under `--json`.
pub(crate) fn usage_failed(error: &clap::Error) -> ! {
    if error.use_stderr() {
        output::print_usage_error(error);
    }
    error.exit()
}
