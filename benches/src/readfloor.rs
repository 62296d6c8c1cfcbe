//! The floor of the load benchmarks: a process that only reads every `*.sql`
//! file of a directory (flat, as the corpus is), spread over the cores the
//! way sqlmig's loader spreads its work, and does nothing with the bytes.
//!
//! ```text
//! readfloor DIR
//! ```
//!
//! It prints the number of files and bytes read, so a run that read nothing
//! cannot pass for a fast one.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: readfloor DIR");
        return ExitCode::from(2);
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) => {
            eprintln!("readfloor: {}: {error}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = files.len().div_ceil(threads).max(1);
    let bytes: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|paths| {
                scope.spawn(move || {
                    paths
                        .iter()
                        .map(|path| std::fs::read(path).map_or(0, |bytes| bytes.len()))
                        .sum::<usize>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or(0))
            .sum()
    });
    println!("{} files, {bytes} bytes", files.len());
    ExitCode::SUCCESS
}
