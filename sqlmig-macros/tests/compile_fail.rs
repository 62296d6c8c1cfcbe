//! `embed_migrations!` on a directory with a broken revision file fails to
//! compile, naming the file and line (trybuild; `TRYBUILD=overwrite` rewrites
//! the expected `tests/ui/*.stderr`).

use std::path::{Path, PathBuf};

#[test]
fn a_broken_revision_file_is_a_compile_error_naming_file_and_line() {
    // trybuild compiles each `tests/ui/*.rs` in a crate of its own under
    // `<target>/tests/trybuild/sqlmig-macros`, whose `Cargo.toml` the
    // macro's paths are relative to: the fixture directory goes there.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf();
    let crate_dir = target.join("tests/trybuild/sqlmig-macros");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/broken-migrations"),
        &crate_dir.join("tests/ui/broken-migrations"),
    );
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

fn copy_dir(from: &Path, to: &PathBuf) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("create the fixture directory");
    for entry in std::fs::read_dir(from).expect("read the fixture directory") {
        let entry = entry.expect("a fixture entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a fixture file");
    }
}
