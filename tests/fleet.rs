//! Fleets (README "Many databases") through the binary on the machine's servers: many
//! SQLite files, PostgreSQL databases and schemas, and MariaDB databases in
//! one run; failures on one target, unreachable targets, canaries,
//! `--keep-going`, concurrent fleets, Ctrl-C, and passwords never shown.

use std::time::Duration;

use crate::support::database::{TestDb, TestUser};
use crate::support::{Project, revision_text};

/// A password that must never appear in any output.
const CANARY: &str = "Fl33tCanaryPw7";

/// `url` with `user:password` as its userinfo.
fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with ://");
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{rest}")
}

/// `url` with `password` added to its user (PostgreSQL here trusts local
/// connections, so any password is accepted and never checked).
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with ://");
    let (user, host) = rest.split_once('@').expect("a URL with a user");
    let user = user.split(':').next().unwrap_or(user);
    format!("{scheme}://{user}:{password}@{host}")
}

/// `count` revisions r001... each creating `t_<id>`; the statements run on
/// every dialect.
fn chain(project: &Project, count: usize) -> Vec<String> {
    let revisions: Vec<(String, String)> = (1..=count)
        .map(|number| {
            let id = format!("r{number:03}");
            let up = format!("CREATE TABLE t_{id} (x INTEGER);");
            (id, up)
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = revisions
        .iter()
        .map(|(id, up)| (id.as_str(), up.as_str()))
        .collect();
    project.chain(&borrowed);
    revisions.into_iter().map(|(id, _)| id).collect()
}

fn write_targets(project: &Project, urls: &[String]) -> String {
    let mut text = String::from("# the fleet\n\n");
    for url in urls {
        text.push_str(url);
        text.push('\n');
    }
    project.write("targets.txt", text);
    String::from("targets.txt")
}

/// The `targets` array of a fleet's `--json`.
fn targets(json: &serde_json::Value) -> Vec<serde_json::Value> {
    json["targets"].as_array().expect("targets array").clone()
}

fn results(json: &serde_json::Value) -> Vec<String> {
    targets(json)
        .iter()
        .map(|target| target["result"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Sends Ctrl-C (SIGINT) to `child`; its output, and how long it took to
/// end after the signal.
fn interrupt(child: std::process::Child) -> (std::process::Output, Duration) {
    let signalled = std::time::Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    (output, signalled.elapsed())
}

#[track_caller]
fn assert_no_canary(run: &crate::support::Run) {
    for (stream, text) in [("stdout", run.stdout()), ("stderr", run.stderr())] {
        assert!(
            !text.contains(CANARY),
            "the password shows on {stream}:\n{text}"
        );
    }
}

#[test]
fn sqlite_postgres_schemas_and_mariadb_in_one_run() {
    let Some(schemas_db) = TestDb::postgres() else {
        return;
    };
    let postgres: Vec<TestDb> = (0..8).filter_map(|_| TestDb::postgres()).collect();
    let mariadb: Vec<TestDb> = (0..4).filter_map(|_| TestDb::mysql()).collect();
    if postgres.len() < 8 || mariadb.len() < 4 {
        return;
    }
    let project = Project::new();
    let revisions = chain(&project, 6);
    for number in 1..=5 {
        schemas_db.execute(&format!("CREATE SCHEMA tenant_{number}"));
    }
    let users: Vec<TestUser<'_>> = mariadb
        .iter()
        .map(|database| TestUser::create(database, CANARY))
        .collect();
    let mut urls: Vec<String> = (1..=20)
        .map(|number| project.sqlite_url(&format!("tenant_{number:02}.db")))
        .collect();
    urls.extend(postgres.iter().map(|db| with_password(db.url(), CANARY)));
    urls.extend(
        mariadb
            .iter()
            .zip(&users)
            .map(|(db, user)| with_user(db.url(), &user.name, CANARY)),
    );
    let file = write_targets(&project, &urls);
    let schemas_url = with_password(schemas_db.url(), CANARY);
    let query = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1";
    let run = project
        .sqlmig()
        .args(["upgrade", "--targets", &file, "--schemas-query", query])
        .args(["--database-url", &schemas_url, "--jobs", "4", "--json"])
        .run()
        .success();
    assert_no_canary(&run);
    let json = run.json();
    let all = targets(&json);
    assert_eq!(all.len(), 37, "{json}");
    for target in &all {
        assert_eq!(target["result"], "ok", "{target}");
        assert_eq!(target["applied"], 6, "{target}");
        assert_eq!(target["to"], serde_json::json!(["r006"]), "{target}");
        assert!(target["error"].is_null());
    }
    let names: Vec<&str> = all.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        &names[32..],
        &["tenant_1", "tenant_2", "tenant_3", "tenant_4", "tenant_5"],
        "schema targets are named by their schema"
    );
    assert!(names[20].contains(":***@"), "{}", names[20]);
    // Every database has each revision once; each schema has its own state
    // table and its own tables.
    for number in 1..=20 {
        let db = project.path(&format!("tenant_{number:02}.db"));
        let connection = rusqlite::Connection::open(db).unwrap();
        let rows: i64 = connection
            .query_row("SELECT COUNT(*) FROM sqlmig_revisions", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(rows, 6);
    }
    for database in postgres.iter().chain(&mariadb) {
        assert_eq!(database.applied(), revisions);
    }
    for number in 1..=5 {
        let rows = schemas_db.column(&format!(
            "SELECT revision FROM tenant_{number}.sqlmig_revisions ORDER BY revision"
        ));
        assert_eq!(rows, revisions);
        let tables = schemas_db.column(&format!(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'tenant_{number}' AND table_name LIKE 't\\_r%'"
        ));
        assert_eq!(tables, ["6"]);
    }
    assert!(
        !schemas_db.table_exists("t_r001"),
        "nothing lands in public"
    );

    // The reading commands per target, and a second upgrade has nothing to do.
    let run = project
        .sqlmig()
        .args(["check", "--targets", &file, "--schemas-query", query])
        .args(["--database-url", &schemas_url])
        .run()
        .success()
        .stdout_has("37 targets")
        .stdout_has("37 ok, 0 failed");
    assert_no_canary(&run);
    let run = project
        .sqlmig()
        .args(["upgrade", "--targets", &file, "--json"])
        .run()
        .success();
    assert!(targets(&run.json()).iter().all(|t| t["applied"] == 0));
    assert_no_canary(&run);
}

/// Six SQLite targets; the third already has the table that r002 creates, so
/// r002 fails there only.
fn six_with_one_failing(project: &Project) -> String {
    chain(project, 4);
    let urls: Vec<String> = (1..=6)
        .map(|number| project.sqlite_url(&format!("db{number}.db")))
        .collect();
    let connection = rusqlite::Connection::open(project.path("db3.db")).unwrap();
    connection
        .execute_batch("CREATE TABLE t_r002 (x INTEGER)")
        .unwrap();
    write_targets(project, &urls)
}

#[test]
fn a_revision_failing_on_one_target_stops_the_fleet_unless_keep_going() {
    let project = Project::new();
    let file = six_with_one_failing(&project);
    let run = project
        .sqlmig()
        .args(["upgrade", "--targets", &file, "--jobs", "1", "--json"])
        .run()
        .failure()
        .stderr_has("t_r002");
    let json = run.json();
    assert_eq!(
        results(&json),
        ["ok", "ok", "failed", "skipped", "skipped", "skipped"]
    );
    let failed = &targets(&json)[2];
    assert_eq!(failed["applied"], 1, "{failed}");
    assert!(
        failed["error"].as_str().unwrap().contains("r002"),
        "{failed}"
    );
    assert_eq!(targets(&json)[4]["state"], "not started");
    assert!(!project.path("db5.db").exists(), "no connection was opened");

    // Plain output: one summary line per target and the total.
    let run = project
        .sqlmig()
        .args(["upgrade", "--targets", &file, "--jobs", "2", "--keep-going"])
        .run()
        .failure()
        .stdout_has("6 targets")
        .stdout_has("5 ok, 1 failed, 0 interrupted, 0 not started");
    assert!(
        run.stderr().contains("db3.db: migrations/002_r002.sql"),
        "{}",
        run.stderr()
    );
    let run = project
        .sqlmig()
        .args(["status", "--targets", &file, "--json"])
        .run()
        .success();
    let json = run.json();
    let pending: Vec<i64> = targets(&json)
        .iter()
        .map(|t| t["pending"].as_i64().unwrap())
        .collect();
    assert_eq!(pending, [0, 0, 3, 0, 0, 0]);
}

#[test]
fn a_failed_canary_stops_the_fleet_even_with_keep_going() {
    let project = Project::new();
    let file = six_with_one_failing(&project);
    let run = project
        .sqlmig()
        .args(["upgrade", "--targets", &file, "--canary", "3"])
        .args(["--keep-going", "--json"])
        .run()
        .failure();
    let json = run.json();
    assert_eq!(
        results(&json),
        ["ok", "ok", "failed", "skipped", "skipped", "skipped"]
    );
    // A canary that passes lets the others run.
    let run = project
        .sqlmig()
        .args(["upgrade", "--targets", &file, "--canary", "2"])
        .args(["--keep-going", "--json"])
        .run()
        .failure();
    assert_eq!(
        results(&run.json()),
        ["ok", "ok", "failed", "ok", "ok", "ok"]
    );
}

#[test]
#[cfg(all(feature = "postgres", feature = "mysql"))]
fn an_unreachable_target_fails_alone_and_its_password_stays_hidden() {
    let project = Project::new();
    chain(&project, 3);
    let urls = vec![
        project.sqlite_url("a.db"),
        format!("postgres://app:{CANARY}@127.0.0.1:1/nowhere?connect_timeout=2"),
        format!("mysql://app:{CANARY}@127.0.0.1:1/nowhere"),
        project.sqlite_url("b.db"),
    ];
    let file = write_targets(&project, &urls);
    for extra in [&["--json"][..], &[][..]] {
        let run = project
            .sqlmig()
            .args(["upgrade", "--targets", &file, "--keep-going"])
            .args(extra)
            .run()
            .failure();
        assert_no_canary(&run);
        assert!(run.stderr().contains("cannot connect"), "{}", run.stderr());
        if extra.is_empty() {
            assert!(
                run.stdout()
                    .contains("postgres://app:***@127.0.0.1:1/nowhere")
            );
        } else {
            assert_eq!(results(&run.json()), ["ok", "failed", "failed", "ok"]);
        }
    }
    // The same with [[targets]] in sqlmig.toml, under names of their own.
    project.write(
        "sqlmig.toml",
        format!(
            "[[targets]]\nname = \"eu\"\ndatabase_url = \"{}\"\n\n[[targets]]\nname = \"us\"\ndatabase_url = \"postgres://app:{CANARY}@127.0.0.1:1/x\"\n",
            project.sqlite_url("eu.db")
        ),
    );
    let run = project
        .sqlmig()
        .args(["status", "--all-targets", "--keep-going"])
        .run()
        .failure()
        .stdout_has("eu ")
        .stderr_has("error: us: cannot connect");
    assert_no_canary(&run);
}

#[test]
fn two_fleets_started_together_apply_each_revision_once() {
    let databases: Vec<TestDb> = (0..3).filter_map(|_| TestDb::postgres()).collect();
    let mariadb: Vec<TestDb> = (0..2).filter_map(|_| TestDb::mysql()).collect();
    if databases.len() < 3 || mariadb.len() < 2 {
        return;
    }
    let project = Project::new();
    let ids = project.logged_chain(25, |_| String::new());
    let mut urls: Vec<String> = (1..=3)
        .map(|number| project.sqlite_url(&format!("s{number}.db")))
        .collect();
    urls.extend(
        databases
            .iter()
            .chain(&mariadb)
            .map(|db| db.url().to_owned()),
    );
    let file = write_targets(&project, &urls);
    let children: Vec<_> = (0..2)
        .map(|_| {
            project
                .sqlmig()
                .args(["upgrade", "--targets", &file, "--jobs", "4", "--json"])
                .args(["--lock-timeout", "120s"])
                .spawn()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
    }
    for number in 1..=3 {
        let connection =
            rusqlite::Connection::open(project.path(&format!("s{number}.db"))).unwrap();
        for (sql, expected) in [
            ("SELECT COUNT(*) FROM sqlmig_revisions", 26),
            ("SELECT COUNT(*) FROM applied_log", 25),
        ] {
            let rows: i64 = connection.query_row(sql, [], |row| row.get(0)).unwrap();
            assert_eq!(rows, expected, "{sql}");
        }
    }
    for database in databases.iter().chain(&mariadb) {
        assert_eq!(
            database.column("SELECT COUNT(*) FROM sqlmig_revisions"),
            ["26"]
        );
        assert_eq!(database.column("SELECT COUNT(*) FROM applied_log"), ["25"]);
        assert_eq!(database.applied().len(), ids.len());
    }
}

#[test]
fn emit_writes_one_script_per_target() {
    let project = Project::new();
    chain(&project, 3);
    let urls: Vec<String> = ["a", "b"]
        .iter()
        .map(|name| project.sqlite_url(&format!("{name}.db")))
        .collect();
    let file = write_targets(&project, &urls);
    project
        .sqlmig()
        .args(["upgrade", "r001", "--database-url", &urls[0]])
        .run()
        .success();
    project
        .sqlmig()
        .args(["emit", "--targets", &file, "--output", "scripts"])
        .run()
        .success();
    let mut scripts: Vec<String> = std::fs::read_dir(project.path("scripts"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    scripts.sort();
    assert_eq!(scripts.len(), 2, "{scripts:?}");
    assert!(scripts[0].ends_with("a.db.sql"), "{scripts:?}");
    let a = project.read(&format!("scripts/{}", scripts[0]));
    let b = project.read(&format!("scripts/{}", scripts[1]));
    assert!(
        !a.contains("CREATE TABLE t_r001") && a.contains("CREATE TABLE t_r002"),
        "{a}"
    );
    assert!(b.contains("CREATE TABLE t_r001"), "{b}");
    // Without --output there is nowhere to write several scripts.
    project
        .sqlmig()
        .args(["emit", "--targets", &file])
        .run()
        .failure()
        .stderr_has("--output DIR");
}

#[test]
fn fleet_flags_are_usage_errors_elsewhere() {
    let project = Project::new();
    chain(&project, 1);
    let run = project.sqlmig().args(["history", "--all-targets"]).run();
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    let run = project.sqlmig().args(["upgrade", "--jobs", "2"]).run();
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    project
        .sqlmig()
        .args(["upgrade", "--all-targets"])
        .run()
        .failure()
        .stderr_has("no [[targets]]");
}

/// Ctrl-C (SIGINT) in the middle of a fleet: running targets finish their
/// revision and release their locks, the rest do not start, the summary
/// says which is which, and the next run finishes the job.
#[test]
fn an_interrupted_fleet_leaves_every_target_between_revisions() {
    let databases: Vec<TestDb> = (0..6).filter_map(|_| TestDb::postgres()).collect();
    if databases.len() < 6 {
        return;
    }
    let project = Project::new();
    let revisions: Vec<(String, String)> = (1..=8)
        .map(|number| {
            (
                format!("r{number:03}"),
                format!("CREATE TABLE t_r{number:03} (x INTEGER);\nSELECT pg_sleep(0.15);"),
            )
        })
        .collect();
    for (index, (id, up)) in revisions.iter().enumerate() {
        let parents: Vec<&str> = index
            .checked_sub(1)
            .map(|parent| revisions[parent].0.as_str())
            .into_iter()
            .collect();
        project.revision(
            &format!("{:03}_{id}", index + 1),
            &revision_text(id, &parents, up, None),
        );
    }
    let urls: Vec<String> = databases.iter().map(|db| db.url().to_owned()).collect();
    let file = write_targets(&project, &urls);
    let child = project
        .sqlmig()
        .args(["upgrade", "--targets", &file, "--jobs", "2", "--json"])
        .spawn();
    std::thread::sleep(Duration::from_millis(700));
    let (output, _) = interrupt(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("interrupted:"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let states: Vec<String> = targets(&json)
        .iter()
        .map(|t| t["state"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(states[..2], ["interrupted", "interrupted"], "{json}");
    assert!(
        states[2..].iter().all(|state| state == "not started"),
        "{json}"
    );
    for (database, target) in databases.iter().zip(targets(&json)) {
        let rows =
            database.column("SELECT count(*) FROM pg_tables WHERE tablename = 'sqlmig_revisions'");
        if rows != ["1"] {
            continue;
        }
        // Every recorded revision completed; none is left running.
        let states = database.column("SELECT DISTINCT state FROM sqlmig_revisions");
        assert!(states.iter().all(|state| state == "applied"), "{states:?}");
        assert_eq!(
            database.applied().len() as u64,
            target["applied"].as_u64().unwrap()
        );
    }
    project
        .sqlmig()
        .args([
            "upgrade",
            "--targets",
            &file,
            "--jobs",
            "6",
            "--lock-timeout",
            "5s",
        ])
        .run()
        .success();
    for database in &databases {
        assert_eq!(database.applied().len(), 8);
    }
}

/// Ctrl-C while a target waits for another runner's migration lock: the
/// wait ends at once, not at the lock timeout, the target is reported
/// interrupted with nothing changed, and the fleet exits while the other
/// runner still holds the lock.
#[test]
fn ctrl_c_ends_a_wait_for_the_lock_at_once() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.chain(&[
        ("r001", "SELECT pg_sleep(6);"),
        ("r002", "CREATE TABLE t_r002 (x INTEGER);"),
    ]);
    // Another runner holds the lock for 6 s, applying r001.
    let holder = project
        .sqlmig()
        .args(["upgrade", "r001", "--database-url", database.url()])
        .spawn();
    let holding = std::time::Instant::now();
    // The lock is taken once the state table exists.
    while database.column("SELECT count(*) FROM pg_tables WHERE tablename = 'sqlmig_revisions'")
        != ["1"]
    {
        assert!(
            holding.elapsed() < Duration::from_secs(5),
            "the holder never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let file = write_targets(&project, &[database.url().to_owned()]);
    let fleet = project
        .sqlmig()
        .args([
            "upgrade",
            "--targets",
            &file,
            "--json",
            "--lock-timeout",
            "60s",
        ])
        .spawn();
    std::thread::sleep(Duration::from_millis(700));
    let (output, waited) = interrupt(fleet);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        waited < Duration::from_secs(2),
        "the fleet stopped {waited:?} after Ctrl-C:\n{stderr}"
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let target = &targets(&json)[0];
    assert_eq!(target["state"], "interrupted", "{json}");
    assert_eq!(target["applied"], 0, "{json}");
    assert!(
        target["error"]
            .as_str()
            .unwrap_or_default()
            .contains("waiting for the migration lock"),
        "{json}"
    );
    // The holder was not disturbed: it finishes its revision, alone.
    let holder = holder.wait_with_output().expect("wait");
    assert!(
        holder.status.success(),
        "{}",
        String::from_utf8_lossy(&holder.stderr)
    );
    assert_eq!(database.applied(), ["r001"]);
}
