//! Ctrl-C and SIGTERM: the first one asks the runs under way to stop between
//! two revisions (the revision under way finishes and commits, or rolls
//! back, and the lock is released); a second one ends the process at once.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Exit status of a process ended by a second signal (128 + SIGINT).
const FORCED_EXIT: i32 = 130;

/// Installs the handlers. `flags` are set on the first signal; a second
/// signal (any of `flags[0]` already set) ends the process with status 130.
pub(crate) fn install(flags: &[&Arc<AtomicBool>]) {
    let Some(first) = flags.first() else { return };
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // Registered first, so it sees the flag as it was before this signal.
        let _ = signal_hook::flag::register_conditional_shutdown(
            signal,
            FORCED_EXIT,
            Arc::clone(first),
        );
        for flag in flags {
            let _ = signal_hook::flag::register(signal, Arc::clone(flag));
        }
    }
}
