//! `sqlmig completions SHELL` and `sqlmig man`: generated from the same clap
//! definition as the command line, so they never fall behind it.

use std::io::Write as _;

use clap::CommandFactory as _;

use crate::cli::Outcome;
use crate::cli::args::{Cli, CompletionsArgs};
use crate::cli::output::exit_on_write_error;

/// Prints the completion script for `args.shell`.
pub(crate) fn run(args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sqlmig", &mut script);
    write_all(&script);
    Ok(Outcome::Success)
}

/// Prints the man page, in roff.
pub(crate) fn man() -> anyhow::Result<Outcome> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    write_all(&page);
    Ok(Outcome::Success)
}

fn write_all(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        exit_on_write_error(&error);
    }
}
