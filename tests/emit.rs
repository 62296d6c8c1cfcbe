//! `sqlmig emit`: offline scripts run by each dialect's own client (`psql`,
//! `mariadb`, `sqlite3`) on fresh databases, compared with what the online
//! engine leaves on twin databases: catalog dumps, state rows (timings and
//! `applied_by` aside), data, and what `status` reports.
//!
//! Projects: the example project (`migrations/`), one fixture per dialect
//! with functions, triggers and procedures (`fixtures/emit/<dialect>/`), and
//! a small fixed project whose scripts are pinned byte for byte
//! (`fixtures/emit/golden/` against `tests/golden/emit-<dialect>.sql`;
//! `SQLMIG_BLESS=1` rewrites the snapshots).
//!
//! A missing client binary skips a dialect's tests loudly, and fails them
//! under `CI=true`, as a missing server does (`support::database`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::client::{self, clients_available, mysql_command};
use crate::support::database::{Kind, TestDb};
use crate::support::figures;
use crate::support::{Project, Run};

/// Runs each listed test body once per dialect.
macro_rules! on_every_dialect {
    ($($test:ident),* $(,)?) => {
        mod postgres {
            $(#[test]
            fn $test() {
                super::$test(super::Kind::Postgres);
            })*
        }
        mod mysql {
            $(#[test]
            fn $test() {
                super::$test(super::Kind::Mysql);
            })*
        }
        mod sqlite {
            $(#[test]
            fn $test() {
                super::$test(super::Kind::Sqlite);
            })*
        }
    };
}

on_every_dialect!(
    example_project_script_leaves_what_an_online_upgrade_leaves,
    fixture_script_with_routines_leaves_what_an_online_upgrade_leaves,
    script_run_twice_stops_at_its_first_guard_and_changes_nothing,
    partial_and_downgrade_scripts_leave_what_online_runs_leave,
    live_emit_renders_only_pending_revisions_and_creates_nothing,
    hostile_messages_round_trip_byte_for_byte,
    state_table_with_an_awkward_name_works_in_the_script,
    golden_script_matches_its_snapshot_and_is_reproducible,
);

// ---------------------------------------------------------------------------
// Projects

/// A path in the repository.
fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A dialect's fixture project (`fixtures/emit/<dialect>/`) and the
/// revisions the tests aim at. Each has a branch, a merge, a `depends-on`,
/// routines with bodies and a revision that runs outside a transaction.
struct Fixture {
    dir: PathBuf,
    /// The root: `--from` of the partial script, target of the downgrade.
    first: &'static str,
    /// Needs a cross-branch dependency: target of the partial script.
    middle: &'static str,
    /// A transactional revision that the fail-stop tests make fail ...
    failing: &'static str,
    /// ... and the last revision the script applies before it.
    before_failing: &'static str,
    /// A query whose one row sums up the data the revisions wrote.
    data: &'static str,
}

fn fixture(kind: Kind) -> Fixture {
    let dir = repo(&format!("fixtures/emit/{}/migrations", kind.dialect_name()));
    match kind {
        Kind::Postgres => Fixture {
            dir,
            first: "pg01_accounts",
            middle: "pg04_search",
            failing: "pg03_reporting",
            before_failing: "pg02_touch",
            data: "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM audit_log), \
                   (SELECT string_agg(display_name, ',' ORDER BY id) FROM accounts)",
        },
        Kind::Mysql => Fixture {
            dir,
            first: "my01_accounts",
            middle: "my03_seed",
            failing: "my03_seed",
            before_failing: "my02_routines",
            data: "SELECT (SELECT COUNT(*) FROM ledger), \
                   (SELECT GROUP_CONCAT(CONCAT(email, ':', balance) ORDER BY id) FROM accounts)",
        },
        Kind::Sqlite => Fixture {
            dir,
            first: "sq01_notes",
            middle: "sq03_search",
            failing: "sq02_history",
            before_failing: "sq01_notes",
            data: "SELECT (SELECT count(*) FROM note_history), \
                   (SELECT group_concat(body || ':' || revised, ',') FROM notes)",
        },
    }
}

/// The offline script for `dir`, rendered without any configuration.
#[track_caller]
fn emit(kind: Kind, dir: &Path, args: &[&str]) -> String {
    Project::new()
        .sqlmig()
        .args(["--dir"])
        .args([dir])
        .args(["emit", "--offline", "--dialect", kind.dialect_name()])
        .args(args)
        .run()
        .success()
        .stdout()
}

/// The server version a script's header names (`-- server: PostgreSQL 15.4 or later`).
fn server_version_of(script: &str) -> String {
    let line = script
        .lines()
        .find_map(|line| line.strip_prefix("-- server:"))
        .expect("the script names its server");
    line.split_whitespace()
        .find(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        .expect("a version in the server line")
        .to_owned()
}

/// The revisions a script applies or reverts, in its order.
fn revisions_in(script: &str) -> Vec<String> {
    script
        .lines()
        .filter_map(|line| {
            line.strip_prefix("-- revision ")
                .or_else(|| line.strip_prefix("-- revert "))
        })
        .map(|rest| rest.split(':').next().unwrap_or_default().to_owned())
        .collect()
}

/// `script` with `failing_sql` run just before `revision` records itself:
/// after all of the revision's own statements.
#[track_caller]
fn with_failure_in(script: &str, revision: &str, failing_sql: &str) -> String {
    let record = format!("VALUES ('{revision}', ");
    let mut found = 0;
    let mut out = String::new();
    for line in script.lines() {
        if line.starts_with("INSERT INTO ") && line.contains(&record) {
            out.push_str(failing_sql);
            out.push('\n');
            found += 1;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert_eq!(found, 1, "no state row of {revision} in the script");
    out
}

// ---------------------------------------------------------------------------
// Databases and clients

/// How a test runs the dialect's client on a script.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// As the script's header says: `psql -X -v ON_ERROR_STOP=1 -f`,
    /// `mariadb DATABASE <`, `sqlite3 -bail DATABASE <`.
    AsDocumented,
    /// Without the fail-stop flag: `psql -X -f`, `sqlite3 DATABASE <`.
    NoFailStopFlag,
    /// PostgreSQL with `standard_conforming_strings` off before the script.
    BackslashStrings,
    /// MariaDB with this flag added to the session's `sql_mode`.
    SqlModeFlag(&'static str),
}

/// Rows of a query, every value as text.
type Rows = Vec<Vec<Option<String>>>;

/// A fresh database, and the project directory sqlmig and the client run in.
struct Db {
    kind: Kind,
    project: Project,
    test: TestDb,
}

/// A fresh database, or `None` (skipped) without its server or client.
fn fresh(kind: Kind) -> Option<Db> {
    if !clients_available(kind) {
        return None;
    }
    let project = Project::new();
    let test = match kind {
        Kind::Sqlite => TestDb::sqlite(&project),
        Kind::Postgres => TestDb::postgres()?,
        Kind::Mysql => TestDb::mysql()?,
    };
    Some(Db {
        kind,
        project,
        test,
    })
}

impl Db {
    /// `sqlmig --dir DIR --database-url URL ARGS...`.
    fn sqlmig(&self, dir: &Path, args: &[&str]) -> Run {
        self.project
            .sqlmig()
            .args(["--dir"])
            .args([dir])
            .args(["--database-url", self.test.url()])
            .args(args)
            .run()
    }

    fn sqlite_path(&self) -> PathBuf {
        self.project.path("app.db")
    }

    /// Runs `script` with the dialect's own client.
    fn client(&self, script: &str, mode: Mode) -> Output {
        let path = self.project.path("script.sql");
        std::fs::write(&path, script).expect("write the script");
        let stdin = || Stdio::from(std::fs::File::open(&path).expect("open the script"));
        let mut command = match self.kind {
            Kind::Postgres => {
                let mut command = Command::new("psql");
                command.args(["-X", "-q", "-d", self.test.url()]);
                if !matches!(mode, Mode::NoFailStopFlag) {
                    command.args(["-v", "ON_ERROR_STOP=1"]);
                }
                if matches!(mode, Mode::BackslashStrings) {
                    command.env("PGOPTIONS", "-c standard_conforming_strings=off");
                }
                command.arg("-f").arg(&path).stdin(Stdio::null());
                command
            }
            Kind::Mysql => {
                let (mut command, database) = mysql_command("mariadb", self.test.url());
                if let Mode::SqlModeFlag(flag) = mode {
                    command.arg(format!(
                        "--init-command=SET SESSION sql_mode = CONCAT(@@sql_mode, ',{flag}')"
                    ));
                }
                command.arg(database).stdin(stdin());
                command
            }
            Kind::Sqlite => {
                let mut command = Command::new("sqlite3");
                if !matches!(mode, Mode::NoFailStopFlag) {
                    command.arg("-bail");
                }
                command.arg(self.sqlite_path()).stdin(stdin());
                command
            }
        };
        command.output().expect("run the client")
    }

    /// The catalog, as the dialect's dump tool prints it.
    fn schema(&self) -> String {
        client::schema(&self.test, &[])
    }

    /// The state rows, without when, how long and by whom.
    fn state_rows(&self) -> Rows {
        self.test.query(
            "SELECT revision, checksum, down_checksum, state, direction, message, path, \
             statements_run, progress_checksum, failed_statement, failed_line, error \
             FROM sqlmig_revisions ORDER BY revision",
        )
    }

    /// Every revision of `dir` as `status --json` reports it: (id, state, checksum_ok).
    fn status(&self, dir: &Path) -> Vec<(String, String, Option<bool>)> {
        let json = self.sqlmig(dir, &["status", "--json"]).success().json();
        json["revisions"]
            .as_array()
            .expect("status --json lists revisions")
            .iter()
            .map(|entry| {
                (
                    entry["revision"].as_str().unwrap_or_default().to_owned(),
                    entry["state"].as_str().unwrap_or_default().to_owned(),
                    entry["checksum_ok"].as_bool(),
                )
            })
            .collect()
    }

    /// Everything a script could change: catalog, state rows and data.
    fn snapshot(&self, data: Option<&str>) -> (String, Rows, Rows) {
        (
            self.schema(),
            self.state_rows(),
            data.map(|query| self.test.query(query)).unwrap_or_default(),
        )
    }
}

fn describe(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[track_caller]
fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "expected success\n{}",
        describe(output)
    );
}

#[track_caller]
fn failed_with(output: &Output, text: &str) {
    assert!(
        !output.status.success(),
        "expected a failure\n{}",
        describe(output)
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(text),
        "stderr lacks {text:?}\n{}",
        describe(output)
    );
}

#[track_caller]
fn assert_same_database(scripted: &Db, online: &Db, data: Option<&str>) {
    let (scripted_schema, online_schema) = (scripted.schema(), online.schema());
    figures::record(&[
        ("b15.comparisons", 1),
        (
            "b15.schema_diff_lines",
            differing_lines(&scripted_schema, &online_schema),
        ),
    ]);
    assert_eq!(
        scripted_schema, online_schema,
        "catalog dumps differ (left: the script, right: online)"
    );
    assert_eq!(
        scripted.state_rows(),
        online.state_rows(),
        "state rows differ (left: the script, right: online)"
    );
    if let Some(query) = data {
        assert_eq!(
            scripted.test.query(query),
            online.test.query(query),
            "data differs (left: the script, right: online)"
        );
    }
}

// ---------------------------------------------------------------------------
// Online and offline leave the same database

fn example_project_script_leaves_what_an_online_upgrade_leaves(kind: Kind) {
    assert_script_equals_upgrade(kind, &repo("migrations"), None);
}

fn fixture_script_with_routines_leaves_what_an_online_upgrade_leaves(kind: Kind) {
    let fixture = fixture(kind);
    assert_script_equals_upgrade(kind, &fixture.dir, Some(fixture.data));
}

fn assert_script_equals_upgrade(kind: Kind, dir: &Path, data: Option<&str>) {
    let (Some(scripted), Some(online)) = (fresh(kind), fresh(kind)) else {
        return;
    };
    let script = emit(kind, dir, &[]);
    ok(&scripted.client(&script, Mode::AsDocumented));
    online.sqlmig(dir, &["upgrade"]).success();
    assert_same_database(&scripted, &online, data);

    // sqlmig sees the scripted database as fully migrated.
    let status = scripted.status(dir);
    assert_eq!(status.len(), revisions_in(&script).len());
    for (revision, state, checksum_ok) in &status {
        assert_eq!(
            (state.as_str(), *checksum_ok),
            ("applied", Some(true)),
            "{revision}"
        );
    }
    scripted.sqlmig(dir, &["check"]).success();
    scripted
        .sqlmig(dir, &["upgrade"])
        .success()
        .stderr_has("nothing to do");
}

fn script_run_twice_stops_at_its_first_guard_and_changes_nothing(kind: Kind) {
    let fixture = fixture(kind);
    let Some(database) = fresh(kind) else { return };
    let script = emit(kind, &fixture.dir, &[]);
    ok(&database.client(&script, Mode::AsDocumented));
    let before = database.snapshot(Some(fixture.data));

    let again = database.client(&script, Mode::AsDocumented);
    failed_with(
        &again,
        &format!(
            "sqlmig: revision {} is already recorded: the script ran before",
            fixture.first
        ),
    );
    assert_eq!(database.snapshot(Some(fixture.data)), before);
}

fn partial_and_downgrade_scripts_leave_what_online_runs_leave(kind: Kind) {
    let fixture = fixture(kind);
    let dir = &fixture.dir;
    let (Some(scripted), Some(online)) = (fresh(kind), fresh(kind)) else {
        return;
    };
    let partial = emit(kind, dir, &["--from", fixture.first, fixture.middle]);

    // On a database that is not at `--from`, the first guard stops it.
    failed_with(
        &scripted.client(&partial, Mode::AsDocumented),
        &format!("cannot run: parent {} is not applied", fixture.first),
    );
    assert!(scripted.state_rows().is_empty());

    for database in [&scripted, &online] {
        database.sqlmig(dir, &["upgrade", fixture.first]).success();
    }
    ok(&scripted.client(&partial, Mode::AsDocumented));
    online.sqlmig(dir, &["upgrade", fixture.middle]).success();
    assert_same_database(&scripted, &online, Some(fixture.data));
    let status = scripted.status(dir);
    assert_eq!(status, online.status(dir));
    let state_of = |status: &[(String, String, Option<bool>)], id: &str| {
        status
            .iter()
            .find(|(revision, ..)| revision == id)
            .map(|(_, state, _)| state.clone())
    };
    assert_eq!(
        state_of(&status, fixture.middle).as_deref(),
        Some("applied")
    );
    assert!(
        status.iter().any(|(_, state, _)| state == "pending"),
        "{status:?}"
    );

    let down = emit(
        kind,
        dir,
        &["--down", "--from", fixture.middle, fixture.first],
    );
    assert!(!revisions_in(&down).is_empty());
    ok(&scripted.client(&down, Mode::AsDocumented));
    online.sqlmig(dir, &["downgrade", fixture.first]).success();
    assert_same_database(&scripted, &online, Some(fixture.data));
    let status = scripted.status(dir);
    assert_eq!(status, online.status(dir));
    for (revision, state, _) in &status {
        let expected = if revision == fixture.first {
            "applied"
        } else {
            "pending"
        };
        assert_eq!(state, expected, "{revision}");
    }
}

fn live_emit_renders_only_pending_revisions_and_creates_nothing(kind: Kind) {
    let fixture = fixture(kind);
    let dir = &fixture.dir;
    let Some(database) = fresh(kind) else { return };

    // A fresh database: everything, and reading it created nothing.
    // A live script is checked for the connected server, and says which.
    let everything = database.sqlmig(dir, &["emit"]).success().stdout();
    let server = server_version_of(&everything);
    assert_eq!(everything, emit(kind, dir, &["--server-version", &server]));
    match kind {
        Kind::Sqlite => assert!(!database.sqlite_path().exists()),
        Kind::Postgres | Kind::Mysql => {
            assert!(!database.test.table_exists("sqlmig_revisions"));
        }
    }

    // Part-way: only what is pending, as the offline script from there.
    database.sqlmig(dir, &["upgrade", fixture.first]).success();
    let pending = database.sqlmig(dir, &["emit"]).success().stdout();
    assert_eq!(
        pending,
        emit(
            kind,
            dir,
            &["--from", fixture.first, "--server-version", &server]
        )
    );
    let rendered = revisions_in(&pending);
    assert!(!rendered.is_empty() && !rendered.iter().any(|id| id == fixture.first));
    ok(&database.client(&pending, Mode::AsDocumented));
    for (revision, state, checksum_ok) in database.status(dir) {
        assert_eq!(
            (state.as_str(), checksum_ok),
            ("applied", Some(true)),
            "{revision}"
        );
    }
}

// ---------------------------------------------------------------------------
// Fail-stop: a client never commits part of a revision with its state row

#[test]
fn postgres_psql_without_on_error_stop_commits_nothing_of_a_failed_revision_or_after() {
    // The failing revision is followed by a revision of another branch that
    // runs outside a transaction: neither its guard's parents nor a
    // transaction would stop it, only the script's own order checks.
    assert_failure_stops_the_script(Kind::Postgres, Mode::NoFailStopFlag, true);
}

#[test]
fn sqlite_shell_without_bail_flag_stops_at_a_failure_through_the_scripts_bail() {
    assert!(emit(Kind::Sqlite, &fixture(Kind::Sqlite).dir, &[]).contains("\n.bail on\n"));
    assert_failure_stops_the_script(Kind::Sqlite, Mode::NoFailStopFlag, false);
}

#[test]
fn mariadb_client_stops_at_a_failure_and_the_dml_revision_leaves_nothing() {
    assert_failure_stops_the_script(Kind::Mysql, Mode::AsDocumented, false);
}

/// Makes the fixture's `failing` revision fail after its own statements,
/// runs the script with `mode`, and compares the database with a twin
/// upgraded online to the revision before it. `strip_on_error_stop`: remove
/// the script's own `\set ON_ERROR_STOP on` (psql then carries on).
fn assert_failure_stops_the_script(kind: Kind, mode: Mode, strip_on_error_stop: bool) {
    let fixture = fixture(kind);
    let dir = &fixture.dir;
    let (Some(scripted), Some(online)) = (fresh(kind), fresh(kind)) else {
        return;
    };
    let mut script = with_failure_in(
        &emit(kind, dir, &[]),
        fixture.failing,
        "SELECT * FROM sqlmig_no_such_table;",
    );
    // The premise: the failing revision runs in a transaction (on MariaDB
    // too: it is DML only).
    let start = script
        .find(&format!("-- revision {}:", fixture.failing))
        .expect("the failing revision's comment");
    let block = script[start..]
        .split("\n-- revision ")
        .next()
        .unwrap_or_default();
    assert!(
        block.contains("\nBEGIN") || block.contains("\nSTART TRANSACTION;"),
        "{block}"
    );
    if strip_on_error_stop {
        let kept: Vec<&str> = script
            .lines()
            .filter(|line| *line != "\\set ON_ERROR_STOP on")
            .collect();
        assert_eq!(kept.len() + 1, script.lines().count());
        script = kept.join("\n") + "\n";
    }
    let output = scripted.client(&script, mode);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        stderr.contains("sqlmig_no_such_table"),
        "{}",
        describe(&output)
    );
    if strip_on_error_stop {
        // psql went on, and the next guard stopped it.
        let order = revisions_in(&script);
        let after = order
            .iter()
            .position(|id| id == fixture.failing)
            .and_then(|at| order.get(at + 1))
            .expect("a revision after the failing one");
        assert!(
            stderr.contains(&format!("sqlmig: revision {after} cannot run")),
            "{}",
            describe(&output)
        );
    } else {
        failed_with(&output, "sqlmig_no_such_table");
    }

    online
        .sqlmig(dir, &["upgrade", fixture.before_failing])
        .success();
    assert_same_database(&scripted, &online, Some(fixture.data));
    let applied: Vec<String> = scripted
        .status(dir)
        .into_iter()
        .filter(|(_, state, _)| state != "pending")
        .map(|(revision, ..)| revision)
        .collect();
    assert!(
        !applied.iter().any(|id| id == fixture.failing),
        "{applied:?}"
    );
}

#[test]
fn postgres_psql_without_on_error_stop_stops_inside_a_revision_outside_a_transaction() {
    // Nothing rolls back a statement that ran outside a transaction, so the
    // script must not record progress past a failed one, nor finish the
    // revision: it quits, leaving the `running` row `status` reports.
    let fixture = fixture(Kind::Postgres);
    let dir = &fixture.dir;
    let Some(database) = fresh(Kind::Postgres) else {
        return;
    };
    let statement = "CREATE INDEX CONCURRENTLY audit_log_account_idx ON audit_log (account_id);";
    let script = emit(Kind::Postgres, dir, &[]);
    assert_eq!(script.matches(statement).count(), 1);
    let script = script
        .replace(
            statement,
            "CREATE INDEX CONCURRENTLY audit_log_account_idx ON sqlmig_no_such_table (account_id);",
        )
        .replace("\\set ON_ERROR_STOP on\n", "");
    let output = database.client(&script, Mode::NoFailStopFlag);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("sqlmig_no_such_table"),
        "{}",
        describe(&output)
    );

    let row = database
        .test
        .query("SELECT state, statements_run FROM sqlmig_revisions WHERE revision = 'pg04_search'");
    assert_eq!(
        row,
        [[Some(String::from("running")), Some(String::from("1"))]]
    );
    assert!(
        database
            .test
            .column("SELECT revision FROM sqlmig_revisions WHERE revision = 'pg05_merge'")
            .is_empty()
    );
    let indexes = database
        .test
        .column("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_idx' ORDER BY 1");
    assert_eq!(indexes, ["accounts_email_idx"]);
    database
        .sqlmig(dir, &["upgrade"])
        .failure()
        .stderr_has("revision pg04_search was interrupted")
        .stderr_has("after 1 statement(s)");
}

#[test]
fn init_sql_runs_before_the_revisions_in_the_script() {
    // MariaDB refuses a foreign key to a table that does not exist yet,
    // unless the session turned the checks off (docs/DESIGN.md §3's init_sql example).
    let project = Project::new();
    project
        .write(
            "sqlmig.toml",
            "init_sql = [\"SET FOREIGN_KEY_CHECKS = 0\"]\n",
        )
        .revision(
            "1",
            "-- revision: child_first\n\n-- up\n\
             CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, \
             FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB;\n\
             CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;\n",
        );
    let (Some(scripted), Some(online)) = (fresh(Kind::Mysql), fresh(Kind::Mysql)) else {
        return;
    };
    let script = project
        .sqlmig()
        .args(["emit", "--offline", "--dialect", "mysql"])
        .run()
        .success()
        .stdout();
    assert!(
        script.contains("\nSET FOREIGN_KEY_CHECKS = 0;\n"),
        "{script}"
    );
    ok(&scripted.client(&script, Mode::AsDocumented));
    project
        .sqlmig()
        .args(["--database-url", online.test.url(), "upgrade"])
        .run()
        .success();
    assert_same_database(&scripted, &online, None);
}

// ---------------------------------------------------------------------------
// Quoting

/// Messages that try to leave their literal or comment in some dialect,
/// each of them one line.
fn hostile_messages() -> Vec<String> {
    vec![
        String::from(r#"it's "quoted"; \ and a newline"#),
        String::from("'); CREATE TABLE pwned (x INTEGER); --"),
        String::from(r"\'); CREATE TABLE pwned (x INTEGER); -- O'Brien \\' \\\'"),
        String::from("*/ CREATE TABLE pwned (x INTEGER); /* -- not a comment"),
        String::from("$$; CREATE TABLE pwned (x INTEGER); $$ $sqlmig_guard$ $a$ END"),
        String::from("`back`tick`); CREATE TABLE pwned (x INTEGER); -- \"double\""),
        String::from("line\u{2028}CREATE TABLE pwned (x INTEGER);\u{2029}emoji 🦀🎉 ünïcödé"),
        format!("10 kB: {}", "a'b\\c\"d`e$f;--x".repeat(640)),
    ]
}

fn hostile_messages_round_trip_byte_for_byte(kind: Kind) {
    let project = Project::new();
    let mut expected = BTreeMap::new();
    let mut previous: Option<String> = None;
    for (index, message) in hostile_messages().into_iter().enumerate() {
        let id = format!("h{index}");
        let revises = previous
            .as_ref()
            .map_or(String::new(), |parent| format!("-- revises: {parent}\n"));
        project.revision(
            &id,
            &format!(
                "-- revision: {id}\n{revises}-- message: {message}\n\n-- up\n\
                 CREATE TABLE t_{id} (x INTEGER);\n\n-- down\nDROP TABLE t_{id};\n"
            ),
        );
        expected.insert(id.clone(), message);
        previous = Some(id);
    }
    let dir = project.path("migrations");

    // The header's message is the text as written.
    let history = project
        .sqlmig()
        .args(["history", "--json"])
        .run()
        .success()
        .json();
    let parsed: BTreeMap<String, String> = history["revisions"]
        .as_array()
        .expect("history --json lists revisions")
        .iter()
        .map(|entry| {
            (
                entry["revision"].as_str().unwrap_or_default().to_owned(),
                entry["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(parsed == expected, "the parser changed a message");

    let script = emit(kind, &dir, &[]);
    let modes: &[Mode] = match kind {
        Kind::Postgres => &[Mode::AsDocumented, Mode::BackslashStrings],
        Kind::Mysql => &[
            Mode::AsDocumented,
            Mode::SqlModeFlag("NO_BACKSLASH_ESCAPES"),
            Mode::SqlModeFlag("ANSI_QUOTES"),
        ],
        Kind::Sqlite => &[Mode::AsDocumented],
    };
    for &mode in modes {
        let Some(database) = fresh(kind) else { return };
        ok(&database.client(&script, mode));
        assert_messages(&database, &expected, &format!("the script, {mode:?}"));
    }
    let Some(database) = fresh(kind) else { return };
    database.sqlmig(&dir, &["upgrade"]).success();
    assert_messages(&database, &expected, "online");
}

#[track_caller]
fn assert_messages(database: &Db, expected: &BTreeMap<String, String>, how: &str) {
    let stored: BTreeMap<String, String> = database
        .test
        .query("SELECT revision, message FROM sqlmig_revisions")
        .into_iter()
        .map(|row| {
            let mut values = row.into_iter().map(Option::unwrap_or_default);
            (
                values.next().unwrap_or_default(),
                values.next().unwrap_or_default(),
            )
        })
        .collect();
    let wrong: Vec<&String> = expected
        .iter()
        .filter(|(id, message)| stored.get(*id) != Some(message))
        .map(|(id, _)| id)
        .collect();
    let pwned = database.test.table_exists("pwned");
    figures::record(&[
        ("e4.cases", expected.len() as u64),
        ("e4.mismatches", wrong.len() as u64),
        ("e4.injections", u64::from(pwned)),
    ]);
    assert!(
        wrong.is_empty() && stored.len() == expected.len(),
        "{how}: messages of {wrong:?} differ from their headers (stored: {})",
        stored.len()
    );
    assert!(!pwned, "{how}: a message ran as SQL");
}

fn state_table_with_an_awkward_name_works_in_the_script(kind: Kind) {
    // Quotes inside the name; on SQLite, the name of the script's own
    // temporary guard table, which would hide the state table.
    let names: &[&str] = match kind {
        Kind::Postgres => &["--table", "my\"hist", "--schema", "Mixed Case"],
        Kind::Mysql => &["--table", "my`hist"],
        Kind::Sqlite => &["--table", "SQLMIG_GUARD"],
    };
    let fixture = fixture(kind);
    let dir = &fixture.dir;
    let Some(database) = fresh(kind) else { return };
    let script = Project::new()
        .sqlmig()
        .args(["--dir"])
        .args([dir])
        .args(names)
        .args(["emit", "--offline", "--dialect", kind.dialect_name()])
        .run()
        .success()
        .stdout();
    ok(&database.client(&script, Mode::AsDocumented));
    let with_names = |command: &'static str| [names, &[command]].concat();
    database.sqlmig(dir, &with_names("check")).success();
    database
        .sqlmig(dir, &with_names("upgrade"))
        .success()
        .stderr_has("nothing to do");
    // A second run stops at its guard.
    failed_with(
        &database.client(&script, Mode::AsDocumented),
        "is already recorded",
    );
}

// ---------------------------------------------------------------------------
// Snapshots

fn golden_script_matches_its_snapshot_and_is_reproducible(kind: Kind) {
    let name = kind.dialect_name();
    // Run in the fixture, so that the scripts name its files relatively.
    let render = || {
        Project::new()
            .sqlmig()
            .current_dir(repo("fixtures/emit/golden"))
            .args(["emit", "--offline", "--dialect", name])
            .run()
            .success()
            .stdout()
    };
    let script = render();
    assert!(script == render(), "two renderings of one project differ");
    // The version is not part of the snapshot: a release changes no golden file.
    let script = script.replace(
        &format!("sqlmig {}", env!("CARGO_PKG_VERSION")),
        "sqlmig [VERSION]",
    );

    let golden = repo(&format!("tests/golden/emit-{name}.sql"));
    if std::env::var_os("SQLMIG_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&golden, &script).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if expected != script {
        let actual = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("emit-{name}.sql"));
        std::fs::write(&actual, &script).expect("write the rendered script");
        panic!(
            "the {name} script differs from {}\n{}\nsee: diff -u {} {}\naccept the new script: SQLMIG_BLESS=1 cargo test golden_script",
            golden.display(),
            first_difference(&expected, &script),
            golden.display(),
            actual.display()
        );
    }
}

/// How many lines one text has that the other lacks, counted both ways
/// (a diff's `+` and `-` lines).
fn differing_lines(left: &str, right: &str) -> u64 {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for line in left.lines() {
        *counts.entry(line).or_default() += 1;
    }
    for line in right.lines() {
        *counts.entry(line).or_default() -= 1;
    }
    counts.values().map(|count| count.unsigned_abs()).sum()
}

/// The first line where two texts differ, with its number.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for number in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(left), Some(right)) if left == right => {}
            (None, None) => break,
            (left, right) => {
                return format!(
                    "line {number}:\n- {}\n+ {}",
                    left.unwrap_or("(end of file)"),
                    right.unwrap_or("(end of file)")
                );
            }
        }
    }
    String::from("(the texts differ only in their final newline)")
}

// ---------------------------------------------------------------------------
// The command line

#[test]
fn output_flag_writes_the_script_and_nothing_to_stdout() {
    let project = Project::new();
    let example = repo("migrations");
    let emit = |extra: &[&str]| {
        project
            .sqlmig()
            .args(["--dir"])
            .args([&example])
            .args(["emit", "--offline", "--dialect", "sqlite"])
            .args(extra)
            .run()
            .success()
    };
    let printed = emit(&[]).stdout();
    let written = emit(&["--output", "deploy.sql"]);
    assert_eq!(written.stdout(), "");
    assert_eq!(project.read("deploy.sql"), printed);
}

#[test]
fn offline_emit_without_dialect_or_database_url_fails_clearly() {
    let project = Project::new();
    let run = project
        .sqlmig()
        .args(["--dir"])
        .args([repo("migrations")])
        .args(["emit", "--offline"])
        .run()
        .failure()
        .stderr_has("no dialect for the script: pass --dialect");
    assert_eq!(run.stdout(), "");
}

#[test]
fn downgrade_script_needs_a_target_and_a_starting_revision() {
    let project = Project::new();
    let emit = |extra: &[&str]| {
        project
            .sqlmig()
            .args(["--dir"])
            .args([repo("migrations")])
            .args(["emit", "--offline", "--dialect", "sqlite", "--down"])
            .args(extra)
            .run()
            .failure()
    };
    emit(&[]).stderr_has("a downgrade script needs a TARGET");
    // Without --from the database would be assumed empty: nothing to revert.
    emit(&["base"]).stderr_has("needs --from REV");
}

#[test]
fn downgrade_through_a_revision_without_down_fails_before_writing_anything() {
    let project = Project::new();
    let run = project
        .sqlmig()
        .args(["--dir"])
        .args([repo("migrations")])
        .args([
            "emit",
            "--offline",
            "--dialect",
            "postgres",
            "--down",
            "--from",
            "head",
            "base",
            "--output",
            "rollback.sql",
        ])
        .run()
        .failure()
        .stderr_has("no `-- down` section")
        .stderr_has("a3c9e1f7b5d2");
    assert_eq!(run.stdout(), "");
    assert!(!project.path("rollback.sql").exists());
}
