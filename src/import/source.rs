//! The files the readers share: listing the source directory, reading a
//! migration's text, and writing the revision files all or nothing.

use std::path::{Path, PathBuf};

use super::{ImportError, Unconvertible};
use crate::revision::normalize;

/// A file or folder in the source directory.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// Relative to the source directory, `/`-separated.
    pub(super) name: String,
    /// The last part of the name.
    pub(super) file_name: String,
    pub(super) path: PathBuf,
    pub(super) is_dir: bool,
}

/// The entries of `src`, sorted by name, skipping names that start with `.`;
/// with `recursive`, the files below its folders too (not the folders).
pub(super) fn entries(src: &Path, recursive: bool) -> Result<Vec<Entry>, ImportError> {
    let walker = walkdir::WalkDir::new(src)
        .min_depth(1)
        .max_depth(if recursive { usize::MAX } else { 1 })
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
    let mut found = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|error| ImportError::Read {
            path: error.path().unwrap_or(src).to_path_buf(),
            source: error.into(),
        })?;
        let is_dir = entry.file_type().is_dir();
        if recursive && is_dir {
            continue;
        }
        let relative = entry.path().strip_prefix(src).unwrap_or(entry.path());
        found.push(Entry {
            name: relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            file_name: entry.file_name().to_string_lossy().into_owned(),
            path: entry.path().to_path_buf(),
            is_dir,
        });
    }
    Ok(found)
}

/// A migration file's text, normalised as sqlmig reads revision files.
pub(super) fn text(path: &Path, name: &str) -> Result<String, Unconvertible> {
    let refuse = |reason: String| Unconvertible {
        name: name.to_owned(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|error| refuse(format!("cannot read it: {error}")))?;
    normalize(&bytes).map_err(|error| {
        refuse(format!(
            "not UTF-8 text (invalid byte at offset {})",
            error.offset
        ))
    })
}

/// The names in `dir` that do not start with `.`.
pub(super) fn visible_entries(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    Ok(names)
}

/// Writes `files` into a new hidden directory beside `dir`, then renames it
/// to `dir` (missing or empty): either every file is there or none is.
pub(super) fn write_all_or_nothing(
    dir: &Path,
    files: &[(String, String)],
) -> Result<(), ImportError> {
    let parent = dir
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = parent.join(format!(
        ".{}.import-{}",
        dir.file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned()),
        std::process::id()
    ));
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Write { path, source }
    };
    std::fs::create_dir_all(parent).map_err(failed(parent))?;
    std::fs::create_dir(&staging).map_err(failed(&staging))?;
    let result = files
        .iter()
        .try_for_each(|(name, text)| {
            let path = staging.join(name);
            std::fs::write(&path, text).map_err(failed(&path))
        })
        .and_then(|()| {
            // An empty `dir` is replaced; `remove_dir` refuses one that
            // filled up meanwhile, and the rename then fails cleanly.
            if dir.is_dir() {
                std::fs::remove_dir(dir).map_err(failed(dir))?;
            }
            std::fs::rename(&staging, dir).map_err(failed(dir))
        });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}
