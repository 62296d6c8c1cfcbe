//! B10: SIGTERM (what Kubernetes sends a migration Job) and SIGINT
//! (Ctrl-C). The first signal lets the revision under way finish (or roll
//! back), releases the lock and says where the run stopped; the state is
//! consistent and a rerun finishes the job. A second signal ends the
//! process at once with status 130.

use std::time::Duration;

use crate::harness::{
    Kind, Project, Random, Running, configure, fresh, history, pause, record, scaled, side_effects,
};

const REVISIONS: usize = 6;

fn b10_a_signal_mid_run_stops_between_revisions(kind: Kind) {
    let mut random = Random::new("b10");
    let runs = scaled(3, 20);
    let mut consistent = 0;
    for run in 0..runs {
        let project = Project::new();
        let Some(database) = fresh(kind, &project) else {
            return;
        };
        let ids = project.logged_chain(REVISIONS, |_| pause(kind, 0.3));
        configure(&project, &database, "");
        let mut running = Running::start(project.sqlmig().args(["upgrade"]));
        // Signal while revision `after + 1` runs (each takes about 0.3 s).
        let after = 1 + random.below(3) as usize;
        running.wait_for(&ids[after], Duration::from_secs(60));
        let signal = if run % 2 == 0 { "TERM" } else { "INT" };
        running.signal(signal);
        let finished = running.finish();
        let applied: Vec<String> = history(&database)
            .into_iter()
            .filter(|row| row.state == "applied")
            .map(|row| row.revision)
            .collect();
        let all_rows = history(&database).len();
        let effects = side_effects(&database);
        let logged: Vec<&str> = effects.iter().map(|(id, _)| id.as_str()).collect();
        let expected: Vec<&str> = applied
            .iter()
            .map(String::as_str)
            .filter(|id| *id != "root")
            .collect();
        let problems: Vec<String> = [
            (finished.signal().is_some(), "ended by the signal itself"),
            (
                !finished.stderr.contains("interrupted: stopped after"),
                "no line saying where it stopped",
            ),
            (all_rows != applied.len(), "a row not `applied`"),
            (
                effects.iter().any(|(_, n)| *n != 1),
                "a side effect not run exactly once",
            ),
            (logged != expected, "side effects and applied rows differ"),
            (applied.len() <= after, "the run stopped before the signal"),
            (applied.len() > REVISIONS, "the run did not stop"),
        ]
        .into_iter()
        .filter(|(bad, _)| *bad)
        .map(|(_, what)| what.to_owned())
        .collect();
        // The lock was released: a rerun finishes the job.
        let rerun = project.sqlmig().args(["upgrade"]).run();
        let finished_all = rerun.code() == Some(0)
            && history(&database).len() == REVISIONS + 1
            && side_effects(&database).iter().all(|(_, n)| *n == 1);
        if problems.is_empty() && finished_all {
            consistent += 1;
        } else {
            panic!(
                "{kind:?} run {run} (SIG{signal} after {}): {problems:?}, rerun finished: {finished_all}\n{}\nrerun: {}",
                ids[after],
                finished.describe(),
                rerun.stderr()
            );
        }
    }
    eprintln!("B10 {kind:?}: {consistent}/{runs} signal stops consistent");
    record(&[
        ("b10.runs", runs as u64),
        ("b10.consistent", consistent as u64),
    ]);
}

fn b10_a_second_signal_ends_the_process_at_once(kind: Kind) {
    let project = Project::new();
    let Some(database) = fresh(kind, &project) else {
        return;
    };
    let ids = project.logged_chain(3, |_| pause(kind, 2.0));
    configure(&project, &database, "");
    let mut running = Running::start(project.sqlmig().args(["upgrade"]));
    running.wait_for(&ids[0], Duration::from_secs(60));
    // Let the first revision's pause begin, then signal twice.
    std::thread::sleep(Duration::from_millis(300));
    running.signal("TERM");
    std::thread::sleep(Duration::from_millis(100));
    let second = std::time::Instant::now();
    running.signal("TERM");
    let finished = running.finish();
    let took = finished.ended.saturating_duration_since(second);
    assert_eq!(finished.code(), Some(130), "{}", finished.describe());
    assert!(
        took < Duration::from_secs(1),
        "{took:?}: {}",
        finished.describe()
    );
}

on_each_dialect!(
    b10_a_signal_mid_run_stops_between_revisions,
    b10_a_second_signal_ends_the_process_at_once,
);
