//! Ctrl-C or SIGTERM while a replay runs on a scratch database (`diff -m`,
//! `check --schema-file`, `check --drift`, `lint --trace`): the statement
//! under way is cancelled, the scratch database is dropped, one message says
//! so, exit 1, and nothing is written.

use std::io::Read as _;
use std::process::Child;
use std::time::{Duration, Instant};

use crate::diff::{database, dev_database, workflow_config};
use crate::support::Project;
use crate::support::database::{Kind, TestDb};

/// A statement that sleeps a minute on a scratch database and not at all
/// elsewhere (the live database applies the same revision).
fn slow_statement(kind: Kind) -> &'static str {
    match kind {
        Kind::Postgres => {
            "SELECT pg_sleep(CASE WHEN current_database() LIKE 'sqlmig_scratch_%' THEN 60 ELSE 0 END);"
        }
        _ => "DO SLEEP(IF(DATABASE() LIKE 'sqlmig\\_scratch\\_%', 60, 0));",
    }
}

/// The scratch databases of process `pid` on the server (their names carry
/// it: `sqlmig_scratch_<time>_<pid>_<hex>`).
fn scratch_databases(dev: &TestDb, kind: Kind, pid: u32) -> Vec<String> {
    let pattern = format!("sqlmig\\_scratch\\_%\\_{pid}\\_%");
    dev.column(&match kind {
        Kind::Postgres => format!("SELECT datname FROM pg_database WHERE datname LIKE '{pattern}'"),
        _ => format!(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '{}'",
            pattern.replace('\\', "\\\\")
        ),
    })
}

/// Whether process `pid`'s replay is inside its sleeping statement.
fn sleeping(dev: &TestDb, kind: Kind, pid: u32) -> bool {
    let pattern = format!("sqlmig\\_scratch\\_%\\_{pid}\\_%");
    let rows = dev.column(&match kind {
        Kind::Postgres => format!(
            "SELECT pid FROM pg_stat_activity WHERE datname LIKE '{pattern}' AND query LIKE '%pg_sleep%' AND state = 'active'"
        ),
        _ => format!(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE DB LIKE '{}' AND INFO LIKE '%SLEEP%'",
            pattern.replace('\\', "\\\\")
        ),
    });
    !rows.is_empty()
}

/// What an interrupted replay says.
const INTERRUPTED: &str = "interrupted: the replay stopped and its scratch database was dropped";

/// Starts `args`, waits until its replay sleeps, sends `signal`, and
/// checks how it ends: exit 1 with one line saying `message`.
fn interrupt(
    project: &Project,
    dev: &TestDb,
    kind: Kind,
    args: &[&str],
    signal: &str,
    message: &str,
) {
    let mut child: Child = project.sqlmig().args(args).spawn();
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !sleeping(dev, kind, pid) {
        assert!(
            Instant::now() < deadline && matches!(child.try_wait(), Ok(None)),
            "{kind:?} {args:?}: the replay never reached its slow statement"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(scratch_databases(dev, kind, pid).len(), 1);
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(status.success());
    let status = child.wait().expect("wait for sqlmig");
    let waited = sent.elapsed();
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    let mut stdout = String::new();
    let _ = child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout);
    let context = format!("{kind:?} {args:?} SIG{signal}: {status:?}\n{stdout}\n{stderr}");
    // Ended by itself, not by the signal, and long before the sleep's end:
    // the statement was cancelled.
    assert_eq!(status.code(), Some(1), "{context}");
    assert!(
        waited < Duration::from_secs(20),
        "took {waited:?}: {context}"
    );
    assert_eq!(stderr.lines().count(), 1, "one message: {context}");
    assert!(stderr.contains(message), "{context}");
    assert!(stdout.is_empty(), "{context}");
    assert_eq!(
        scratch_databases(dev, kind, pid),
        Vec::<String>::new(),
        "{context}"
    );
}

fn a_signal_during_a_replay_drops_the_scratch_database(kind: Kind) {
    let project = Project::new();
    let (Some(live), Some(dev)) = (
        database(kind, &project, "live.db"),
        dev_database(kind, &project),
    ) else {
        return;
    };
    project
        .revision(
            "1",
            &format!(
                "-- revision: first\n\n-- up\nCREATE TABLE a (id INT PRIMARY KEY);\n{}\n\n-- down\nDROP TABLE a;\n",
                slow_statement(kind)
            ),
        )
        .write("schema.sql", "CREATE TABLE a (id INT PRIMARY KEY, w INT);\n")
        .write("sqlmig.toml", workflow_config(kind, &live, Some(&dev)));
    project.sqlmig().args(["hash"]).run().success();
    project.sqlmig().args(["upgrade"]).run().success();
    let files = || project.path("migrations").read_dir().unwrap().count();
    let before = files();
    interrupt(
        &project,
        &dev,
        kind,
        &["diff", "-m", "add w"],
        "INT",
        INTERRUPTED,
    );
    assert_eq!(files(), before, "diff -m wrote a revision");
    interrupt(
        &project,
        &dev,
        kind,
        &["check", "--drift"],
        "TERM",
        INTERRUPTED,
    );
    if kind == Kind::Postgres {
        interrupt(
            &project,
            &dev,
            kind,
            &["lint", "--trace"],
            "INT",
            "interrupted: the trace stopped and its scratch database was dropped",
        );
    }
    // The wanted schema itself is slow: the signal lands in a `.sql` file's
    // statements, not in a revision.
    project.write(
        "schema.sql",
        format!(
            "CREATE TABLE a (id INT PRIMARY KEY);\n{}\n",
            slow_statement(kind)
        ),
    );
    interrupt(
        &project,
        &dev,
        kind,
        &["check", "--schema-file"],
        "INT",
        INTERRUPTED,
    );
}

#[test]
fn postgres_a_signal_during_a_replay_drops_the_scratch_database() {
    a_signal_during_a_replay_drops_the_scratch_database(Kind::Postgres);
}

#[test]
fn mysql_a_signal_during_a_replay_drops_the_scratch_database() {
    a_signal_during_a_replay_drops_the_scratch_database(Kind::Mysql);
}
