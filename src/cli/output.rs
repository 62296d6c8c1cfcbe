//! How the CLI writes: data on stdout (text or `--json`), errors on stderr as
//! `error: ...` lines with any URL password hidden.

use std::fmt;
use std::io::Write as _;

use serde::Serialize;

/// `println!` for the CLI's data: a closed pipe (`sqlmig status | head`)
/// ends the process quietly with success instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use out;

/// Writes to stdout; see [`out!`].
pub(crate) fn write_stdout(text: fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        exit_on_write_error(&error);
    }
}

/// Ends the process after stdout failed: quietly with success when the
/// reader went away (a closed pipe), with an error otherwise.
pub(crate) fn exit_on_write_error(error: &std::io::Error) -> ! {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("error: cannot write to stdout: {error}");
    std::process::exit(1);
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    out!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints an error and its causes, one `error: ` line per line of message.
/// A cause whose text the message already holds is not repeated.
pub(crate) fn print_error(error: &anyhow::Error) {
    for line in error_message(error).lines() {
        eprintln!("error: {line}");
    }
}

/// An error and its causes as one message, URL passwords hidden. A cause
/// whose text the message already holds is not repeated.
pub(crate) fn error_message(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    sqlmig::database_url::redact_urls_in(&message)
}

/// Prints one problem of a failed check on stderr.
pub(crate) fn print_problem(problem: &impl std::fmt::Display) {
    let message = sqlmig::database_url::redact_urls_in(&problem.to_string());
    for line in message.lines() {
        eprintln!("error: {line}");
    }
}

/// `1 revision`, `3 revisions`.
pub(crate) fn revisions(count: usize) -> String {
    format!("{count} revision{}", if count == 1 { "" } else { "s" })
}
