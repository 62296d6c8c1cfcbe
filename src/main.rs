//! The `sqlmig` binary: parse the command line, run the command, turn the
//! outcome into an exit code (0 success, 1 error or failed check, 2 bad usage).

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

/// Loading a directory of thousands of revisions is mostly small allocations
/// on several threads, which mimalloc serves faster than the system's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::args::Cli::try_parse() {
        Ok(args) => cli::run(args),
        Err(error) => cli::usage_failed(&error),
    }
}
