//! The `sqlmig` binary: parse the command line, run the command, turn the
//! outcome into an exit code (0 success, 1 error or failed check, 2 bad usage).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    cli::run(args)
}
