//! Criterion micro-benchmarks of sqlmig's loader, in process (no file I/O):
//!
//! - `parse_revision/<corpus>`: every revision file of a corpus parsed, in
//!   MB/s of revision text;
//! - `split_statements/<corpus>`: the corpus's floor script (one big section)
//!   split into statements, in MB/s;
//! - `graph_build/<corpus>`: the parsed revisions of a corpus verified into a
//!   graph, in revisions/s.
//!
//! The corpora are the ones `make bench` writes (benches/run.sh); the folder
//! is `$BENCH_CORPUS`, else `target/bench/corpus`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sqlmig::revision::{SourceFile, discover, normalize, parse_revision, split_statements};
use sqlmig::{Dialect, Graph, Revision};

fn corpus_dir(name: &str) -> PathBuf {
    let root = std::env::var_os("BENCH_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/corpus"),
        PathBuf::from,
    );
    let dir = root.join(name);
    assert!(
        dir.is_dir(),
        "{} is missing: run `make bench`, or `target/release/corpus target/bench/corpus 100 1000 10000`",
        dir.display()
    );
    dir
}

/// Every revision file of a corpus, read and normalised.
fn files(dir: &Path) -> Vec<(SourceFile, String)> {
    discover(dir)
        .expect("the corpus can be listed")
        .into_iter()
        .map(|source| {
            let bytes = std::fs::read(&source.path).expect("a corpus file can be read");
            let text = normalize(&bytes).expect("the corpus is UTF-8");
            (source, text)
        })
        .collect()
}

fn parse_all(files: &[(SourceFile, String)], dialect: Dialect) -> Vec<Revision> {
    files
        .iter()
        .map(|(source, text)| parse_revision(text, source, dialect).expect("the corpus parses"))
        .collect()
}

fn parser(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_revision");
    for (name, dialect) in [
        ("postgres-1000", Dialect::Postgres),
        ("sqlite-1000", Dialect::Sqlite),
    ] {
        let files = files(&corpus_dir(name).join("migrations"));
        let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| b.iter(|| parse_all(&files, dialect)));
    }
    group.finish();

    let mut group = c.benchmark_group("split_statements");
    for (name, dialect) in [
        ("postgres-1000", Dialect::Postgres),
        ("sqlite-1000", Dialect::Sqlite),
    ] {
        let script = std::fs::read_to_string(corpus_dir(name).join("floor.sql"))
            .expect("the floor script can be read");
        group.throughput(Throughput::Bytes(script.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| split_statements(&script, dialect).expect("the floor script splits"));
        });
    }
    group.finish();
}

fn graph(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph_build");
    for (name, n) in [("postgres-1000", 1000), ("postgres-10000", 10_000)] {
        let revisions = parse_all(
            &files(&corpus_dir(name).join("migrations")),
            Dialect::Postgres,
        );
        group.throughput(Throughput::Elements(n));
        group.bench_function(name, |b| {
            b.iter_batched(
                || revisions.clone(),
                |revisions| Graph::build(revisions).expect("the corpus is a valid graph"),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = parser, graph
}
criterion_main!(benches);
