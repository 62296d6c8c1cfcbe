//! SQLite-only behaviour: trigger bodies, the file lock.

use crate::support::Project;
use crate::support::database::TestDb;

#[test]
fn trigger_between_statement_markers_runs_as_one_statement() {
    let project = Project::new();
    let database = TestDb::sqlite(&project);
    project
        .revision(
            "1",
            "-- revision: trig\n\n-- up\nCREATE TABLE posts (id INTEGER PRIMARY KEY, author TEXT);\nCREATE TABLE counts (author TEXT PRIMARY KEY, n INTEGER);\n\n-- statement-begin\nCREATE TRIGGER posts_count AFTER INSERT ON posts\nBEGIN\n    INSERT OR IGNORE INTO counts VALUES (NEW.author, 0);\n    UPDATE counts SET n = n + 1 WHERE author = NEW.author;\nEND;\n-- statement-end\n\nINSERT INTO posts (author) VALUES ('ann');\nINSERT INTO posts (author) VALUES ('ann');\n\n-- down\nDROP TRIGGER posts_count;\nDROP TABLE counts;\nDROP TABLE posts;\n",
        )
        .write("sqlmig.toml", format!("database_url = \"{}\"\n", database.url()));
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        database.column("SELECT n FROM counts WHERE author = 'ann'"),
        ["2"]
    );
    project.sqlmig().args(["downgrade", "base"]).run().success();
    assert!(!database.table_exists("posts"));
}

#[test]
fn a_held_lock_times_out_naming_what_it_waits_for() {
    let project = Project::new();
    let database = TestDb::sqlite(&project);
    project
        .revision(
            "1",
            &crate::support::revision_text("one", &[], "CREATE TABLE one (x INTEGER);", None),
        )
        .write(
            "sqlmig.toml",
            format!("database_url = \"{}\"\n", database.url()),
        );
    database.execute("CREATE TABLE placeholder (x INTEGER)");
    let file = std::fs::File::open(project.path("app.db")).unwrap();
    file.lock().unwrap();
    let started = std::time::Instant::now();
    project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "1s"])
        .run()
        .failure()
        .stderr_has("waiting for another sqlmig migrating")
        .stderr_has("timed out after 1.0s");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(database.applied().is_empty());
    file.unlock().unwrap();
    project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "0"])
        .run()
        .success();
}
