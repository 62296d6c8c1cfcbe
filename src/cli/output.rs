//! How the CLI writes: data on stdout (text or `--json`), errors on stderr as
//! `error: ...` lines with any URL password hidden.

use serde::Serialize;

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints an error and its causes, one `error: ` line per line of message.
/// A cause whose text the message already holds is not repeated.
pub(crate) fn print_error(error: &anyhow::Error) {
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
    let message = sqlmig::database_url::redact_urls_in(&message);
    for line in message.lines() {
        eprintln!("error: {line}");
    }
}

/// Prints one problem of a failed check on stderr.
pub(crate) fn print_problem(problem: &impl std::fmt::Display) {
    let message = sqlmig::database_url::redact_urls_in(&problem.to_string());
    for line in message.lines() {
        eprintln!("error: {line}");
    }
}
