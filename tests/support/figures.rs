//! The reliability report's figures (docs/RELIABILITY.md §9.1): each test
//! appends what it measured as `key<TAB>value` lines to a file of its own
//! under `target/reliability/`, so tests running in parallel never share a
//! file; `scripts/reliability.sh` adds them up (keys ending in `_max` take
//! the maximum) and prints the headline lines.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `target/reliability/`, next to the binary under test.
pub(crate) fn directory() -> PathBuf {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_sqlmig"));
    // target/<profile>/sqlmig
    binary
        .parent()
        .and_then(|profile| profile.parent())
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("reliability")
}

/// Appends `figures` for the running test.
pub(crate) fn record(figures: &[(&str, u64)]) {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let directory = directory();
    std::fs::create_dir_all(&directory).expect("target/reliability");
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", ".");
    let file = directory.join(format!(
        "{test}.{}.{}.tsv",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut text = String::new();
    for (key, value) in figures {
        assert!(
            !key.contains(['\t', '\n']),
            "a figure's key is one word: {key:?}"
        );
        text.push_str(&format!("{key}\t{value}\n"));
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut out| out.write_all(text.as_bytes()))
        .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
}
