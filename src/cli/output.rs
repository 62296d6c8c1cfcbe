//! How the CLI writes: data on stdout (text or `--json`), errors on stderr as
//! `error: ...` lines with any URL password hidden.

use std::fmt;
use std::io::Write as _;

use serde::Serialize;

/// `error:`, in bold red when stderr is a terminal and `NO_COLOR` is unset.
pub(crate) fn error_label() -> &'static str {
    if color() {
        "\x1b[1;31merror:\x1b[0m"
    } else {
        "error:"
    }
}

/// `warning:`, in bold yellow when stderr is a terminal and `NO_COLOR` is unset.
pub(crate) fn warning_label() -> &'static str {
    if color() {
        "\x1b[1;33mwarning:\x1b[0m"
    } else {
        "warning:"
    }
}

/// `hint:`, in bold cyan when stderr is a terminal and `NO_COLOR` is unset.
fn hint_label() -> &'static str {
    if color() {
        "\x1b[1;36mhint:\x1b[0m"
    } else {
        "hint:"
    }
}

/// Whether sqlmig's own messages on stderr are coloured: only on a
/// terminal, and never with `NO_COLOR` set (<https://no-color.org>).
fn color() -> bool {
    use std::io::IsTerminal as _;
    static COLOR: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *COLOR.get_or_init(|| {
        std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            && std::io::stderr().is_terminal()
    })
}

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
    eprintln!("{} cannot write to stdout: {error}", error_label());
    std::process::exit(1);
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    out!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints an error and its causes, one `error: ` line per line of message
/// (a `hint:` line stays as it is). A cause whose text the message already
/// holds is not repeated. With `--json`, stdout also gets
/// `{"error": {"message", "file", "line", "revision"}}`, null where unknown,
/// so a script always has something to parse.
pub(crate) fn print_error(error: &anyhow::Error, json: bool) {
    let message = error_message(error);
    print_error_lines(&message);
    if json {
        let (file, line, revision) = error_location(error, &message);
        print_error_json(&message, file, line, revision);
    }
}

/// With `--json` on the command line, a usage error (exit 2) also gets the
/// `{"error": ...}` object on stdout; its message is clap's first line.
pub(crate) fn print_usage_error(error: &clap::Error) {
    if std::env::args_os().any(|arg| arg == "--json") {
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first);
        print_error_json(message, None, None, None);
    }
}

fn print_error_json(
    message: &str,
    file: Option<String>,
    line: Option<u32>,
    revision: Option<String>,
) {
    let value = serde_json::json!({
        "error": {
            "message": message,
            "file": file,
            "line": line,
            "revision": revision,
        }
    });
    // Best effort: the error is on stderr already.
    if let Ok(text) = serde_json::to_string_pretty(&value) {
        out!("{text}");
    }
}

/// `error: ` before each line of `message`, except `hint:` lines.
fn print_error_lines(message: &str) {
    for line in message.lines() {
        match line.strip_prefix("hint: ") {
            Some(hint) => eprintln!("{} {hint}", hint_label()),
            None => eprintln!("{} {line}", error_label()),
        }
    }
}

/// The file, line and revision an error is about, where sqlmig knows them:
/// a failed statement's, a schema file's, else a leading `PATH:LINE[:COLUMN]: `
/// of the message (how load and parse errors name their place).
fn error_location(
    error: &anyhow::Error,
    message: &str,
) -> (Option<String>, Option<u32>, Option<String>) {
    let span = |span: &sqlmig::Span| {
        (
            Some(span.path.display().to_string()),
            (span.line > 0).then_some(span.line),
        )
    };
    for cause in error.chain() {
        match cause.downcast_ref::<sqlmig::Error>() {
            Some(sqlmig::Error::Statement(failed)) => {
                let (file, line) = span(&failed.span);
                return (file, line, Some(failed.revision.clone()));
            }
            Some(sqlmig::Error::SourceFile { span: at, .. }) => {
                let (file, line) = span(at);
                return (file, line, None);
            }
            Some(sqlmig::Error::Irreversible { revisions }) if revisions.len() == 1 => {
                let (id, at) = &revisions[0];
                let (file, line) = span(at);
                return (file, line, Some(id.clone()));
            }
            _ => {}
        }
    }
    // The message, then each cause on its own: a context line such as
    // "cannot read migrations: " may sit in front of the place.
    let causes = error.chain().map(ToString::to_string);
    std::iter::once(message.to_owned())
        .chain(causes)
        .find_map(|text| leading_place(&text))
        .map_or((None, None, None), |(file, line)| {
            (Some(file), Some(line), None)
        })
}

/// `PATH:LINE` at the start of `text`'s first line, as load and parse errors
/// begin.
fn leading_place(text: &str) -> Option<(String, u32)> {
    let first = text.lines().next().unwrap_or_default();
    let mut parts = first.splitn(4, ':');
    let (file, line) = (parts.next()?, parts.next()?);
    let line = line.trim().parse::<u32>().ok()?;
    (!file.is_empty() && !file.contains(' ')).then(|| (file.to_owned(), line))
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
    print_error_lines(&message);
}

/// `1 revision`, `3 revisions`.
pub(crate) fn revisions(count: usize) -> String {
    format!("{count} revision{}", if count == 1 { "" } else { "s" })
}
