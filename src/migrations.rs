//! A migrations directory loaded into a verified [`Graph`]: discover the files,
//! read and normalise them, parse them (in parallel), build the graph.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::dialect::Dialect;
use crate::graph::{Graph, GraphError};
use crate::revision::{
    Checksum, ParseError, ParseErrorKind, Revision, SourceFile, discover, normalize, parse_revision,
};
use crate::span::Span;

/// A loaded migrations directory: every revision file parsed and verified as a graph.
#[derive(Debug)]
pub struct Migrations {
    dir: PathBuf,
    dialect: Dialect,
    graph: Graph,
}

impl Migrations {
    /// Loads every revision below `dir`, splitting statements under `dialect`'s
    /// lexical rules. Fails with every problem found, each naming its file and
    /// line; an empty or missing directory is an error too.
    pub fn load(dir: impl AsRef<Path>, dialect: Dialect) -> Result<Self, LoadError> {
        let migrations = Self::load_allow_empty(dir, dialect)?;
        if migrations.graph.is_empty() {
            return Err(LoadError::Empty {
                path: migrations.dir,
            });
        }
        Ok(migrations)
    }

    /// Like [`Migrations::load`], but an existing directory without revisions
    /// gives an empty graph (what `sqlmig new` starts from).
    pub fn load_allow_empty(dir: impl AsRef<Path>, dialect: Dialect) -> Result<Self, LoadError> {
        let scan = Scan::run(dir.as_ref(), dialect)?;
        Self::build(dir.as_ref(), dialect, scan)
    }

    /// Builds from revision files held in memory instead of read from `dir`:
    /// `files` are `(path relative to dir, text)` pairs, as
    /// [`crate::revision::discover`] would name them. The checksums are the
    /// ones the same files give on disk, and messages name `dir` joined with
    /// the relative path. What `embed_migrations!` compiles into an
    /// application.
    pub fn from_memory<'a>(
        dir: impl AsRef<Path>,
        dialect: Dialect,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LoadError> {
        let dir = dir.as_ref();
        let mut files: Vec<(&str, &str)> = files.into_iter().collect();
        files.sort_unstable_by_key(|&(relative_path, _)| relative_path);
        let files = files
            .into_iter()
            .map(|(relative_path, text)| {
                let source = SourceFile {
                    path: dir.join(relative_path),
                    relative_path: relative_path.to_owned(),
                };
                scan_bytes(source, text.as_bytes(), dialect)
            })
            .collect();
        let migrations = Self::build(dir, dialect, Scan { files })?;
        if migrations.graph.is_empty() {
            return Err(LoadError::Empty {
                path: migrations.dir,
            });
        }
        Ok(migrations)
    }

    fn build(dir: &Path, dialect: Dialect, scan: Scan) -> Result<Self, LoadError> {
        let (revisions, problems) = scan.into_revisions();
        if !problems.is_empty() {
            return Err(LoadError::Invalid {
                problems: problems.into_vec(),
            });
        }
        match Graph::build(revisions) {
            Ok(graph) => Ok(Migrations {
                dir: dir.to_path_buf(),
                dialect,
                graph,
            }),
            Err(errors) => {
                let mut problems = CappedProblems::default();
                problems.extend(errors.into_iter().map(Problem::Graph));
                Err(LoadError::Invalid {
                    problems: problems.into_vec(),
                })
            }
        }
    }

    /// The migrations directory as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The dialect whose lexical rules split the statements: only a
    /// database of this dialect can run them.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The verified revision graph.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }
}

/// Every file of a directory, read and parsed, successful or not: what
/// `verify` inspects in full and [`Migrations::load`] requires to be clean.
#[derive(Debug)]
pub(crate) struct Scan {
    pub(crate) files: Vec<ScannedFile>,
}

/// One file of a [`Scan`].
#[derive(Debug)]
pub(crate) struct ScannedFile {
    pub(crate) source: SourceFile,
    /// The file checksum, when the file could be read and is UTF-8.
    pub(crate) file_checksum: Option<Checksum>,
    pub(crate) parsed: Result<Revision, Vec<ParseError>>,
}

impl Scan {
    /// Discovers, reads and parses every revision file below `dir`.
    pub(crate) fn run(dir: &Path, dialect: Dialect) -> Result<Self, LoadError> {
        Self::run_checked(dir, dialect, |_| ()).map(|(scan, _)| scan)
    }

    /// [`Scan::run`], with `check` applied to each file on the thread that
    /// parsed it, while it is still in that core's cache; the checks' results
    /// in file order.
    pub(crate) fn run_checked<C: Send>(
        dir: &Path,
        dialect: Dialect,
        check: impl Fn(&ScannedFile) -> C + Sync,
    ) -> Result<(Self, Vec<C>), LoadError> {
        match std::fs::metadata(dir) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => {
                return Err(LoadError::NotADirectory {
                    path: dir.to_path_buf(),
                });
            }
            Err(_) => {
                return Err(LoadError::MissingDirectory {
                    path: dir.to_path_buf(),
                });
            }
        }
        let sources = discover(dir).map_err(|source| LoadError::Walk {
            path: dir.to_path_buf(),
            source,
        })?;
        let (files, checks) = parse_in_parallel(sources, dialect, check)
            .into_iter()
            .unzip();
        Ok((Scan { files }, checks))
    }

    fn into_revisions(self) -> (Vec<Revision>, CappedProblems) {
        let mut revisions = Vec::with_capacity(self.files.len());
        let mut problems = CappedProblems::default();
        for file in self.files {
            match file.parsed {
                Ok(revision) => revisions.push(revision),
                Err(errors) => problems.extend(errors.into_iter().map(Problem::Parse)),
            }
        }
        (revisions, problems)
    }
}

/// Reading and parsing is independent per file; on a directory of thousands of
/// revisions it is most of the load time, so it is spread over the cores.
fn parse_in_parallel<C: Send>(
    sources: Vec<SourceFile>,
    dialect: Dialect,
    check: impl Fn(&ScannedFile) -> C + Sync,
) -> Vec<(ScannedFile, C)> {
    let scan_chunk = |chunk: Vec<SourceFile>| {
        let mut buffer = Vec::new();
        chunk
            .into_iter()
            .map(|source| {
                let file = scan_file(source, dialect, &mut buffer);
                let checked = check(&file);
                (file, checked)
            })
            .collect()
    };
    let Some(chunk_size) = chunk_size(sources.len()) else {
        return scan_chunk(sources);
    };
    let mut chunks: Vec<Vec<SourceFile>> = Vec::new();
    let mut sources = sources.into_iter().peekable();
    while sources.peek().is_some() {
        chunks.push(sources.by_ref().take(chunk_size).collect());
    }
    on_threads(chunks, scan_chunk)
}

/// `f` applied to every item, in order, spread over the cores as the parsing
/// is: for per-file checks of thousands of revisions.
pub(crate) fn map_in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    match chunk_size(items.len()) {
        None => items.iter().map(f).collect(),
        Some(size) => on_threads(items.chunks(size).collect(), |chunk| {
            chunk.iter().map(&f).collect()
        }),
    }
}

/// `f` applied to consecutive chunks of `items`, one per core, each with
/// the position of its first item; the results in the chunks' order. For
/// work that carries state from item to item within a chunk.
pub(crate) fn map_chunks_in_parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(usize, &[T]) -> R + Sync,
) -> Vec<R> {
    match chunk_size(items.len()) {
        None => vec![f(0, items)],
        Some(size) => on_threads(
            items.chunks(size).enumerate().collect(),
            |(number, chunk)| vec![f(number * size, chunk)],
        ),
    }
}

/// How many items each core takes, or `None` when one thread does better
/// (one core, or too few items to be worth a thread each).
fn chunk_size(items: usize) -> Option<usize> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    (threads >= 2 && items >= 64).then(|| items.div_ceil(threads))
}

/// `work` run on each chunk on a thread of its own; the results in the
/// chunks' order. A panic on a thread is the caller's panic.
fn on_threads<C: Send, R: Send>(chunks: Vec<C>, work: impl Fn(C) -> Vec<R> + Sync) -> Vec<R> {
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Reads and parses one file; `buffer` is reused from file to file.
fn scan_file(source: SourceFile, dialect: Dialect, buffer: &mut Vec<u8>) -> ScannedFile {
    match read_into(&source.path, buffer) {
        Ok(bytes) => scan_bytes(source, bytes, dialect),
        Err(error) => {
            let span = Span::file(source.path.clone());
            failed(source, span, ParseErrorKind::Io(error))
        }
    }
}

/// A file that could not be read or decoded.
fn failed(source: SourceFile, span: Span, kind: ParseErrorKind) -> ScannedFile {
    ScannedFile {
        source,
        file_checksum: None,
        parsed: Err(vec![ParseError::new(span, kind)]),
    }
}

/// Normalises and parses the bytes of one file.
fn scan_bytes(source: SourceFile, bytes: &[u8], dialect: Dialect) -> ScannedFile {
    let text = match normalize(bytes) {
        Ok(text) => text,
        Err(error) => {
            let span = invalid_byte_span(&source, bytes, error.offset);
            return failed(
                source,
                span,
                ParseErrorKind::NotUtf8 {
                    offset: error.offset,
                },
            );
        }
    };
    let parsed = parse_revision(&text, &source, dialect);
    // A parsed revision holds the file checksum already: hash each file once.
    let file_checksum = match &parsed {
        Ok(revision) => revision.file_checksum,
        Err(_) => Checksum::of_file(&text),
    };
    ScannedFile {
        file_checksum: Some(file_checksum),
        parsed,
        source,
    }
}

/// Reads the file at `path` into `buffer`, which keeps its capacity from
/// file to file: unlike `std::fs::read`, no allocation and no `stat` per file
/// (thousands of small files are read on every load).
fn read_into<'b>(path: &Path, buffer: &'b mut Vec<u8>) -> std::io::Result<&'b [u8]> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            buffer.resize((buffer.len() * 2).max(16 * 1024), 0);
        }
        match file.read(&mut buffer[filled..]) {
            Ok(0) => return Ok(&buffer[..filled]),
            Ok(read) => filled += read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// The line and column of the first invalid byte, counted in the valid text
/// before it.
fn invalid_byte_span(source: &SourceFile, bytes: &[u8], offset: usize) -> Span {
    let valid = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
    let line = valid.matches('\n').count() + 1;
    let column = valid
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    Span::new(
        source.path.clone(),
        crate::span::to_u32(line),
        crate::span::to_u32(column),
    )
}

/// Why a migrations directory could not be loaded.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory does not exist.
    #[error("migrations directory `{}` does not exist (create it with `sqlmig init`, or pass --dir)", path.display())]
    MissingDirectory {
        /// The directory as given.
        path: PathBuf,
    },
    /// The path is not a directory.
    #[error("`{}` is not a directory", path.display())]
    NotADirectory {
        /// The path as given.
        path: PathBuf,
    },
    /// The directory holds no revision files.
    #[error("no revision files (*.sql) in `{}`: create one with `sqlmig new -m \"...\"`", path.display())]
    Empty {
        /// The directory as given.
        path: PathBuf,
    },
    /// The directory could not be walked.
    #[error("cannot read migrations directory `{}`: {source}", path.display())]
    Walk {
        /// The directory as given.
        path: PathBuf,
        /// The walk error (it names the entry that failed).
        #[source]
        source: walkdir::Error,
    },
    /// Files that do not parse, or a graph that does not verify.
    #[error("{}", ProblemList(problems))]
    Invalid {
        /// Every problem found, in file order, then the graph's.
        problems: Vec<Problem>,
    },
}

/// One problem of a directory: a file that does not parse, or a graph error.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// A revision file that does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A graph that does not verify (duplicate ids, missing parents, cycles).
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// Problems past the first [`MAX_PROBLEMS`], only counted.
    #[error("… and {count} more {}", if *count == 1 { "problem" } else { "problems" })]
    More {
        /// How many were left out.
        count: usize,
    },
}

/// How many problems of a directory are reported (each file also keeps at
/// most its first 20); the rest are counted in a last [`Problem::More`].
pub const MAX_PROBLEMS: usize = 200;

/// A directory's problems as they are found: the first [`MAX_PROBLEMS`]
/// kept, the rest counted.
#[derive(Debug, Default)]
pub(crate) struct CappedProblems {
    kept: Vec<Problem>,
    omitted: usize,
}

impl CappedProblems {
    pub(crate) fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        for problem in problems {
            if self.kept.len() < MAX_PROBLEMS {
                self.kept.push(problem);
            } else {
                self.omitted += 1;
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The kept problems, then the count of the others, if any.
    pub(crate) fn into_vec(mut self) -> Vec<Problem> {
        if self.omitted > 0 {
            self.kept.push(Problem::More {
                count: self.omitted,
            });
        }
        self.kept
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example project, loaded from disk and from memory (with CRLF line
    /// ends and a BOM, which the checksums normalise away), gives the same
    /// revisions with the same checksums: a database migrated by the command
    /// and by an application that embeds the files agree.
    #[test]
    fn from_memory_gives_the_checksums_of_the_files_on_disk() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let on_disk = Migrations::load(&dir, Dialect::Sqlite).expect("the example project loads");
        let texts: Vec<(String, String)> = discover(&dir)
            .expect("the example project")
            .into_iter()
            .map(|file| {
                let text = std::fs::read_to_string(&file.path).expect("a revision file");
                (
                    file.relative_path,
                    format!("\u{feff}{}", text.replace('\n', "\r\n")),
                )
            })
            .rev()
            .collect();
        let in_memory = Migrations::from_memory(
            "migrations",
            Dialect::Sqlite,
            texts
                .iter()
                .map(|(path, text)| (path.as_str(), text.as_str())),
        )
        .expect("the same files from memory");
        let summary = |migrations: &Migrations| -> Vec<_> {
            migrations
                .graph()
                .revisions()
                .iter()
                .map(|revision| {
                    (
                        revision.id.clone(),
                        revision.relative_path.clone(),
                        revision.file_checksum,
                        revision.up.checksum,
                    )
                })
                .collect()
        };
        assert_eq!(summary(&on_disk), summary(&in_memory));
        assert_eq!(in_memory.dir(), Path::new("migrations"));
    }

    #[test]
    fn from_memory_reports_a_broken_file_with_its_path_and_line() {
        let error = Migrations::from_memory(
            "migrations",
            Dialect::Sqlite,
            [(
                "sub/1_x.sql",
                "-- revision: a\n-- mesage: typo\n\n-- up\nSELECT 1;\n",
            )],
        )
        .expect_err("an unknown header key");
        assert!(
            error.to_string().contains("migrations/sub/1_x.sql:2"),
            "{error}"
        );
        let empty = Migrations::from_memory("migrations", Dialect::Sqlite, []);
        assert!(matches!(empty, Err(LoadError::Empty { .. })));
    }
}
