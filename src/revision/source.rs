//! Finding revision files: every `*.sql` below the migrations directory,
//! recursively, skipping names that start with `.`; read as raw bytes.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// A revision file found on disk, not yet parsed.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The file as the user names it (the directory joined with the relative path).
    pub path: PathBuf,
    /// The path relative to the migrations directory, with `/` separators.
    pub relative_path: String,
}

/// Every `*.sql` file below `dir`, sorted by relative path. Directories and
/// files whose name starts with `.` are skipped.
pub fn discover(dir: &Path) -> Result<Vec<SourceFile>, walkdir::Error> {
    let mut files = Vec::new();
    let walker = WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|entry| !entry.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry?;
        let is_sql = entry.path().extension().is_some_and(|ext| ext == "sql");
        if !entry.file_type().is_file() || !is_sql {
            continue;
        }
        // A direct child's relative path is its name: no taking apart of
        // the whole path (the common, flat directory of thousands of files).
        let relative = if entry.depth() == 1 {
            Path::new(entry.file_name())
        } else {
            entry.path().strip_prefix(dir).unwrap_or(entry.path())
        };
        let relative_path = match relative.to_str() {
            // Already `/`-separated (the walk joins plain names): no need to
            // take it apart, which is most of the walk's time on 10,000 files.
            Some(text) if std::path::MAIN_SEPARATOR == '/' => text.to_owned(),
            _ => relative
                .components()
                .map(|component| component.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        };
        files.push(SourceFile {
            path: entry.into_path(),
            relative_path,
        });
    }
    // Relative paths are unique: an unstable sort gives the same order.
    files.sort_unstable_by(|a, b| a.relative_path.cmp(&b.relative_path));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn finds_sql_files_recursively_and_skips_dot_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("nested/deeper")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        for name in [
            "b.sql",
            "a.sql",
            "notes.txt",
            ".draft.sql",
            "nested/c.sql",
            "nested/deeper/d.sql",
            ".hidden/e.sql",
        ] {
            fs::write(root.join(name), "").unwrap();
        }
        let found: Vec<String> = discover(root)
            .unwrap()
            .into_iter()
            .map(|file| file.relative_path)
            .collect();
        assert_eq!(
            found,
            ["a.sql", "b.sql", "nested/c.sql", "nested/deeper/d.sql"]
        );
    }
}
