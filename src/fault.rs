//! Fault injection for the reliability suite (docs/RELIABILITY.md §9.0): named
//! points in the engine where a test makes the process crash or pause, so
//! a crash lands exactly between two steps.
//!
//! Compiled only with the `fault-injection` feature, which release builds
//! never enable; without it [`point`] is an empty inline function and the
//! point's name is never even built (it is a closure).
//!
//! `SQLMIG_FAULT=<point>=<action>[,<point>=<action>...]`, where a point is
//! `after_lock`, `before_stmt:<revision>:<n>`, `after_stmt:<revision>:<n>`
//! (`n` counts the section's statements from 1; `before_stmt` fires when the
//! statement is sent, or queued with the rest of its transaction where the
//! backend pipelines; `after_stmt` once it ran, before any progress is
//! recorded), `before_history_write:<revision>`, `before_commit:<revision>`,
//! `after_commit:<revision>` (once the revision's last step is done: its
//! commit, or its closing state write outside a transaction) or
//! `before_unlock`, and an action is:
//!
//! - `abort`: `std::process::abort()`, which to the database is the same as
//!   `kill -9` (the sockets close, nothing is cleaned up);
//! - `sleep:<ms>`: pause, then carry on;
//! - `panic`: panic (to check what a panic prints).
//!
//! Each point that fires first prints `sqlmig-fault: <point> <action>` on
//! stderr, so a test knows where the process is.
//!
//! On PostgreSQL the statements of a transactional revision are sent
//! together (`execute::run_steps`): their `before_stmt` points fire, in
//! order, before the batch goes out, and their `after_stmt` points once it
//! has run; `before_commit` fires before the state row and the COMMIT, which
//! go out together. What the database holds after a crash at any of them is
//! the same as one statement at a time: nothing of the revision.

// A release build with crash points would be a liability; tests build
// without optimisations.
#[cfg(all(feature = "fault-injection", not(debug_assertions)))]
compile_error!("the `fault-injection` feature is for test builds only, never a release build");

/// Acts on the fault configured for the point `name` returns, if any.
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(crate) fn point(_name: impl FnOnce() -> String) {}

/// Acts on the fault configured for the point `name` returns, if any.
#[cfg(feature = "fault-injection")]
pub(crate) fn point(name: impl FnOnce() -> String) {
    let faults = enabled::faults();
    if faults.is_empty() {
        return;
    }
    let name = name();
    if let Some((_, action)) = faults.iter().find(|(point, _)| *point == name) {
        enabled::act(&name, action);
    }
}

#[cfg(feature = "fault-injection")]
#[allow(
    clippy::print_stderr,
    reason = "the test that set SQLMIG_FAULT reads where the process stopped"
)]
mod enabled {
    use std::io::Write as _;
    use std::sync::OnceLock;
    use std::time::Duration;

    /// What to do at a point.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) enum Action {
        Abort,
        Sleep(Duration),
        Panic,
    }

    /// The faults of `SQLMIG_FAULT`, read once.
    pub(super) fn faults() -> &'static [(String, Action)] {
        static FAULTS: OnceLock<Vec<(String, Action)>> = OnceLock::new();
        FAULTS.get_or_init(|| {
            let Ok(text) = std::env::var("SQLMIG_FAULT") else {
                return Vec::new();
            };
            parse(&text).unwrap_or_else(|error| {
                // A typo must not quietly run the test without its fault.
                eprintln!("sqlmig-fault: invalid SQLMIG_FAULT: {error}");
                std::process::exit(3);
            })
        })
    }

    pub(super) fn parse(text: &str) -> Result<Vec<(String, Action)>, String> {
        text.split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| {
                let (point, action) = entry
                    .trim()
                    .split_once('=')
                    .ok_or_else(|| format!("`{entry}` is not <point>=<action>"))?;
                let action = match action {
                    "abort" => Action::Abort,
                    "panic" => Action::Panic,
                    other => {
                        let millis = other
                            .strip_prefix("sleep:")
                            .and_then(|ms| ms.parse().ok())
                            .ok_or_else(|| {
                                format!("unknown action `{other}`: abort, panic or sleep:<ms>")
                            })?;
                        Action::Sleep(Duration::from_millis(millis))
                    }
                };
                Ok((point.to_owned(), action))
            })
            .collect()
    }

    pub(super) fn act(point: &str, action: &Action) {
        eprintln!("sqlmig-fault: {point} {action:?}");
        let _ = std::io::stderr().flush();
        match action {
            Action::Abort => std::process::abort(),
            Action::Sleep(duration) => std::thread::sleep(*duration),
            Action::Panic => panic!("sqlmig-fault: forced panic at {point}"),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn faults_parse_points_and_actions() {
            assert_eq!(
                parse("after_lock=sleep:250, after_stmt:r1:2=abort,before_unlock=panic").unwrap(),
                [
                    (
                        String::from("after_lock"),
                        Action::Sleep(Duration::from_millis(250))
                    ),
                    (String::from("after_stmt:r1:2"), Action::Abort),
                    (String::from("before_unlock"), Action::Panic),
                ]
            );
            assert!(parse("after_lock").is_err());
            assert!(parse("after_lock=explode").is_err());
            assert!(parse("after_lock=sleep:soon").is_err());
            assert_eq!(parse("").unwrap(), []);
        }
    }
}
