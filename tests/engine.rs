//! The online engine through the binary, the same tests on every backend:
//! SQLite always, PostgreSQL and MariaDB on the machine's servers.

use crate::support::database::{Kind, TestDb};
use crate::support::{Project, revision_text};

/// Runs each listed test body on SQLite, PostgreSQL and MariaDB.
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                let project = crate::support::Project::new();
                let database = crate::support::database::TestDb::sqlite(&project);
                super::$test(&project, &database);
            })*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $(#[test]
            fn $test() {
                let Some(database) = crate::support::database::TestDb::postgres() else { return };
                super::$test(&crate::support::Project::new(), &database);
            })*
        }
        #[cfg(feature = "mysql")]
        mod mysql {
            $(#[test]
            fn $test() {
                let Some(database) = crate::support::database::TestDb::mysql() else { return };
                super::$test(&crate::support::Project::new(), &database);
            })*
        }
    };
}

on_every_backend!(
    every_target_form,
    failing_revision_rolls_back_and_stops_the_run,
    drift_blocks_upgrade_until_repair_accepts_it,
    concurrent_upgrades_apply_each_revision_once,
    stamp_check_and_dry_run,
    failure_outside_a_transaction_is_recorded,
    resume_runs_the_rest_only_if_what_ran_is_unchanged,
    single_transaction_is_all_or_nothing,
    init_sql_runs_on_the_migrating_connection,
    a_deleted_state_row_is_refused_and_never_rerun,
);

fn configure(project: &Project, database: &TestDb, extra: &str) {
    project.write(
        "sqlmig.toml",
        format!("database_url = \"{}\"\n{extra}", database.url()),
    );
}

/// A revision that creates `t_<id>` and logs its application, so a double
/// application would show in `applied_log` even where a key would hide it.
fn logged(id: &str, parents: &[&str]) -> String {
    revision_text(
        id,
        parents,
        &format!(
            "CREATE TABLE t_{id} (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('{id}');"
        ),
        Some(&format!(
            "DROP TABLE t_{id};\nDELETE FROM applied_log WHERE revision = '{id}';"
        )),
    )
}

fn log_table() -> String {
    revision_text(
        "root",
        &[],
        "CREATE TABLE applied_log (revision VARCHAR(64) NOT NULL);",
        Some("DROP TABLE applied_log;"),
    )
}

/// How often each revision's side effect ran.
fn log_counts(database: &TestDb) -> Vec<(String, String)> {
    database
        .query("SELECT revision, COUNT(*) FROM applied_log GROUP BY revision ORDER BY revision")
        .into_iter()
        .map(|row| {
            (
                row[0].clone().unwrap_or_default(),
                row[1].clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn every_target_form(project: &Project, database: &TestDb) {
    // root -> (left: l1 -> l2) and (right: r1, which depends on l1).
    project
        .revision("01_root", &log_table())
        .revision(
            "02_l1",
            &logged("l1", &["root"]).replace("-- message:", "-- branch: left\n-- message:"),
        )
        .revision("03_l2", &logged("l2", &["l1"]))
        .revision(
            "04_r1",
            &logged("r1", &["root"]).replace(
                "-- message:",
                "-- branch: right\n-- depends-on: l1\n-- message:",
            ),
        );
    configure(project, database, "");
    let sqlmig = |args: &[&str]| project.sqlmig().args(args).run();

    // Two heads: `head` is refused with the ways out, `LABEL@head` works.
    sqlmig(&["upgrade"])
        .failure()
        .stderr_has("ambiguous")
        .stderr_has("sqlmig merge");
    assert!(database.applied().is_empty());
    sqlmig(&["upgrade", "left@head"]).success();
    assert_eq!(database.applied(), ["l1", "l2", "root"]);
    sqlmig(&["upgrade", "right@head"]).success();
    assert_eq!(database.applied(), ["l1", "l2", "r1", "root"]);

    // Downgrading one branch (right: r1, last in application order) leaves
    // the other applied.
    sqlmig(&["downgrade", "-1"]).success();
    assert_eq!(database.applied(), ["l1", "l2", "root"]);
    sqlmig(&["upgrade", "r1"]).success();
    // r1 depends on l1, so it counts as above l1 and is reverted with l2.
    sqlmig(&["downgrade", "l1"]).success();
    assert_eq!(database.applied(), ["l1", "root"]);
    sqlmig(&["downgrade", "root"]).success();
    assert_eq!(database.applied(), ["root"]);
    // A cross-branch dependency is applied first: r1 brings l1, not l2.
    sqlmig(&["upgrade", "r1"]).success();
    assert_eq!(database.applied(), ["l1", "r1", "root"]);

    sqlmig(&["upgrade", "heads"]).success();
    assert_eq!(database.applied(), ["l1", "l2", "r1", "root"]);
    sqlmig(&["downgrade", "base"]).success();
    assert!(database.applied().is_empty());
    assert!(!database.table_exists("applied_log"));

    // A merge makes one head again; relative targets and prefixes.
    project.revision("05_merge", &logged("merge", &["l2", "r1"]));
    sqlmig(&["upgrade", "+2"]).success();
    assert_eq!(database.applied(), ["l1", "root"]);
    sqlmig(&["upgrade", "+9"])
        .failure()
        .stderr_has("only 3 pending");
    sqlmig(&["upgrade", "merg"]).success();
    assert_eq!(database.applied(), ["l1", "l2", "merge", "r1", "root"]);
    sqlmig(&["downgrade", "-2"]).success();
    assert_eq!(database.applied(), ["l1", "l2", "root"]);
    sqlmig(&["upgrade", "head"]).success();
    sqlmig(&["upgrade"]).success().stderr_has("nothing to do");
    assert_eq!(database.applied(), ["l1", "l2", "merge", "r1", "root"]);
    assert!(log_counts(database).iter().all(|(_, count)| count == "1"));
    let json = sqlmig(&["current", "--json"]).success().json();
    assert_eq!(json["current"], serde_json::json!(["merge"]));

    sqlmig(&["upgrade", "-1"])
        .failure()
        .stderr_has("sqlmig downgrade -1");
    sqlmig(&["downgrade", "+1"])
        .failure()
        .stderr_has("sqlmig upgrade +1");
    sqlmig(&["downgrade", "nope"])
        .failure()
        .stderr_has("unknown revision `nope`");
    assert_eq!(
        sqlmig(&["downgrade"]).code(),
        Some(2),
        "downgrade needs a target"
    );
}

fn failing_revision_rolls_back_and_stops_the_run(project: &Project, database: &TestDb) {
    project
        .revision("1", &revision_text("one", &[], "CREATE TABLE one (x INTEGER);", Some("DROP TABLE one;")))
        .revision("2", &revision_text("two", &["one"], "CREATE TABLE two (x INTEGER);", None))
        .revision(
            "3",
            "-- revision: three\n-- revises: two\n\n-- up\nINSERT INTO one VALUES (1);\nINSERT INTO one VALUES (2);\n  INSERT INTO missing_table VALUES (1);\nINSERT INTO one VALUES (3);\n",
        )
        .revision("4", &revision_text("four", &["three"], "CREATE TABLE four (x INTEGER);", None));
    configure(project, database, "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("revision three")
        .stderr_has("migrations/3.sql:7:")
        .stderr_has("statement 3 of 4")
        .stderr_has("missing_table")
        .stderr_has("rolled back");
    assert_eq!(database.applied(), ["one", "two"]);
    assert!(
        database.column("SELECT x FROM one").is_empty(),
        "revision three left nothing"
    );
    assert!(!database.table_exists("four"));
    let status = project
        .sqlmig()
        .args(["status", "--json"])
        .run()
        .success()
        .json();
    let states: Vec<&str> = status["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["applied", "applied", "pending", "pending"]);

    project.write(
        "migrations/3.sql",
        project
            .read("migrations/3.sql")
            .replace("missing_table", "one"),
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied(), ["four", "one", "three", "two"]);
    assert_eq!(database.column("SELECT COUNT(*) FROM one"), ["4"]);
}

fn drift_blocks_upgrade_until_repair_accepts_it(project: &Project, database: &TestDb) {
    project.revision(
        "1",
        &revision_text(
            "one",
            &[],
            "CREATE TABLE one (x INTEGER);",
            Some("DROP TABLE one;"),
        ),
    );
    configure(project, database, "");
    project.sqlmig().args(["upgrade"]).run().success();
    project.revision(
        "2",
        &revision_text("two", &["one"], "CREATE TABLE two (x INTEGER);", None),
    );

    // A new message or a changed comment outside the up section is not drift.
    let original = project.read("migrations/1.sql");
    project.write(
        "migrations/1.sql",
        original.replace("revision one", "the first revision"),
    );
    project
        .sqlmig()
        .args(["check"])
        .run()
        .failure()
        .stderr_has("1 revision pending");

    // An edit of the up section is.
    project.write(
        "migrations/1.sql",
        original.replace("x INTEGER", "y INTEGER"),
    );
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("revision one was applied with checksum")
        .stderr_has("sqlmig repair --accept-checksum one");
    assert_eq!(database.applied(), ["one"], "nothing ran");
    let status = project
        .sqlmig()
        .args(["status", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(status["revisions"][0]["checksum_ok"], false);
    assert_eq!(
        status["revisions"][1]["checksum_ok"],
        serde_json::Value::Null
    );
    project
        .sqlmig()
        .args(["check"])
        .run()
        .failure()
        .stderr_has("checksum");
    project
        .sqlmig()
        .args(["verify", "--database-url", database.url()])
        .run()
        .failure();

    // `repair` alone only lists; the flag accepts.
    project
        .sqlmig()
        .args(["repair"])
        .run()
        .failure()
        .stderr_has("accept-checksum one");
    project
        .sqlmig()
        .args(["repair", "--accept-checksum", "one"])
        .run()
        .success();
    project.sqlmig().args(["upgrade"]).run().success();
    project.sqlmig().args(["check"]).run().success();

    // A changed down section is only a warning.
    project.write(
        "migrations/1.sql",
        project
            .read("migrations/1.sql")
            .replace("DROP TABLE one;", "DROP TABLE IF EXISTS one;"),
    );
    project.sqlmig().args(["check"]).run().success();
    let status = project
        .sqlmig()
        .args(["status", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(status["revisions"][0]["checksum_ok"], true);
    assert_eq!(status["revisions"][0]["down_checksum_ok"], false);

    // A deleted file is refused too, until its row is forgotten.
    std::fs::remove_file(project.path("migrations/2.sql")).unwrap();
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("revision two is applied but its file");
    project
        .sqlmig()
        .args(["repair", "--forget", "two"])
        .run()
        .success();
    project.sqlmig().args(["check"]).run().success();
}

/// Three runners start together on 120 revisions: all exit 0, one of them
/// applies everything (the lock covers the whole run), each revision once.
fn concurrent_upgrades_apply_each_revision_once(project: &Project, database: &TestDb) {
    project.logged_chain(120, |_| String::new());
    configure(project, database, "");
    let children: Vec<_> = (0..3)
        .map(|_| project.sqlmig().args(["upgrade", "--json"]).spawn())
        .collect();
    let mut applied_by_process = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        for symptom in [
            "duplicate key",
            "Duplicate entry",
            "already exists",
            "database is locked",
        ] {
            assert!(!stderr.contains(symptom), "{stderr}");
        }
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        applied_by_process.push(json["revisions"].as_array().unwrap().len());
    }
    assert_eq!(database.applied().len(), 121);
    let counts = log_counts(database);
    assert_eq!(counts.len(), 120);
    assert!(counts.iter().all(|(_, count)| count == "1"), "{counts:?}");
    applied_by_process.sort_unstable();
    assert_eq!(applied_by_process, [0, 0, 121]);
}

fn stamp_check_and_dry_run(project: &Project, database: &TestDb) {
    project
        .revision(
            "1",
            &revision_text(
                "one",
                &[],
                "CREATE TABLE one (x INTEGER);",
                Some("DROP TABLE one;"),
            ),
        )
        .revision(
            "2",
            &revision_text(
                "two",
                &["one"],
                "CREATE TABLE two (x INTEGER);",
                Some("DROP TABLE two;"),
            ),
        );
    configure(project, database, "");
    let sqlmig = |args: &[&str]| project.sqlmig().args(args).run();

    sqlmig(&["upgrade", "--dry-run"])
        .success()
        .stdout_has("would apply 2 revisions")
        .stdout_has("CREATE TABLE one (x INTEGER);");
    if database.kind == Kind::Sqlite {
        assert!(
            !project.path("app.db").exists(),
            "a dry run creates not even the database file"
        );
    }
    assert!(
        !database.table_exists("sqlmig_revisions"),
        "a dry run creates nothing"
    );
    sqlmig(&["check"])
        .failure()
        .stderr_has("2 revisions pending");

    sqlmig(&["stamp", "one"]).success();
    assert_eq!(database.applied(), ["one"]);
    assert!(!database.table_exists("one"), "stamp runs no SQL");
    sqlmig(&["upgrade", "--dry-run"])
        .success()
        .stdout_has("would apply 1 revision");
    assert_eq!(database.applied(), ["one"]);
    sqlmig(&["upgrade"]).success();
    assert!(database.table_exists("two"));
    sqlmig(&["check"]).success().stdout_has("up to date at two");
    sqlmig(&["downgrade", "one", "--dry-run"])
        .success()
        .stdout_has("DROP TABLE two;");
    assert!(database.table_exists("two"));
    sqlmig(&["stamp", "base"]).success();
    assert!(database.applied().is_empty());
    assert!(database.table_exists("two"), "stamp runs no SQL");
}

fn failure_outside_a_transaction_is_recorded(project: &Project, database: &TestDb) {
    project.revision(
        "1",
        "-- revision: one\n-- transaction: false\n\n-- up\nCREATE TABLE one (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n",
    );
    configure(project, database, "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/1.sql:6:")
        .stderr_has("1 statement(s) before the failing one stay applied");
    assert!(
        database.table_exists("one"),
        "outside a transaction the first statement stays"
    );
    let status = project
        .sqlmig()
        .args(["status", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(status["revisions"][0]["state"], "failed");
    assert_eq!(status["revisions"][0]["failure"]["statement"], 2);
    assert_eq!(status["revisions"][0]["failure"]["line"], 6);
    project
        .sqlmig()
        .args(["check"])
        .run()
        .failure()
        .stderr_has("failed while applying at statement 2");
    // Never re-run silently: the next upgrade refuses and says how to go on.
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("sqlmig repair --clear-failed one");

    // After a manual clean-up, clearing the row lets it run again.
    project.write(
        "migrations/1.sql",
        project.read("migrations/1.sql").replace("nowhere", "one"),
    );
    database.execute("DROP TABLE one");
    project
        .sqlmig()
        .args(["repair", "--clear-failed", "one"])
        .run()
        .success();
    project.sqlmig().args(["upgrade"]).run().success();
    project.sqlmig().args(["check"]).run().success();
    assert_eq!(database.column("SELECT COUNT(*) FROM one"), ["1"]);
}

fn single_transaction_is_all_or_nothing(project: &Project, database: &TestDb) {
    project
        .revision(
            "1",
            &revision_text("one", &[], "CREATE TABLE one (x INTEGER);", None),
        )
        .revision(
            "2",
            &revision_text(
                "two",
                &["one"],
                "INSERT INTO one VALUES (1);\nINSERT INTO nope VALUES (1);",
                None,
            ),
        );
    configure(project, database, "");
    let run = project
        .sqlmig()
        .args(["upgrade", "--single-transaction"])
        .run()
        .failure();
    assert!(database.applied().is_empty());
    if database.kind == Kind::Mysql {
        // MySQL commits DDL implicitly: refused before anything runs.
        run.stderr_has("--single-transaction is not possible");
        assert!(!database.table_exists("one"));
        return;
    }
    run.stderr_has("nope");
    assert!(
        !database.table_exists("one"),
        "the whole run was rolled back"
    );
    project.sqlmig().args(["upgrade"]).run().failure();
    assert_eq!(
        database.applied(),
        ["one"],
        "without it, revision one commits on its own"
    );
}

fn init_sql_runs_on_the_migrating_connection(project: &Project, database: &TestDb) {
    project.revision(
        "1",
        &revision_text("one", &[], "INSERT INTO session_marker VALUES (1);", None),
    );
    configure(
        project,
        database,
        "init_sql = [\"CREATE TEMPORARY TABLE session_marker (x INTEGER)\"]\n",
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied(), ["one"]);
    project
        .sqlmig()
        .args([
            "upgrade",
            "--dry-run",
            "--init-sql",
            "SELECT * FROM no_such_table",
        ])
        .run()
        .failure()
        .stderr_has("init_sql statement 1 failed");
}

fn resume_runs_the_rest_only_if_what_ran_is_unchanged(project: &Project, database: &TestDb) {
    let text = "-- revision: one\n-- transaction: false\n\n-- up\nCREATE TABLE a (x INTEGER);\nCREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\nCREATE TABLE c (x INTEGER);\n";
    project.revision("1", text);
    configure(project, database, "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("statement 3 of 4");
    assert!(
        database.table_exists("a") && database.table_exists("b") && !database.table_exists("c")
    );

    // An edit of a statement that already ran makes a resume unsafe.
    project.revision(
        "1",
        &text.replace("TABLE a", "TABLE a2").replace("nowhere", "b"),
    );
    project
        .sqlmig()
        .args(["repair", "--resume", "one"])
        .run()
        .failure()
        .stderr_has("statements 1 to 2 of revision one changed since they ran");
    // Fixing only the failing statement resumes at it: a and b are not re-run.
    project.revision("1", &text.replace("nowhere", "b"));
    project
        .sqlmig()
        .args(["repair", "--resume", "one"])
        .run()
        .success()
        .stdout_has("resumed revision one at statement 3 of 4");
    assert!(database.table_exists("c"));
    assert_eq!(database.column("SELECT COUNT(*) FROM b"), ["1"]);
    project.sqlmig().args(["check"]).run().success();
}

// See: docs/RELIABILITY.md C5 (history tampering: a deleted row). Found by the
// reliability suite: upgrade took the revision whose row was gone for
// pending and ran it again below revisions already applied.
fn a_deleted_state_row_is_refused_and_never_rerun(project: &Project, database: &TestDb) {
    project
        .revision("0", &log_table())
        .revision("1", &logged("l1", &["root"]))
        .revision("2", &logged("l2", &["l1"]));
    configure(project, database, "");
    project.sqlmig().args(["upgrade"]).run().success();
    database.execute("DELETE FROM sqlmig_revisions WHERE revision = 'l1'");

    let refusal = "revision l1 is not recorded as applied, but l2, which needs it, is";
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has(refusal)
        .stderr_has("sqlmig stamp l2");
    project.sqlmig().args(["hash"]).run().success();
    project
        .sqlmig()
        .args(["verify", "--database-url", database.url()])
        .run()
        .failure()
        .stderr_has(refusal);
    project.sqlmig().args(["check"]).run().failure();
    assert_eq!(database.applied(), ["l2", "root"]);
    assert!(
        log_counts(database).iter().all(|(_, count)| count == "1"),
        "l1 did not run again"
    );

    // Its changes are there: stamping records it again.
    project.sqlmig().args(["stamp", "l2"]).run().success();
    assert_eq!(database.applied(), ["l1", "l2", "root"]);
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .success()
        .stderr_has("nothing to do");
}
