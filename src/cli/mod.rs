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
    match dispatch(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::CheckFailed) => ExitCode::FAILURE,
        Err(error) => {
            output::print_error(&error);
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    if let Command::Init(args) = &cli.command {
        return commands::init::run(args, cli.global.quiet);
    }
    let settings = Settings::resolve(&cli.global)?;
    match cli.command {
        Command::Init(_) => unreachable!("handled above: init needs no settings"),
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
        Command::Check => commands::check::run(&settings),
        Command::Repair(args) => commands::repair::run(&settings, &args),
        Command::Emit(args) => commands::emit::run(&settings, &args),
        Command::Schema(args) => commands::schema::run(&settings, &args),
        Command::Lint(args) => commands::lint::run(&settings, &args),
        Command::Diff(args) => commands::diff::run(&settings, &args),
    }
}
