//! A: concurrency (docs/RELIABILITY.md §9 A1-A4, A6, A7, A10, A11). Runners start
//! together on an empty database; a side-effect log that no key protects
//! shows any double application. The lock timeout naming its holder (A5),
//! the killed lock connection (A6) and `CREATE INDEX CONCURRENTLY` with one
//! waiter (A7) have their single-run tests in `tests/postgres.rs`,
//! `tests/mysql.rs` and `tests/sqlite.rs`; here A7 is repeated.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::harness::{
    Finished, Kind, Project, Running, TestDb, configure, fresh, history, pause, record, scaled,
    side_effects,
};

on_each_dialect!(
    runners_on_an_empty_database_apply_every_revision_exactly_once,
    runs_on_two_databases_overlap_and_runs_on_one_take_turns,
    a_runner_that_waited_for_the_lock_plans_from_what_the_holder_left,
);

/// Messages that would mean two runners raced past the lock.
const RACE_SYMPTOMS: [&str; 6] = [
    "duplicate key",
    "already exists",
    "Duplicate entry",
    "database is locked",
    "pg_type_typname_nsp_index",
    "deadlock",
];

/// `root` creates the side-effect log; each of `revisions` more creates a
/// table and an index, logs itself and pauses, so runners overlap.
fn logged_chain(project: &Project, kind: Kind, revisions: usize) -> Vec<String> {
    project.logged_chain(revisions, |id| {
        format!("CREATE INDEX i_{id} ON t_{id} (x);\n{}", pause(kind, 0.02))
    })
}

/// docs/RELIABILITY.md A6: while runners race, samples every 50 ms whether a
/// session running a migration statement (a revision's or a state-table
/// write) is the one holding the advisory lock. Statements before the lock
/// (connecting, init_sql, the lock polls) are not migration statements.
/// Returns (samples with one running, the statements seen without the lock).
fn sample_lock_holders(database: &TestDb, stop: &AtomicBool) -> (u64, Vec<String>) {
    let (mut samples, mut unlocked) = (0, Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let rows = database.query(
            "SELECT a.query, EXISTS ( \
               SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = a.pid) \
             FROM pg_stat_activity a \
             WHERE a.datname = current_database() AND a.application_name LIKE 'sqlmig/%' \
               AND a.state = 'active' \
               AND (a.query LIKE '%applied_log%' OR a.query LIKE '%t\\_r0%' \
                    OR a.query LIKE '%pg_sleep%' OR a.query LIKE '%sqlmig_revisions%')",
        );
        if !rows.is_empty() {
            samples += 1;
        }
        for row in rows {
            if row.get(1).cloned().flatten().as_deref() != Some("t") {
                unlocked.push(row.first().cloned().flatten().unwrap_or_default());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (samples, unlocked)
}

/// docs/RELIABILITY.md A1-A4: 2, 4 and 8 runners start together on a database
/// with no state table. Every runner exits 0, exactly one applies
/// everything, each revision's side effect happens once, and no runner
/// shows a symptom of a race (a duplicate key, an existing table, SQLite's
/// "database is locked"). SQLite alternates rollback-journal and WAL mode.
fn runners_on_an_empty_database_apply_every_revision_exactly_once(kind: Kind) {
    let revisions = scaled(12, 40);
    let mut problems = Vec::new();
    for processes in [2, 4, 8] {
        let iterations = if processes == 8 {
            scaled(2, 30)
        } else {
            scaled(2, 20)
        };
        for iteration in 0..iterations {
            let project = Project::new();
            let Some(database) = fresh(kind, &project) else {
                return;
            };
            let ids = logged_chain(&project, kind, revisions);
            let wal = kind == Kind::Sqlite && iteration % 2 == 1;
            configure(
                &project,
                &database,
                if wal {
                    "init_sql = [\"PRAGMA journal_mode = WAL\"]\n"
                } else {
                    ""
                },
            );
            let stop = AtomicBool::new(false);
            let started = Instant::now();
            let (finished, (samples, unlocked)) = std::thread::scope(|scope| {
                let sampler = (kind == Kind::Postgres)
                    .then(|| scope.spawn(|| sample_lock_holders(&database, &stop)));
                let runners: Vec<Running> = (0..processes)
                    .map(|_| {
                        Running::start(project.sqlmig().args([
                            "upgrade",
                            "--json",
                            "--lock-timeout",
                            "120s",
                        ]))
                    })
                    .collect();
                let finished: Vec<Finished> = runners.into_iter().map(Running::finish).collect();
                stop.store(true, Ordering::Relaxed);
                let sampled = sampler.map_or((0, Vec::new()), |sampler| {
                    sampler.join().expect("the lock sampler")
                });
                (finished, sampled)
            });
            let took = started.elapsed();
            let case = format!(
                "{processes} runners, iteration {iteration}{}",
                if wal { " (WAL)" } else { "" }
            );

            let mut failed = 0;
            let mut symptoms = 0;
            let mut applied_by = Vec::new();
            for run in &finished {
                if run.code() != Some(0) {
                    failed += 1;
                    problems.push(format!("{case}: a runner failed\n{}", run.describe()));
                }
                if RACE_SYMPTOMS.iter().any(|text| run.stderr.contains(text)) {
                    symptoms += 1;
                    problems.push(format!("{case}: a race shows\n{}", run.describe()));
                }
                let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
                applied_by.push(json["revisions"].as_array().map_or(0, Vec::len));
            }
            applied_by.sort_unstable();
            let mut one_applier = vec![0; processes - 1];
            one_applier.push(ids.len());
            if applied_by != one_applier {
                problems.push(format!(
                    "{case}: revisions applied per runner {applied_by:?}, expected {one_applier:?}"
                ));
            }
            let rows = history(&database);
            if rows.len() != ids.len() || rows.iter().any(|row| row.state != "applied") {
                problems.push(format!("{case}: the state table holds {rows:?}"));
            }
            let effects = side_effects(&database);
            let duplicates: u64 = effects.iter().map(|(_, count)| count - 1).sum::<u64>()
                + (revisions - effects.len()) as u64;
            if duplicates > 0 {
                problems.push(format!("{case}: side effects {effects:?}"));
            }
            let mismatches = unlocked.len() as u64;
            if mismatches > 0 {
                problems.push(format!(
                    "{case}: {mismatches} of {samples} samples show a migration statement on a session without the lock: {unlocked:?}"
                ));
            }
            eprintln!(
                "{kind:?} {case}: {took:.2?}, applied per runner {applied_by:?}, lock samples {samples}"
            );
            record(&[
                ("a.runs", 1),
                ("a.processes", processes as u64),
                ("a.failed_processes", failed),
                ("a.race_symptoms", symptoms),
                ("a.duplicates", duplicates),
                ("a6.samples", samples),
                ("a6.mismatches", mismatches),
                ("a.wall_max_ms", took.as_millis() as u64),
            ]);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// When a runner held the lock, from its `after_lock` and `before_unlock`
/// fault lines.
fn lock_interval(run: &mut Running) -> (Instant, Instant) {
    let taken = run.wait_for("sqlmig-fault: after_lock", Duration::from_secs(30));
    let released = run.wait_for("sqlmig-fault: before_unlock", Duration::from_secs(30));
    (taken, released)
}

/// How long two intervals overlap, in milliseconds (negative: a gap).
fn overlap_ms(first: (Instant, Instant), second: (Instant, Instant)) -> i128 {
    let start = first.0.max(second.0);
    let end = first.1.min(second.1);
    if end >= start {
        (end - start).as_millis() as i128
    } else {
        -((start - end).as_millis() as i128)
    }
}

/// A runner that holds the lock for 1.5 s after taking it.
fn slow_runner(project: &Project) -> Running {
    Running::start(
        project
            .sqlmig()
            .args(["upgrade", "--lock-timeout", "30s"])
            .env(
                "SQLMIG_FAULT",
                "after_lock=sleep:1500,before_unlock=sleep:0",
            ),
    )
}

/// docs/RELIABILITY.md A10 (sqitch#670): the lock belongs to one database. Runs
/// on two databases of one server (on MariaDB, two schemas; on SQLite, two
/// files) hold their locks at the same time; two runs on one database take
/// turns.
fn runs_on_two_databases_overlap_and_runs_on_one_take_turns(kind: Kind) {
    let (first_project, second_project) = (Project::new(), Project::new());
    let (Some(first), Some(second)) = (fresh(kind, &first_project), fresh(kind, &second_project))
    else {
        return;
    };
    for (project, database) in [(&first_project, &first), (&second_project, &second)] {
        project.chain(&[("one", "CREATE TABLE one (x INTEGER);")]);
        configure(project, database, "");
    }

    let (mut a, mut b) = (slow_runner(&first_project), slow_runner(&second_project));
    let (a_held, b_held) = (lock_interval(&mut a), lock_interval(&mut b));
    let (a_first, b_first) = (a.finish(), b.finish());
    let apart = overlap_ms(a_held, b_held);

    let mut a = slow_runner(&first_project);
    let a_taken = a.wait_for("sqlmig-fault: after_lock", Duration::from_secs(30));
    let mut b = slow_runner(&first_project);
    let a_released = a.wait_for("sqlmig-fault: before_unlock", Duration::from_secs(30));
    let a_held_again = (a_taken, a_released);
    let b_held_again = lock_interval(&mut b);
    let (a_again, b_again) = (a.finish(), b.finish());
    let together = overlap_ms(a_held_again, b_held_again);

    eprintln!(
        "{kind:?}: locks on two databases overlapped {apart} ms; on one database {together} ms"
    );
    let passed = u64::from(apart > 1000) + u64::from(together < 0);
    record(&[
        ("a10.cases", 2),
        ("a10.passed", passed),
        ("a10.apart_overlap_min_ms", apart.max(0) as u64),
    ]);
    for run in [&a_first, &b_first, &a_again, &b_again] {
        assert_eq!(run.code(), Some(0), "{}", run.describe());
    }
    assert!(apart > 1000, "two databases blocked each other: {apart} ms");
    assert!(
        together < 0,
        "two runs on one database held the lock together for {together} ms"
    );
    assert!(
        b_again.stderr.contains("waiting for"),
        "the second runner said it waited\n{}",
        b_again.describe()
    );
    assert_eq!(first.applied(), ["one"]);
    assert_eq!(second.applied(), ["one"]);
}

/// docs/RELIABILITY.md A11 (sqitch#579): a runner that starts while another
/// holds the lock plans only once it has the lock, so it finds everything
/// applied and exits 0 with nothing to do, instead of failing on a revision
/// that was pending when it started.
fn a_runner_that_waited_for_the_lock_plans_from_what_the_holder_left(kind: Kind) {
    let project = Project::new();
    let Some(database) = fresh(kind, &project) else {
        return;
    };
    let ids = logged_chain(&project, kind, 5);
    configure(&project, &database, "");
    let mut holder = Running::start(
        project
            .sqlmig()
            .args(["upgrade", "--json"])
            .env("SQLMIG_FAULT", "after_lock=sleep:2000"),
    );
    holder.wait_for("sqlmig-fault: after_lock", Duration::from_secs(30));
    let waiter = Running::start(project.sqlmig().args(["upgrade", "--lock-timeout", "30s"]));
    let (holder, waiter) = (holder.finish(), waiter.finish());
    let ok = holder.code() == Some(0)
        && waiter.code() == Some(0)
        && waiter.stderr.contains("waiting for")
        && waiter.stderr.contains("nothing to do")
        && !waiter.stderr.contains("error");
    record(&[("a11.runs", 1), ("a11.passed", u64::from(ok))]);
    assert_eq!(holder.code(), Some(0), "{}", holder.describe());
    assert!(ok, "{}", waiter.describe());
    assert_eq!(history(&database).len(), ids.len());
    assert!(side_effects(&database).iter().all(|(_, count)| *count == 1));
}

/// docs/RELIABILITY.md A7, repeated (flyway#1654, #3497, golang-migrate#960):
/// the holder's `CREATE INDEX CONCURRENTLY` waits for every transaction in
/// the database, so a waiter that polled inside a transaction, or blocked in
/// `pg_advisory_lock`, would deadlock with it. Both runners exit 0, the
/// index is valid, and nothing says "deadlock".
#[test]
fn postgres_create_index_concurrently_never_deadlocks_with_a_waiting_runner() {
    let runs = scaled(5, 20);
    let mut problems = Vec::new();
    for run in 0..runs {
        let project = Project::new();
        let Some(database) = fresh(Kind::Postgres, &project) else {
            return;
        };
        project
            .revision(
                "1",
                &crate::harness::revision_text(
                    "big",
                    &[],
                    "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 100000) g;",
                    None,
                ),
            )
            .revision(
                "2",
                "-- revision: index\n-- revises: big\n-- transaction: false\n\n-- up\nCREATE INDEX CONCURRENTLY big_v ON big (v);\n",
            );
        configure(&project, &database, "");
        let started = Instant::now();
        let mut holder = Running::start(
            project
                .sqlmig()
                .args(["upgrade"])
                .env("SQLMIG_FAULT", "before_stmt:index:1=sleep:1000"),
        );
        holder.wait_for("sqlmig-fault: before_stmt:index:1", Duration::from_secs(60));
        let waiter = Running::start(project.sqlmig().args(["upgrade", "--lock-timeout", "60s"]));
        let holder = holder.finish();
        let took = holder.ended - started;
        let waiter = waiter.finish();
        let deadlocks = [&holder, &waiter]
            .iter()
            .filter(|run| run.stderr.contains("deadlock"))
            .count() as u64;
        let valid = database.column(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_v'",
        ) == ["t"];
        let waited = waiter.stderr.contains("waiting for advisory lock");
        eprintln!("CIC with a waiter, run {run}: the holder took {took:.2?}");
        record(&[
            ("a7.runs", 1),
            ("a7.deadlocks", deadlocks),
            ("a7.invalid_indexes", u64::from(!valid)),
        ]);
        for finished in [&holder, &waiter] {
            if finished.code() != Some(0) {
                problems.push(finished.describe());
            }
        }
        if deadlocks > 0 || !valid || !waited {
            problems.push(format!(
                "run {run}: deadlocks {deadlocks}, index valid {valid}, the second runner waited {waited}\n{}",
                waiter.describe()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
