//! `sqlmig completions SHELL` and `sqlmig man`: generated from the same clap
//! definition as the command line, so they never fall behind it. With
//! `--json` the text comes inside an object, like `emit --json`'s script.

use std::io::Write as _;

use clap::CommandFactory as _;

use crate::cli::Outcome;
use crate::cli::args::{Cli, CompletionsArgs};
use crate::cli::output::{exit_on_write_error, print_json};

/// Prints the completion script for `args.shell` (`--json`: `{"shell", "script"}`).
pub(crate) fn run(args: &CompletionsArgs, json: bool) -> anyhow::Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sqlmig", &mut script);
    if json {
        print_json(&serde_json::json!({
            "shell": args.shell.to_string(),
            "script": String::from_utf8(script)?,
        }))?;
    } else {
        write_all(&script);
    }
    Ok(Outcome::Success)
}

/// Prints the man page, in roff (`--json`: `{"format": "roff", "page"}`).
pub(crate) fn man(json: bool) -> anyhow::Result<Outcome> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    if json {
        print_json(&serde_json::json!({
            "format": "roff",
            "page": String::from_utf8(page)?,
        }))?;
    } else {
        write_all(&page);
    }
    Ok(Outcome::Success)
}

fn write_all(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        exit_on_write_error(&error);
    }
}
