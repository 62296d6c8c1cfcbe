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

// See: docs/RELIABILITY.md A3. Found by the reliability suite: with
// `PRAGMA journal_mode = WAL` in init_sql, a runner starting while another
// wrote failed at once with "database is locked" (SQLite takes that lock
// without its busy handler) instead of waiting.
#[test]
fn wal_mode_in_init_sql_waits_for_a_runner_that_is_writing() {
    let project = Project::new();
    let database = TestDb::sqlite(&project);
    project
        .revision(
            "1",
            &crate::support::revision_text("one", &[], "CREATE TABLE one (x INTEGER);", None),
        )
        .write(
            "sqlmig.toml",
            format!(
                "database_url = \"{}\"\ninit_sql = [\"PRAGMA journal_mode = WAL\"]\n",
                database.url()
            ),
        );
    database.execute("CREATE TABLE placeholder (x INTEGER)");
    // Another writer, in the middle of a transaction in rollback-journal mode.
    let writer = rusqlite::Connection::open(project.path("app.db")).unwrap();
    writer
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO placeholder VALUES (1);")
        .unwrap();
    let child = project.sqlmig().args(["upgrade"]).spawn();
    std::thread::sleep(std::time::Duration::from_millis(500));
    writer.execute_batch("COMMIT").unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(database.applied(), ["one"]);
    assert_eq!(database.column("PRAGMA journal_mode"), ["wal"]);
}

/// Migrations split by one dialect's rules are refused by a database of
/// another before anything is created, through the library as through the
/// binary.
#[test]
fn migrations_loaded_for_another_dialect_are_refused() {
    let project = Project::new();
    let database = TestDb::sqlite(&project);
    project.revision(
        "1",
        &crate::support::revision_text("one", &[], "CREATE TABLE t (a INTEGER);", None),
    );
    let migrations =
        sqlmig::Migrations::load(project.path("migrations"), sqlmig::Dialect::Mysql).unwrap();
    assert_eq!(migrations.dialect(), sqlmig::Dialect::Mysql);
    let mut connection =
        sqlmig::Database::connect(database.url(), &sqlmig::DatabaseOptions::default()).unwrap();
    let error = migrations.upgrade(&mut connection).unwrap_err().to_string();
    assert!(
        error.contains("the migrations were read as mysql")
            && error.contains("the database is sqlite"),
        "{error}"
    );
    assert!(!database.table_exists("sqlmig_revisions"));
    assert!(!database.table_exists("t"));

    project.write(
        "sqlmig.toml",
        format!(
            "dialect = \"mysql\"\ndatabase_url = \"{}\"\n",
            database.url()
        ),
    );
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("does not match the database URL, which is sqlite");
}

#[test]
fn statement_timeout_is_the_busy_timeout() {
    let project = Project::new();
    let database = TestDb::sqlite(&project);
    project.chain(&[("first", "CREATE TABLE st_first (id int);")]);
    project.write(
        "sqlmig.toml",
        format!(
            "database_url = \"{}\"\nstatement_timeout = \"300ms\"\n",
            database.url()
        ),
    );
    // Another connection holds a write lock: sqlmig waits at most the
    // statement timeout, not the 60 s lock timeout.
    let mut holder = sqlite3_holder(&database.sqlite_path());
    let started = std::time::Instant::now();
    let run = project.sqlmig().args(["upgrade"]).run().failure();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}: {}",
        started.elapsed(),
        run.stderr()
    );
    run.stderr_has("locked");
    drop(holder.stdin.take());
    holder.wait().expect("sqlite3 ends");
    project.sqlmig().args(["upgrade"]).run().success();
}

/// A connection in an open write transaction on `path`.
fn sqlite3_holder(path: &str) -> std::process::Child {
    let mut child = std::process::Command::new("sqlite3")
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("sqlite3");
    use std::io::Write as _;
    let stdin = child.stdin.as_mut().expect("stdin");
    writeln!(stdin, "BEGIN IMMEDIATE; CREATE TABLE holder (x int);").expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(std::time::Duration::from_millis(300));
    child
}

/// A build with SQLite alone (`--no-default-features --features sqlite`,
/// which `make test` runs): a server URL is refused naming the feature to
/// enable, and offline scripts for the servers, which need no driver, work.
#[test]
#[cfg(not(any(feature = "postgres", feature = "mysql")))]
fn a_build_without_server_drivers_names_the_feature_and_still_writes_their_scripts() {
    let project = Project::new();
    project.chain(&[("one", "CREATE TABLE t (x INTEGER);")]);
    for (url, title, feature) in [
        (
            "postgres://app:hunter2@127.0.0.1:1/db",
            "PostgreSQL",
            "`postgres`",
        ),
        (
            "mysql://app:hunter2@127.0.0.1:1/db",
            "MySQL/MariaDB",
            "`mysql`",
        ),
    ] {
        let run = project
            .sqlmig()
            .args(["status", "--database-url", url])
            .run()
            .failure()
            .stderr_has(&format!("built without {title} support"))
            .stderr_has(&format!("cargo feature {feature}"));
        assert!(!run.stderr().contains("hunter2"), "{}", run.stderr());
    }
    for dialect in ["postgres", "mysql"] {
        project
            .sqlmig()
            .args(["emit", "--offline", "--dialect", dialect])
            .run()
            .success()
            .stdout_has("CREATE TABLE t (x INTEGER);");
    }
}
