//! `sqlmig verify`, the pre-commit check of docs/DESIGN.md §5: every file parses, the
//! graph is valid, there is one head, and `sqlmig.sum` matches the files.

use std::fmt;
use std::path::Path;

use crate::dialect::{Dialect, ServerVersion};
use crate::graph::Graph;
use crate::migrations::{CappedProblems, LoadError, Problem, Scan, ScannedFile};
use crate::no_transaction::{self, NoTransactionStatement};
use crate::plan::Direction;
use crate::revision::EmptyDown;
use crate::sum::{SUM_FILE_NAME, SumEntry, SumError, SumFile, SumProblem};

/// What `verify` checks beyond parsing and the graph.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions {
    /// Accept several heads (config `allow_multiple_heads = true`).
    pub allow_multiple_heads: bool,
    /// The oldest server the revisions will meet, which decides the
    /// statements that may run in a transaction (`None`: the oldest version
    /// sqlmig supports).
    pub server_version: Option<ServerVersion>,
}

/// One reason `verify` fails.
#[derive(Debug)]
pub enum VerifyProblem {
    /// A file that does not parse, or a graph error.
    Invalid(Problem),
    /// A file that differs from `sqlmig.sum`.
    Sum(SumProblem),
    /// `sqlmig.sum` itself cannot be trusted.
    SumFile(SumError),
    /// There is no `sqlmig.sum`.
    NoSumFile,
    /// More than one head.
    MultipleHeads {
        /// The heads' ids.
        heads: Vec<String>,
    },
    /// No revision files at all.
    Empty,
}

impl fmt::Display for VerifyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyProblem::Invalid(problem) => write!(f, "{problem}"),
            VerifyProblem::Sum(problem) => write!(f, "{problem}"),
            VerifyProblem::SumFile(error) => write!(f, "{error}"),
            VerifyProblem::NoSumFile => write!(
                f,
                "missing: {SUM_FILE_NAME} does not exist; run `sqlmig hash` to record the revision files"
            ),
            VerifyProblem::MultipleHeads { heads } => write!(
                f,
                "multiple heads: {}; join them with `sqlmig merge -m \"merge heads\" {}`",
                heads.join(", "),
                heads.join(" ")
            ),
            VerifyProblem::Empty => write!(
                f,
                "no revision files: create one with `sqlmig new -m \"...\"`"
            ),
        }
    }
}

/// The outcome of `verify`: what was checked and every problem found.
#[derive(Debug)]
pub struct VerifyReport {
    /// How many revision files were found.
    pub files: usize,
    /// The graph's heads, when the graph could be built.
    pub heads: Vec<String>,
    /// Every problem; empty when the check passes.
    pub problems: Vec<VerifyProblem>,
    /// Statements the server refuses inside a transaction block, in
    /// revisions that ask for one, up and down sections alike: warnings,
    /// since `upgrade` refuses them before running anything.
    pub warnings: Vec<NoTransactionStatement>,
    /// The server version the warnings were found for.
    pub server_version: ServerVersion,
    /// Empty down sections under non-empty up sections: warnings, since
    /// `downgrade` refuses them and `test` fails on them.
    pub empty_downs: Vec<EmptyDown>,
}

/// Checks `dir` and reports every problem found. Fails only when the directory
/// itself cannot be read.
pub fn verify(
    dir: &Path,
    dialect: Dialect,
    options: VerifyOptions,
) -> Result<VerifyReport, LoadError> {
    let server_version = options
        .server_version
        .unwrap_or_else(|| dialect.oldest_supported_version());
    // Each parsed file is checked for statements its transaction cannot
    // hold on the thread that parsed it; `sqlmig.sum` is read and parsed on
    // another thread meanwhile (the directory walk leaves a core free).
    let no_transaction = |file: &ScannedFile| {
        let Ok(revision) = &file.parsed else {
            return Vec::new();
        };
        [Direction::Upgrade, Direction::Downgrade]
            .into_iter()
            .flat_map(|direction| {
                no_transaction::find(revision, direction, dialect, server_version)
            })
            .collect::<Vec<_>>()
    };
    let (scan, recorded) = std::thread::scope(|scope| {
        let recorded = scope.spawn(|| SumFile::read(dir));
        let scan = Scan::run_checked(dir, dialect, no_transaction);
        match recorded.join() {
            Ok(recorded) => (scan, recorded),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let (scan, warnings) = scan?;
    let mut warnings: Vec<NoTransactionStatement> = warnings.into_iter().flatten().collect();
    let files = scan.files.len();
    let mut heads = Vec::new();
    // Parse and graph problems, capped; the others follow them.
    let mut invalid = CappedProblems::default();
    let mut actual_entries = Vec::with_capacity(files);
    let mut revisions = Vec::with_capacity(files);
    let mut empty_downs = Vec::new();
    for file in scan.files {
        match file.parsed {
            Ok(revision) => {
                empty_downs.extend(revision.empty_down());
                actual_entries.push(SumEntry {
                    revision: revision.id.clone(),
                    checksum: revision.file_checksum,
                    path: revision.relative_path.clone(),
                });
                revisions.push(revision);
            }
            Err(errors) => {
                invalid.extend(errors.into_iter().map(Problem::Parse));
                if let Some(checksum) = file.file_checksum {
                    actual_entries.push(SumEntry {
                        revision: String::from("?"),
                        checksum,
                        path: file.source.relative_path,
                    });
                }
            }
        }
    }
    let files_parsed = invalid.is_empty();
    let mut others = Vec::new();
    if files_parsed && revisions.is_empty() {
        others.push(VerifyProblem::Empty);
    }
    if files_parsed && !revisions.is_empty() {
        match Graph::build(revisions) {
            Ok(graph) => {
                heads = graph.ids(graph.heads());
                if heads.len() > 1 && !options.allow_multiple_heads {
                    others.push(VerifyProblem::MultipleHeads {
                        heads: heads.clone(),
                    });
                }
            }
            Err(errors) => invalid.extend(errors.into_iter().map(Problem::Graph)),
        }
    }
    let mut problems: Vec<VerifyProblem> = invalid
        .into_vec()
        .into_iter()
        .map(VerifyProblem::Invalid)
        .chain(others)
        .collect();
    match recorded {
        Ok(Some(recorded)) => problems.extend(
            recorded
                .compare(&SumFile::new(actual_entries))
                .into_iter()
                .map(VerifyProblem::Sum),
        ),
        Ok(None) => problems.push(VerifyProblem::NoSumFile),
        Err(error) => problems.push(VerifyProblem::SumFile(error)),
    }
    warnings.sort_by(|a, b| a.span.cmp(&b.span));
    Ok(VerifyReport {
        files,
        heads,
        problems,
        warnings,
        server_version,
        empty_downs,
    })
}
