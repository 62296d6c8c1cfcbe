//! B: failure semantics (docs/RELIABILITY.md §9 B1-B9). Where a failing
//! statement is reported, and what a crash at every point of a run leaves:
//! fault-injected aborts at each named point, real SIGKILLs during a long
//! revision and at random moments. After each, the database must match the
//! oracle and the next run must finish, or refuse as documented.

use std::time::{Duration, Instant};

use crate::harness::{
    Finished, Kind, Project, Random, Row, Running, TestDb, configure, fresh, history, pause,
    record, revision_text, scaled, side_effects,
};

on_each_dialect!(
    error_positions_match_the_file_for_every_line_ending_text_and_place,
    a_crash_at_any_point_leaves_whole_revisions_and_the_next_run_finishes,
    kill_during_a_long_revision_then_the_next_run_finishes_or_refuses,
);

// ---------------------------------------------------------------------------
// B1-B5: the exact file:line:col of a failing statement

/// The place in the file name of the failing revision's messages.
const BAD_FILE: &str = "migrations/002_bad.sql:";

/// `file:LINE:COL` of the first message naming the failing file.
fn reported_position(stderr: &str) -> Option<(u32, u32)> {
    let at = stderr.find(BAD_FILE)? + BAD_FILE.len();
    let mut numbers = stderr[at..].split(':');
    let line = numbers.next()?.parse().ok()?;
    let column = numbers.next()?.parse().ok()?;
    Some((line, column))
}

/// docs/RELIABILITY.md B1, B2, B3, B5: a syntax error in statement 1, 2 or 3 of
/// a revision, in a file with LF, CRLF or BOM + LF line endings, with ASCII
/// or multibyte text before the error on its line. The reported
/// `file:line:col` must be the error's own (the token the server points
/// at), counted in characters of the file; the revision is rolled back and
/// a fixed file then applies.
fn error_positions_match_the_file_for_every_line_ending_text_and_place(kind: Kind) {
    let project = Project::new();
    let Some(database) = fresh(kind, &project) else {
        return;
    };
    project.revision(
        "001_root",
        &revision_text(
            "root",
            &[],
            "CREATE TABLE t (x VARCHAR(20), y VARCHAR(20));",
            None,
        ),
    );
    configure(&project, &database, "");
    let good = "INSERT INTO t (x, y) VALUES ('a', 'b');";
    let (mut cases, mut lines_exact, mut columns_exact) = (0u64, 0u64, 0u64);
    let mut misses = Vec::new();
    for (ending, bom) in [("\n", false), ("\r\n", false), ("\n", true)] {
        for multibyte in [false, true] {
            let (first, second) = if multibyte { ("é", "ü") } else { ("e", "u") };
            for place in 0..3 {
                // The failing statement spans two lines; `oops` is the error.
                let failing_line = format!("VALUES ('{first}', '{second}' oops);");
                let failing = format!("INSERT INTO t (x, y)\n{failing_line}");
                let mut statements = vec![good.to_owned(), good.to_owned()];
                statements.insert(place, failing);
                let header = format!(
                    "-- revision: bad\n-- revises: root\n-- message: {} before the error\n\n-- up\n",
                    if multibyte { "ünïcödé" } else { "ascii" }
                );
                let text = format!("{header}{}\n", statements.join("\n"));
                let expected_line = text
                    .lines()
                    .position(|line| line == failing_line)
                    .expect("the failing line") as u32
                    + 1;
                let expected_column = failing_line
                    .find("oops")
                    .map(|byte| failing_line[..byte].chars().count() as u32 + 1)
                    .expect("oops");
                let mut bytes = if bom {
                    "\u{feff}".to_owned()
                } else {
                    String::new()
                };
                bytes.push_str(&text.replace('\n', ending));
                project.write("migrations/002_bad.sql", bytes);

                let run = project.sqlmig().args(["upgrade"]).run();
                let stderr = run.stderr();
                let case = format!(
                    "ending {ending:?}, BOM {bom}, multibyte {multibyte}, statement {} of 3",
                    place + 1
                );
                cases += 1;
                let reported = reported_position(&stderr);
                match reported {
                    Some((line, column)) => {
                        lines_exact += u64::from(line == expected_line);
                        columns_exact += u64::from(column == expected_column);
                        if (line, column) != (expected_line, expected_column) {
                            misses.push(format!(
                                "{case}: reported {line}:{column}, expected {expected_line}:{expected_column}\n{stderr}"
                            ));
                        }
                    }
                    None => misses.push(format!("{case}: no position\n{stderr}")),
                }
                if run.code() != Some(1)
                    || stderr.contains("panicked at")
                    || !stderr.contains("revision bad")
                    || !stderr.contains(&format!("statement {} of 3", place + 1))
                {
                    misses.push(format!("{case}: unexpected outcome\n{stderr}"));
                }
                if database.applied() != ["root"]
                    || database.column("SELECT COUNT(*) FROM t") != ["0"]
                {
                    misses.push(format!("{case}: the revision was not rolled back"));
                }
            }
        }
    }
    eprintln!(
        "{kind:?}: {cases} error positions, {lines_exact} exact lines, {columns_exact} exact columns"
    );
    record(&[
        ("b.position_cases", cases),
        ("b.lines_exact", lines_exact),
        ("b.columns_exact", columns_exact),
    ]);
    assert!(misses.is_empty(), "{}", misses.join("\n\n"));

    // Fixed, the revision applies.
    project.write(
        "migrations/002_bad.sql",
        project.read("migrations/002_bad.sql").replace(" oops", ""),
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied(), ["bad", "root"]);
    assert_eq!(database.column("SELECT COUNT(*) FROM t"), ["3"]);
}

// ---------------------------------------------------------------------------
// B9 and every other fault point: crash, look, rerun

/// Five revisions; `r3` is DML only, so it runs in a transaction on every
/// dialect, and `r2` creates a table (outside a transaction on MariaDB).
fn crash_fixture(project: &Project) {
    project.chain(
        &[
            (
                "r1",
                "CREATE TABLE applied_log (revision VARCHAR(64) NOT NULL);\nCREATE TABLE a1 (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('r1');",
            ),
            (
                "r2",
                "CREATE TABLE a2 (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('r2');",
            ),
            (
                "r3",
                "INSERT INTO a1 (x) VALUES (1);\nINSERT INTO a1 (x) VALUES (2);\nINSERT INTO applied_log (revision) VALUES ('r3');",
            ),
            (
                "r4",
                "CREATE TABLE a4 (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('r4');",
            ),
            (
                "r5",
                "CREATE TABLE a5 (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('r5');",
            ),
        ],
    );
}

const CRASH_REVISIONS: [&str; 5] = ["r1", "r2", "r3", "r4", "r5"];

/// What the database must hold after a crash at `point`: the revisions
/// wholly applied, in order.
fn applied_after_crash_at(point: &str) -> usize {
    match point {
        "after_lock" => 0,
        "after_commit:r2" => 2,
        "after_commit:r3" => 3,
        "before_unlock" => 5,
        // Anything inside r3 before its commit: r3 is rolled back.
        _ => 2,
    }
}

/// The oracle: the state rows are exactly the first `applied` revisions,
/// all `applied` (no running, failed or dirty marker), each of their side
/// effects happened once and no other did, and `r3`'s rows are there only
/// with `r3`. Returns what is wrong.
fn check_whole_revisions(database: &TestDb, applied: usize) -> Vec<String> {
    let mut wrong = Vec::new();
    let rows = history(database);
    let expected: Vec<&str> = CRASH_REVISIONS[..applied].to_vec();
    let recorded: Vec<&str> = rows.iter().map(|row| row.revision.as_str()).collect();
    if recorded != expected {
        wrong.push(format!("state rows {recorded:?}, expected {expected:?}"));
    }
    let dirty: Vec<&Row> = rows.iter().filter(|row| row.state != "applied").collect();
    if !dirty.is_empty() {
        wrong.push(format!("rows left unfinished: {dirty:?}"));
    }
    let effects = side_effects(database);
    let logged: Vec<(&str, u64)> = effects
        .iter()
        .map(|(revision, count)| (revision.as_str(), *count))
        .collect();
    let expected_effects: Vec<(&str, u64)> = expected.iter().map(|id| (*id, 1)).collect();
    if logged != expected_effects {
        wrong.push(format!(
            "side effects {logged:?}, expected {expected_effects:?}"
        ));
    }
    if database.table_exists("a1") {
        let rows_of_r3 = database.column("SELECT COUNT(*) FROM a1");
        let expected_rows = if applied >= 3 { "2" } else { "0" };
        if rows_of_r3 != [expected_rows] {
            wrong.push(format!(
                "a1 holds {rows_of_r3:?} rows, expected {expected_rows}"
            ));
        }
    }
    wrong
}

/// docs/RELIABILITY.md B9 (golang-migrate#325, sqlx#1966) and the fault points
/// of §9.0: the process aborts (as kill -9 would end it) after taking the
/// lock, before and after r3's statements, before its state write, before
/// and after its commit, after r2's commit, and before the unlock. Every
/// time, each revision is wholly applied or wholly absent with no dirty
/// marker, the lock died with the process, and the next run applies the
/// rest exactly once.
fn a_crash_at_any_point_leaves_whole_revisions_and_the_next_run_finishes(kind: Kind) {
    let points = [
        "after_lock",
        "before_stmt:r3:1",
        "after_stmt:r3:1",
        "after_stmt:r3:3",
        "before_history_write:r3",
        "before_commit:r3",
        "after_commit:r3",
        "after_commit:r2",
        "before_unlock",
    ];
    let mut problems = Vec::new();
    let (mut consistent, mut dirty_after_commit) = (0u64, 0u64);
    for point in points {
        let project = Project::new();
        let Some(database) = fresh(kind, &project) else {
            return;
        };
        crash_fixture(&project);
        configure(&project, &database, "");
        let crashed = project
            .sqlmig()
            .args(["upgrade"])
            .env("SQLMIG_FAULT", &format!("{point}=abort"))
            .run();
        let mut wrong = Vec::new();
        if !crashed
            .stderr()
            .contains(&format!("sqlmig-fault: {point} Abort"))
        {
            wrong.push(format!("the fault did not fire\n{}", crashed.stderr()));
        }
        wrong.extend(check_whole_revisions(
            &database,
            applied_after_crash_at(point),
        ));
        if point.starts_with("after_commit") {
            let dirty = history(&database)
                .iter()
                .filter(|row| row.state != "applied")
                .count() as u64;
            dirty_after_commit += dirty;
        }
        // The lock went with the process: the next run does not wait.
        let rerun = project
            .sqlmig()
            .args(["upgrade", "--lock-timeout", "10s"])
            .run();
        if rerun.code() != Some(0) {
            wrong.push(format!("the next run failed\n{}", rerun.stderr()));
        }
        wrong.extend(check_whole_revisions(&database, 5));
        consistent += u64::from(wrong.is_empty());
        if !wrong.is_empty() {
            problems.push(format!("{kind:?}, crash at {point}: {}", wrong.join("; ")));
        }
    }
    record(&[
        ("b.crash_points", points.len() as u64),
        ("b.crash_points_consistent", consistent),
        ("b9.runs", 2),
        ("b9.dirty", dirty_after_commit),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

// ---------------------------------------------------------------------------
// B6: kill -9 during a long revision

/// Polls `done` until it holds, for at most `limit`; returns when it did.
fn time_until(limit: Duration, mut done: impl FnMut() -> bool) -> Option<Instant> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return Some(Instant::now());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    None
}

/// Whether the migration lock of `database` is free now.
fn lock_is_free(kind: Kind, database: &TestDb) -> bool {
    match kind {
        Kind::Postgres => database
            .column(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .first()
            .is_some_and(|count| count == "0"),
        Kind::Mysql => {
            let name =
                sqlmig::backend::MysqlBackend::lock_name(database.name(), "`sqlmig_revisions`");
            database.column(&format!("SELECT IS_FREE_LOCK('{name}')")) == ["1"]
        }
        // The lock is an flock on the file, which dies with the process.
        Kind::Sqlite => true,
    }
}

/// docs/RELIABILITY.md B6: SIGKILL to sqlmig in the middle of a long statement
/// of r3. On PostgreSQL and SQLite r3 is one transaction: its table never
/// becomes visible, the next run waits for the orphaned server session to
/// let go of the lock and applies r3 to r5 exactly once. On MariaDB r3 is
/// DDL, recorded as running with the one statement that ran; the next run
/// refuses it and runs nothing. Reports how long the lock outlived the
/// process.
fn kill_during_a_long_revision_then_the_next_run_finishes_or_refuses(kind: Kind) {
    let project = Project::new();
    let Some(database) = fresh(kind, &project) else {
        return;
    };
    // MariaDB does not notice a vanished client during SLEEP(): keep its
    // orphan short.
    let long = match kind {
        Kind::Postgres => pause(kind, 10.0),
        Kind::Mysql => pause(kind, 6.0),
        Kind::Sqlite => pause(kind, 4.0),
    };
    project.chain(
        &[
            (
                "r1",
                "CREATE TABLE applied_log (revision VARCHAR(64) NOT NULL);\nINSERT INTO applied_log (revision) VALUES ('r1');",
            ),
            ("r2", "INSERT INTO applied_log (revision) VALUES ('r2');"),
            (
                "r3",
                &format!(
                    "CREATE TABLE t3 (x INTEGER);\n{long}\nINSERT INTO t3 (x) VALUES (1);\nINSERT INTO applied_log (revision) VALUES ('r3');"
                ),
            ),
            ("r4", "INSERT INTO applied_log (revision) VALUES ('r4');"),
            ("r5", "INSERT INTO applied_log (revision) VALUES ('r5');"),
        ],
    );
    configure(&project, &database, "");
    let mut first = Running::start(
        project
            .sqlmig()
            .args(["upgrade"])
            .env("SQLMIG_FAULT", "before_stmt:r3:2=sleep:0"),
    );
    first.wait_for("sqlmig-fault: before_stmt:r3:2", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(500));
    first.kill();
    let killed = Instant::now();
    let first = first.finish();
    assert_eq!(first.signal(), Some(9), "{}", first.describe());

    let visible_after_kill = database.table_exists("t3");
    let second = Running::start(project.sqlmig().args(["upgrade", "--lock-timeout", "60s"]));
    let released = time_until(Duration::from_secs(60), || lock_is_free(kind, &database));
    let second = second.finish();
    let release_ms = released.map_or(60_000, |at| (at - killed).as_millis() as u64);
    eprintln!(
        "{kind:?}: the lock was free {release_ms} ms after the SIGKILL; the next run took {:.2?}",
        second.ended - second.started
    );
    record(&[(
        match kind {
            Kind::Postgres => "b6.postgres_release_ms_max",
            Kind::Mysql => "b6.mysql_release_ms_max",
            Kind::Sqlite => "b6.sqlite_release_ms_max",
        },
        release_ms,
    )]);
    if kind == Kind::Postgres {
        // See: docs/RELIABILITY.md B6; the orphan noticed its client was gone.
        assert!(release_ms < 5_000, "the orphaned backend kept the lock");
    }
    match kind {
        Kind::Postgres | Kind::Sqlite => {
            assert!(!visible_after_kill, "r3's table showed before it committed");
            assert_eq!(second.code(), Some(0), "{}", second.describe());
            assert_eq!(
                database.applied(),
                ["r1", "r2", "r3", "r4", "r5"],
                "{}",
                second.describe()
            );
            assert_eq!(database.column("SELECT COUNT(*) FROM t3"), ["1"]);
            assert!(side_effects(&database).iter().all(|(_, count)| *count == 1));
        }
        Kind::Mysql => {
            assert_eq!(second.code(), Some(1), "{}", second.describe());
            assert!(
                second
                    .stderr
                    .contains("revision r3 was interrupted while applying outside a transaction after 1 statement(s)"),
                "{}",
                second.describe()
            );
            let rows = history(&database);
            let r3 = rows.iter().find(|row| row.revision == "r3");
            assert_eq!(
                r3.map(|row| (row.state.as_str(), row.statements_run)),
                Some(("running", 1)),
                "{rows:?}"
            );
            assert!(database.table_exists("t3"), "statement 1 ran");
            assert_eq!(
                database.column("SELECT COUNT(*) FROM t3"),
                ["0"],
                "nothing after the kill ran"
            );
            assert_eq!(database.applied(), ["r1", "r2"]);
        }
    }
}

// ---------------------------------------------------------------------------
// B7: random kills on SQLite

/// The SQLite revisions of B7: `big` inserts 200,000 rows and then creates
/// three tables; each revision logs itself.
fn big_fixture(project: &Project) {
    project.chain(
        &[
            (
                "r1",
                "CREATE TABLE applied_log (revision VARCHAR(64) NOT NULL);\nINSERT INTO applied_log (revision) VALUES ('r1');",
            ),
            (
                "big",
                "CREATE TABLE big (x INTEGER);\nINSERT INTO big WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x FROM c;\nCREATE TABLE b1 (x INTEGER);\nCREATE TABLE b2 (x INTEGER);\nCREATE TABLE b3 (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('big');",
            ),
            (
                "r3",
                "CREATE TABLE c3 (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('r3');",
            ),
        ],
    );
}

/// What is wrong with a B7 database: each revision must be recorded
/// exactly when all of its effects are there, and none otherwise.
fn check_sqlite_consistency(database: &TestDb) -> Vec<String> {
    let mut wrong = Vec::new();
    let integrity = database.column("PRAGMA integrity_check");
    if integrity != ["ok"] {
        wrong.push(format!("integrity_check: {integrity:?}"));
    }
    let rows = history(database);
    if rows.iter().any(|row| row.state != "applied") {
        wrong.push(format!("unfinished rows: {rows:?}"));
    }
    let applied = |id: &str| rows.iter().any(|row| row.revision == id);
    let effects = side_effects(database);
    let logged = |id: &str| {
        effects
            .iter()
            .find(|(revision, _)| revision == id)
            .map_or(0, |(_, count)| *count)
    };
    let tables: [(&str, &[&str]); 3] = [
        ("r1", &["applied_log"]),
        ("big", &["big", "b1", "b2", "b3"]),
        ("r3", &["c3"]),
    ];
    for (id, its_tables) in tables {
        let present = its_tables
            .iter()
            .filter(|table| database.table_exists(table))
            .count();
        let whole = applied(id) && present == its_tables.len() && logged(id) == 1;
        let absent = !applied(id) && present == 0 && logged(id) == 0;
        if !(whole || absent) {
            wrong.push(format!(
                "revision {id} is partial: recorded {}, {present} of {} tables, logged {}",
                applied(id),
                its_tables.len(),
                logged(id)
            ));
        }
        if id == "big" && present > 0 {
            let count = database.column("SELECT COUNT(*) FROM big");
            if count != ["200000"] {
                wrong.push(format!("big holds {count:?} rows"));
            }
        }
    }
    wrong
}

/// docs/RELIABILITY.md B7: SIGKILL at a uniformly random moment of a run whose
/// middle revision inserts 200,000 rows, 20 times (50 with `SQLMIG_SOAK`),
/// in rollback-journal and WAL mode. Every time SQLite recovers a whole
/// database: each revision is recorded exactly when all of its effects are
/// there, and the next run finishes exactly once.
#[test]
fn sqlite_random_kills_always_leave_whole_revisions() {
    // How long an undisturbed run takes, to spread the kills over it.
    let timing = Project::new();
    let timed = TestDb::sqlite(&timing);
    big_fixture(&timing);
    configure(&timing, &timed, "");
    let started = Instant::now();
    timing.sqlmig().args(["upgrade"]).run().success();
    let full = started.elapsed();

    let iterations = scaled(20, 50);
    let mut random = Random::new("B7 random kills");
    let (mut consistent, mut partial, mut rerun_failures) = (0u64, 0u64, 0u64);
    let mut problems = Vec::new();
    for iteration in 0..iterations {
        let project = Project::new();
        let database = TestDb::sqlite(&project);
        big_fixture(&project);
        let wal = iteration % 2 == 1;
        configure(
            &project,
            &database,
            if wal {
                "init_sql = [\"PRAGMA journal_mode = WAL\"]\n"
            } else {
                ""
            },
        );
        let delay = Duration::from_micros(random.below(full.as_micros() as u64 * 11 / 10));
        let mut run = Running::start(project.sqlmig().args(["upgrade"]));
        std::thread::sleep(delay);
        run.kill();
        let run: Finished = run.finish();
        let killed = run.signal() == Some(9);
        let mut wrong = check_sqlite_consistency(&database);
        partial += u64::from(wrong.iter().any(|problem| problem.contains("partial")));
        let rerun = project.sqlmig().args(["upgrade"]).run();
        if rerun.code() != Some(0) {
            rerun_failures += 1;
            wrong.push(format!("the next run failed: {}", rerun.stderr()));
        }
        let after = check_sqlite_consistency(&database);
        if !after.is_empty() || database.applied().len() != 3 {
            wrong.push(format!("after the next run: {after:?}"));
        }
        consistent += u64::from(wrong.is_empty());
        if !wrong.is_empty() {
            problems.push(format!(
                "iteration {iteration} (kill after {delay:?}, WAL {wal}, killed {killed}): {}",
                wrong.join("; ")
            ));
        }
    }
    eprintln!("B7: a full run takes {full:.2?}; {consistent}/{iterations} consistent");
    record(&[
        ("b7.runs", iterations as u64),
        ("b7.consistent", consistent),
        ("b7.partial", partial),
        ("b7.rerun_failures", rerun_failures),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// B8: MariaDB revisions interrupted part-way

/// Tables that the first `statements` statements of B8's revision create:
/// statement 2k-1 creates table k, statement 2k pauses.
fn tables_after(statements: u64) -> u64 {
    statements.div_ceil(2)
}

/// docs/RELIABILITY.md B8: a MariaDB revision of 20 `CREATE TABLE` statements,
/// each followed by a pause, interrupted by SIGKILL at random moments and
/// by aborts right after statements 1, 19 and 39 (tables 1, 10 and 20),
/// before their progress is written. sqlmig must never re-run it silently
/// nor mark it applied: the recorded statement count k matches the tables
/// that exist (or is one short, for a kill between a statement and its
/// progress write), and the next `upgrade` refuses and changes nothing.
#[test]
fn mariadb_interrupted_revisions_are_never_rerun_silently() {
    let random_kills = scaled(10, 20);
    let deterministic = [1u64, 19, 39];
    let mut random = Random::new("B8 random kills");
    let mut statements = Vec::new();
    for table in 1..=20 {
        statements.push(format!("CREATE TABLE t{table:02} (x INTEGER);"));
        statements.push(pause(Kind::Mysql, 0.05));
    }
    let up = statements.join("\n");
    let (mut silent, mut wrong_applied, mut refused) = (0u64, 0u64, 0u64);
    let (mut exact, mut one_short, mut other) = (0u64, 0u64, 0u64);
    let mut problems = Vec::new();
    let runs = random_kills + deterministic.len();
    for run in 0..runs {
        let project = Project::new();
        let Some(database) = TestDb::mysql() else {
            return;
        };
        // `after` is DML only, so a kill inside it leaves it whole or absent.
        project.chain(&[("big", &up), ("after", "INSERT INTO t01 (x) VALUES (1);")]);
        configure(&project, &database, "");
        let case = if let Some(&statement) = deterministic.get(run.wrapping_sub(random_kills)) {
            let crashed = project
                .sqlmig()
                .args(["upgrade"])
                .env("SQLMIG_FAULT", &format!("after_stmt:big:{statement}=abort"))
                .run();
            assert!(
                crashed.stderr().contains("sqlmig-fault"),
                "{}",
                crashed.stderr()
            );
            format!("abort after statement {statement}")
        } else {
            let delay = Duration::from_millis(100 + random.below(1_400));
            let mut running = Running::start(project.sqlmig().args(["upgrade"]));
            std::thread::sleep(delay);
            running.kill();
            running.finish();
            format!("SIGKILL after {delay:?}")
        };
        // The server frees the lock once it sees the connection gone.
        time_until(Duration::from_secs(10), || {
            lock_is_free(Kind::Mysql, &database)
        });

        let tables = |database: &TestDb| -> u64 {
            (1..=20)
                .filter(|table| database.table_exists(&format!("t{table:02}")))
                .count() as u64
        };
        let before_rerun = (history(&database), tables(&database));
        let row = before_rerun
            .0
            .iter()
            .find(|row| row.revision == "big")
            .cloned();
        let present = before_rerun.1;
        let rerun = project.sqlmig().args(["upgrade"]).run();
        let after_rerun = (history(&database), tables(&database));
        let mut wrong = Vec::new();
        match &row {
            None => {
                // Killed before the revision started: nothing of it may exist,
                // and the next run applies it whole.
                if present != 0 {
                    wrong.push(format!("{present} tables exist without a state row"));
                }
                if rerun.code() != Some(0) || after_rerun.1 != 20 {
                    wrong.push(format!("the next run did not apply it\n{}", rerun.stderr()));
                }
            }
            Some(row) if row.state == "applied" => {
                if present != 20 {
                    wrong_applied += 1;
                    wrong.push(format!("marked applied with {present} tables"));
                }
                if rerun.code() != Some(0) {
                    wrong.push(format!("the next run failed\n{}", rerun.stderr()));
                }
            }
            Some(row) => {
                let k = row.statements_run;
                if tables_after(k) == present {
                    exact += 1;
                } else if tables_after(k + 1) == present {
                    one_short += 1;
                } else {
                    other += 1;
                    wrong.push(format!(
                        "recorded {k} statements but {present} tables exist"
                    ));
                }
                let refusal = rerun.code() == Some(1)
                    && rerun.stderr().contains("revision big")
                    && (rerun.stderr().contains("interrupted")
                        || rerun.stderr().contains("failed"));
                refused += u64::from(refusal);
                if !refusal || after_rerun != before_rerun {
                    silent += 1;
                    wrong.push(format!(
                        "the next run did not refuse and leave everything as it was\n{}",
                        rerun.stderr()
                    ));
                }
            }
        }
        if !wrong.is_empty() {
            problems.push(format!("{case}: row {row:?}: {}", wrong.join("; ")));
        }
    }
    eprintln!(
        "B8: {runs} interruptions: recorded = actual {exact}, one short {one_short}, other {other}, refused {refused}"
    );
    record(&[
        ("b8.runs", runs as u64),
        ("b8.silent_reruns", silent),
        ("b8.wrong_applied", wrong_applied),
        ("b8.refused", refused),
        ("b8.recorded_exact", exact),
        ("b8.recorded_one_short", one_short),
        ("b8.recorded_other", other),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
