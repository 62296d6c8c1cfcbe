//! The fixture corpus through the binary: every invalid file and graph fails
//! with exit 1, names its file and line, and does not panic; every valid file
//! parses to pinned checksums.

use std::path::{Path, PathBuf};

use sqlmig::Dialect;
use sqlmig::revision::{SourceFile, normalize, parse_revision};

use crate::support::Project;
use crate::support::figures;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

#[test]
fn every_invalid_revision_file_is_reported_at_its_line() {
    let invalid = files_with_extension(&fixtures().join("revisions/invalid"), "sql");
    assert!(invalid.len() >= 20, "the corpus shrank: {}", invalid.len());
    for file in invalid {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = std::fs::read_to_string(file.with_extension("expected")).unwrap();
        let mut lines = expected.lines();
        let position = lines.next().unwrap();
        let message = lines.next().unwrap();
        let project = Project::new();
        project.write(
            &format!("migrations/{name}.sql"),
            std::fs::read(&file).unwrap(),
        );
        for command in ["verify", "heads"] {
            project
                .sqlmig()
                .args([command])
                .run()
                .failure()
                .stderr_has(&format!("error: migrations/{name}.sql:{position}: "))
                .stderr_has(message);
        }
    }
}

#[test]
fn every_invalid_graph_names_every_file_involved() {
    let graphs = fixtures().join("graphs");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&graphs)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6);
    for case in cases {
        let relative = case.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap();
        let project = Project::new();
        let mut run = project
            .sqlmig()
            .args(["--config", "fixtures/sqlmig.toml", "--dir"])
            .args([relative])
            .args(["heads"]);
        run = run.current_dir(env!("CARGO_MANIFEST_DIR"));
        let mut result = run.run().failure();
        for line in expected.lines() {
            result = result.stderr_has(line);
        }
    }
}

#[test]
fn empty_and_missing_directories_are_errors() {
    let project = Project::new();
    project
        .sqlmig()
        .args(["heads"])
        .run()
        .failure()
        .stderr_has("no revision files (*.sql) in `migrations`");
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("no revision files");
    project
        .sqlmig()
        .args(["--dir", "nowhere", "history"])
        .run()
        .failure()
        .stderr_has("migrations directory `nowhere` does not exist");
}

#[test]
fn valid_fixtures_parse_to_pinned_checksums() {
    // The encoding never changes silently (docs/RELIABILITY.md §4.2): these
    // values are what databases and sum files in the field hold.
    let golden = std::fs::read_to_string(fixtures().join("golden-checksums.txt")).unwrap();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for line in golden
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [name, file_checksum, revision_checksum, up_count] = fields[..] else {
            panic!("bad golden line {line:?}");
        };
        let path = fixtures().join("revisions/valid").join(name);
        let text = normalize(&std::fs::read(&path).unwrap()).unwrap();
        let source = SourceFile {
            path: path.clone(),
            relative_path: name.to_owned(),
        };
        let revision = parse_revision(&text, &source, Dialect::Postgres)
            .unwrap_or_else(|errors| panic!("{name}: {errors:?}"));
        for (what, actual, golden) in [
            (
                "file checksum",
                revision.file_checksum.to_hex(),
                file_checksum,
            ),
            (
                "revision checksum",
                revision.checksum.to_hex(),
                revision_checksum,
            ),
            (
                "statements",
                revision.up.statements.len().to_string(),
                up_count,
            ),
        ] {
            if actual != golden {
                mismatches.push(format!("{name}: {what} {actual}, pinned {golden}"));
            }
        }
        checked += 1;
    }
    figures::record(&[
        ("c2.files", checked),
        ("c2.mismatches", mismatches.len() as u64),
    ]);
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    let valid = files_with_extension(&fixtures().join("revisions/valid"), "sql");
    assert_eq!(
        checked as usize,
        valid.len(),
        "every valid fixture has a golden line"
    );
}

#[test]
fn line_endings_and_bom_never_change_a_checksum() {
    for path in files_with_extension(&fixtures().join("revisions/valid"), "sql") {
        let raw = std::fs::read(&path).unwrap();
        let text = normalize(&raw).unwrap();
        let source = SourceFile {
            path: path.clone(),
            relative_path: String::from("x.sql"),
        };
        let original = parse_revision(&text, &source, Dialect::Postgres).unwrap();
        for variant in [
            text.replace('\n', "\r\n"),
            text.replace('\n', "\r"),
            format!("\u{feff}{text}"),
            format!("\u{feff}{}", text.replace('\n', "\r\n")),
        ] {
            let normalized = normalize(variant.as_bytes()).unwrap();
            let copy = parse_revision(&normalized, &source, Dialect::Postgres).unwrap();
            assert_eq!(
                copy.file_checksum,
                original.file_checksum,
                "{}",
                path.display()
            );
            assert_eq!(copy.checksum, original.checksum, "{}", path.display());
        }
    }
}
