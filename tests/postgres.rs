//! PostgreSQL-only behaviour, through the binary: dollar quotes, `CREATE
//! INDEX CONCURRENTLY`, server error positions, the advisory lock, the
//! state table's schema, TLS modes and connection failures. Each test makes
//! its own database on the machine's server (`TestDb::postgres`); the TLS-off
//! and password tests start a throwaway server of their own.

use std::path::Path;
use std::time::{Duration, Instant};

use sqlmig::DatabaseUrl;
use sqlmig::backend::{Backend, ConnectOptions, LockWait, PostgresBackend, connect};
use sqlmig::sql::{Sql, Value};

use crate::support::database::TestDb;
use crate::support::figures;
use crate::support::pg_server::Server;
use crate::support::{Project, Run, revision_text};

/// The password canary: it must never show in any output.
const CANARY: &str = "Cx7-s3cret-CANARY";

fn configure(project: &Project, url: &str, extra: &str) {
    project.write("sqlmig.toml", format!("database_url = \"{url}\"\n{extra}"));
}

/// `url` with `params` as its query string.
fn with_params(url: &str, params: &str) -> String {
    format!("{url}?{params}")
}

/// Stdout and stderr together, checked for the canary.
#[track_caller]
fn assert_no_canary(run: &Run) {
    for text in [run.stdout(), run.stderr()] {
        assert!(!text.contains("s3cret"), "the password leaked:\n{text}");
    }
}

/// A connection through sqlmig's own backend, for helpers that hold locks.
fn backend(url: &str) -> Box<dyn Backend> {
    let url = DatabaseUrl::parse(url).expect("a PostgreSQL URL");
    connect(&url, &ConnectOptions::default()).expect("connect")
}

fn scalar(backend: &mut Box<dyn Backend>, sql: &str, params: Vec<Value>) -> Value {
    let rows = backend
        .query(&Sql {
            text: sql.to_owned(),
            params,
        })
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
    rows.into_iter()
        .next()
        .and_then(|row| row.into_iter().next())
        .expect("one value")
}

#[test]
fn dollar_quoted_functions_and_do_blocks_run_as_written() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        r#"-- revision: plpgsql
-- message: functions and a DO block

-- up
CREATE TABLE events (id SERIAL PRIMARY KEY, note TEXT NOT NULL);

CREATE FUNCTION add_event(note TEXT) RETURNS INTEGER AS $$
DECLARE
    new_id INTEGER;
BEGIN
    INSERT INTO events (note) VALUES (note) RETURNING id INTO new_id;
    RETURN new_id;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION shout(words TEXT) RETURNS TEXT AS $fn$
BEGIN
    -- a `;` and a $$ inside the body are just text
    RETURN upper(words) || '; $$ !';
END;
$fn$ LANGUAGE plpgsql IMMUTABLE;

DO $$
BEGIN
    FOR i IN 1..3 LOOP
        PERFORM add_event('from DO; number ' || i);
    END LOOP;
END
$$;

-- down
DROP FUNCTION shout(TEXT);
DROP FUNCTION add_event(TEXT);
DROP TABLE events;
"#,
    );
    configure(&project, database.url(), "");
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        database.column("SELECT note FROM events ORDER BY id"),
        [
            "from DO; number 1",
            "from DO; number 2",
            "from DO; number 3"
        ]
    );
    assert_eq!(database.column("SELECT shout('hi')"), ["HI; $$ !"]);
    assert_eq!(database.column("SELECT add_event('later')"), ["4"]);
    project.sqlmig().args(["downgrade", "base"]).run().success();
    assert!(!database.table_exists("events"));
    assert!(
        database
            .column("SELECT proname FROM pg_proc WHERE proname IN ('shout', 'add_event')")
            .is_empty()
    );
}

#[test]
fn create_index_concurrently_runs_outside_a_transaction() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project
        .revision(
            "1",
            &revision_text(
                "table",
                &[],
                "CREATE TABLE items (id INTEGER, name TEXT);\nINSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5000) g;",
                Some("DROP TABLE items;"),
            ),
        )
        .revision(
            "2",
            "-- revision: index\n-- revises: table\n-- transaction: false\n\n-- up\nCREATE INDEX CONCURRENTLY items_name ON items (name);\n\n-- down\nDROP INDEX CONCURRENTLY items_name;\n",
        );
    configure(&project, database.url(), "");
    project.sqlmig().args(["upgrade"]).run().success();
    let validity = "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'items_name'";
    assert_eq!(database.column(validity), ["t"]);
    assert_eq!(database.applied(), ["index", "table"]);
    project
        .sqlmig()
        .args(["downgrade", "table"])
        .run()
        .success();
    assert!(database.column(validity).is_empty(), "the index is dropped");
    assert_eq!(database.applied(), ["table"]);
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.column(validity), ["t"]);
}

#[test]
fn create_index_concurrently_in_a_transaction_is_refused_before_anything_runs() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project
        .revision(
            "1",
            &revision_text("table", &[], "CREATE TABLE items (id INTEGER);", None),
        )
        .revision(
            "2",
            &revision_text(
                "index",
                &["table"],
                "CREATE INDEX CONCURRENTLY items_id ON items (id);",
                None,
            ),
        );
    configure(&project, database.url(), "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/2.sql:6:")
        .stderr_has("revision index")
        .stderr_has("CREATE INDEX CONCURRENTLY")
        .stderr_has("add `-- transaction: false`");
    assert!(
        database.applied().is_empty(),
        "not even the first revision ran"
    );
    assert!(!database.table_exists("items"));
}

/// docs/RELIABILITY.md B1: the server's error position becomes the file's line
/// and column, counted in characters (a 2-byte `é` precedes the error).
#[test]
fn failing_statement_points_at_the_servers_position() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    let third = "-- revision: three\n-- revises: two\n-- message: revision three\n-- up\nCREATE TABLE t3a (name TEXT);\nINSERT INTO t3a (name)\nVALUES('é' oops);\nCREATE TABLE t3b (x INTEGER);\n";
    // Line 7 is `VALUES('é' oops);`: `oops` is the 12th character (13th byte).
    assert_eq!(third.lines().nth(6), Some("VALUES('é' oops);"));
    project
        .revision(
            "001_one",
            &revision_text("one", &[], "CREATE TABLE t1 (x INTEGER);", None),
        )
        .revision(
            "002_two",
            &revision_text("two", &["one"], "CREATE TABLE t2 (x INTEGER);", None),
        )
        .revision("003_three", third)
        .revision(
            "004_four",
            &revision_text("four", &["three"], "CREATE TABLE t4 (x INTEGER);", None),
        )
        .revision(
            "005_five",
            &revision_text("five", &["four"], "CREATE TABLE t5 (x INTEGER);", None),
        );
    configure(&project, database.url(), "");
    let run = project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/003_three.sql:7:12:")
        .stderr_has("revision three")
        .stderr_has("statement 2 of 3")
        .stderr_has("syntax error at or near \"oops\"")
        .stderr_has("(42601)")
        .stderr_has("rolled back");
    assert!(!run.stderr().contains("panicked"));
    assert_eq!(database.applied(), ["one", "two"]);
    assert!(
        !database.table_exists("t3a"),
        "revision three was rolled back"
    );
    assert!(
        !database.table_exists("t4"),
        "revision four was not attempted"
    );

    // The same with CRLF line endings and a byte-order mark.
    let crlf = format!("\u{feff}{}", third.replace('\n', "\r\n"));
    project.write("migrations/003_three.sql", crlf.as_bytes());
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/003_three.sql:7:12:")
        .stderr_has("(42601)");

    project.write("migrations/003_three.sql", third.replace("'é' oops", "'é'"));
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied(), ["five", "four", "one", "three", "two"]);
    assert_eq!(database.column("SELECT name FROM t3a"), ["é"]);
}

/// The statements of a revision are sent together (one round trip): a
/// failure still stops the revision at the failing statement, nothing after
/// it has any effect, and a statement that could end the transaction is
/// never sent ahead of the answer to the one before it.
#[test]
fn statements_sent_together_stop_at_the_first_failure() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project
        .revision(
            "001_one",
            &revision_text(
                "one",
                &[],
                "CREATE TABLE before_failure (x INTEGER);\nSELECT 1 / 0;\nCOMMIT;\nCREATE TABLE after_commit (x INTEGER);",
                None,
            ),
        )
        .revision(
            "002_two",
            &revision_text("two", &["one"], "CREATE TABLE t2 (x INTEGER);", None),
        );
    configure(&project, database.url(), "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("statement 2 of 4")
        .stderr_has("division by zero")
        .stderr_has("rolled back");
    assert!(database.applied().is_empty());
    for table in ["before_failure", "after_commit", "t2"] {
        assert!(!database.table_exists(table), "{table} exists");
    }

    // Fixed, the revision runs whole, its COMMIT included, and so does the next.
    project.write(
        "migrations/001_one.sql",
        revision_text(
            "one",
            &[],
            "CREATE TABLE before_failure (x INTEGER);\nSELECT 1;\nCREATE TABLE after_select (x INTEGER);",
            None,
        ),
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied(), ["one", "two"]);
    for table in ["before_failure", "after_select", "t2"] {
        assert!(database.table_exists(table), "{table} is missing");
    }
}

/// docs/RELIABILITY.md A5 and A10: a held lock makes `upgrade` wait, name the
/// holder and give up on time; another state table is not blocked.
#[test]
fn a_held_lock_times_out_naming_its_holder() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        &revision_text(
            "one",
            &[],
            "CREATE TABLE IF NOT EXISTS one (x INTEGER);",
            None,
        ),
    );
    configure(&project, database.url(), "");

    let mut holder = backend(database.url());
    let key = PostgresBackend::lock_key(database.name(), "\"public\".\"sqlmig_revisions\"");
    assert_eq!(
        scalar(
            &mut holder,
            "SELECT pg_try_advisory_lock($1)",
            vec![Value::integer(key)]
        ),
        Value::text("t")
    );
    let pid = scalar(&mut holder, "SELECT pg_backend_pid()", Vec::new());
    let pid = pid.as_integer().expect("a pid");

    let started = Instant::now();
    project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "1s"])
        .run()
        .failure()
        .stderr_has(&format!(
            "waiting for advisory lock {key} on database {} held by pid {pid} (sqlmig/",
            database.name()
        ))
        .stderr_has("timed out after 1.0s")
        .stderr_has(&format!("held by pid {pid}"));
    let waited = started.elapsed();
    eprintln!("lock timeout 1s: sqlmig exited after {waited:?}");
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert!(database.applied().is_empty(), "nothing ran");
    assert!(!database.table_exists("one"));

    // The lock is per state table: one in another schema is not blocked.
    project
        .sqlmig()
        .args(["upgrade", "--schema", "other", "--lock-timeout", "0"])
        .run()
        .success();
    assert_eq!(
        database.column("SELECT revision FROM other.sqlmig_revisions"),
        ["one"]
    );

    assert_eq!(
        scalar(
            &mut holder,
            "SELECT pg_advisory_unlock($1)",
            vec![Value::integer(key)]
        ),
        Value::text("t")
    );
    project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "0"])
        .run()
        .success();
    assert_eq!(database.applied(), ["one"]);
}

/// docs/RELIABILITY.md A8 and A6: the lock is held by the connection that runs
/// the statements, and losing it before release is an error.
#[test]
fn a_lock_lost_before_release_is_an_error() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let mut connection = backend(database.url());
    let scope = "\"public\".\"sqlmig_revisions\"";
    connection
        .lock(
            scope,
            LockWait {
                timeout: Duration::from_secs(1),
                stop: None,
                waiting: &mut |_| panic!("the lock is free"),
            },
        )
        .expect("lock");
    let key = PostgresBackend::lock_key(database.name(), scope);
    let ours = scalar(
        &mut connection,
        "SELECT (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
           AND classid = (($1::int8 >> 32) & 4294967295)::oid AND objid = ($1::int8 & 4294967295)::oid) = pg_backend_pid()",
        vec![Value::integer(key)],
    );
    assert_eq!(
        ours,
        Value::text("t"),
        "pg_locks shows this connection holding the key"
    );

    connection
        .execute("SELECT pg_advisory_unlock_all()")
        .expect("unlock all");
    let error = connection.unlock().expect_err("the lock was gone");
    assert!(error.to_string().contains("no longer held"), "{error}");

    connection
        .lock(
            scope,
            LockWait {
                timeout: Duration::ZERO,
                stop: None,
                waiting: &mut |_| {},
            },
        )
        .expect("lock again");
    connection.unlock().expect("a held lock releases cleanly");
}

/// docs/RELIABILITY.md A6: when an administrator terminates sqlmig's backend
/// mid-run, sqlmig stops at once with the server's reason, the revision in
/// flight is rolled back, and a rerun applies the rest exactly once.
#[test]
fn a_terminated_connection_stops_the_run_and_a_rerun_finishes_it() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "00",
        &revision_text(
            "root",
            &[],
            "CREATE TABLE applied_log (revision TEXT NOT NULL);",
            None,
        ),
    );
    for number in 1..=20 {
        let id = format!("r{number:02}");
        let parent = if number == 1 {
            String::from("root")
        } else {
            format!("r{:02}", number - 1)
        };
        project.revision(
            &id,
            &revision_text(
                &id,
                &[&parent],
                &format!(
                    "INSERT INTO applied_log VALUES ('{id}');
SELECT pg_sleep(0.1);"
                ),
                None,
            ),
        );
    }
    configure(&project, database.url(), "");
    let child = project.sqlmig().args(["upgrade"]).spawn();
    std::thread::sleep(Duration::from_millis(800));
    let killed = Instant::now();
    let terminated = database.column(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name LIKE 'sqlmig/%'",
    );
    assert_eq!(terminated, ["t"], "one sqlmig session to terminate");
    let output = child.wait_with_output().expect("sqlmig");
    let stopped = killed.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("terminated backend: sqlmig exited {stopped:?} later");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stopped < Duration::from_secs(2), "{stopped:?}");
    assert!(
        stderr.contains("terminating connection due to administrator command"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let applied = database.applied().len();
    assert!(
        (2..21).contains(&applied),
        "some but not all revisions ran: {applied}"
    );
    assert_eq!(
        database.column("SELECT COUNT(*) FROM applied_log"),
        [(applied - 1).to_string()],
        "the revision in flight left nothing"
    );

    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied().len(), 21);
    assert_eq!(
        database.column("SELECT COUNT(DISTINCT revision) FROM applied_log"),
        ["20"]
    );
    assert_eq!(database.column("SELECT COUNT(*) FROM applied_log"), ["20"]);
}

// See: docs/RELIABILITY.md B6 and C-1. Found by the reliability suite: after a
// SIGKILL mid-statement the orphaned backend held the migration lock until
// its statement ended (20 s here), because nothing told PostgreSQL the
// client was gone.
#[test]
fn a_killed_runner_frees_the_lock_within_seconds_mid_statement() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        &revision_text("one", &[], "SELECT pg_sleep(30);", None),
    );
    configure(&project, database.url(), "");
    let mut child = project.sqlmig().args(["upgrade"]).spawn();
    let running = "SELECT count(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(30)%'";
    let deadline = Instant::now() + Duration::from_secs(10);
    while database.column(running) != ["1"] {
        assert!(
            Instant::now() < deadline,
            "sqlmig never reached its pg_sleep"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    let killed = Instant::now();
    let _ = child.wait();
    let held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    while database.column(held) != ["0"] {
        assert!(
            killed.elapsed() < Duration::from_secs(5),
            "the orphaned backend still holds the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("lock free {:?} after killing sqlmig", killed.elapsed());
}

/// docs/RELIABILITY.md A7: a runner waiting for the lock polls outside any
/// transaction, so the holder's `CREATE INDEX CONCURRENTLY` does not wait
/// for it (flyway#1654, golang-migrate#960).
#[test]
fn create_index_concurrently_while_another_runner_waits() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project
        .revision(
            "1",
            &revision_text(
                "big",
                &[],
                "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 100000) g;",
                None,
            ),
        )
        .revision(
            "2",
            "-- revision: index\n-- revises: big\n-- transaction: false\n\n-- up\nSELECT pg_sleep(1);\nCREATE INDEX CONCURRENTLY big_v ON big (v);\n",
        );
    configure(&project, database.url(), "");
    let started = Instant::now();
    let first = project.sqlmig().args(["upgrade"]).spawn();
    std::thread::sleep(Duration::from_millis(400));
    let second = project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "30s"])
        .spawn();
    let first = first.wait_with_output().expect("first sqlmig");
    let first_took = started.elapsed();
    let second = second.wait_with_output().expect("second sqlmig");
    let first_err = String::from_utf8_lossy(&first.stderr);
    let second_err = String::from_utf8_lossy(&second.stderr);
    assert!(first.status.success(), "{first_err}");
    assert!(second.status.success(), "{second_err}");
    assert!(
        second_err.contains("waiting for advisory lock"),
        "the second runner waited:\n{second_err}"
    );
    assert!(!first_err.contains("deadlock") && !second_err.contains("deadlock"));
    eprintln!("CREATE INDEX CONCURRENTLY with a waiter: the holder took {first_took:?}");
    assert!(first_took < Duration::from_secs(15), "{first_took:?}");
    assert_eq!(
        database.column("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_v'"),
        ["t"]
    );
}

#[test]
fn the_state_table_can_live_in_another_schema() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
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
    configure(
        &project,
        database.url(),
        "schema = \"Deploy State\"\ntable = \"history\"\n",
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        database.column("SELECT revision FROM \"Deploy State\".history ORDER BY revision"),
        ["one", "two"]
    );
    assert!(!database.table_exists("sqlmig_revisions") && !database.table_exists("history"));
    project.sqlmig().args(["check"]).run().success();
    let status = project
        .sqlmig()
        .args(["status", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(status["current"], serde_json::json!(["two"]));
    project.sqlmig().args(["downgrade", "one"]).run().success();
    assert_eq!(
        database.column("SELECT revision FROM \"Deploy State\".history"),
        ["one"]
    );
    // Without the setting, the default table in `public` is a different state.
    configure(&project, database.url(), "");
    project
        .sqlmig()
        .args(["check"])
        .run()
        .failure()
        .stderr_has("2 revisions pending");
}

/// `options`, `application_name` and a Unix socket host reach the session
/// that runs the revisions.
#[test]
fn url_parameters_reach_the_session() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        &revision_text(
            "one",
            &[],
            "CREATE TABLE session AS SELECT current_setting('statement_timeout') AS timeout, \
             current_setting('application_name') AS app, inet_client_addr() IS NULL AS local;",
            None,
        ),
    );
    let params =
        "application_name=deploy%20bot&options=-c%20statement_timeout%3D12345&connect_timeout=5";
    let socket = Path::new("/var/run/postgresql/.s.PGSQL.5432");
    let (url, local) = if database.url().contains("@127.0.0.1:5432/") && socket.exists() {
        let url = database.url().replace("@127.0.0.1:5432/", "@/");
        (
            with_params(&url, &format!("host=%2Fvar%2Frun%2Fpostgresql&{params}")),
            "true",
        )
    } else {
        (with_params(database.url(), params), "false")
    };
    project
        .sqlmig()
        .args(["upgrade", "--database-url", &url])
        .run()
        .success();
    assert_eq!(
        database.query("SELECT timeout, app, local::text FROM session"),
        [[
            Some("12345ms".to_owned()),
            Some("deploy bot".to_owned()),
            Some(local.to_owned())
        ]]
    );
}

/// docs/RELIABILITY.md E3 on the machine's server (ssl = on).
#[test]
fn tls_modes_against_a_server_with_tls() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    let seen = |mode: &str| {
        format!(
            "INSERT INTO tls_seen SELECT '{mode}', ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();"
        )
    };
    project
        .revision(
            "1",
            &revision_text(
                "table",
                &[],
                "CREATE TABLE tls_seen (mode TEXT, ssl BOOLEAN);",
                None,
            ),
        )
        .revision(
            "2",
            &revision_text("require", &["table"], &seen("require"), None),
        )
        .revision(
            "3",
            &revision_text("disable", &["require"], &seen("disable"), None),
        )
        .revision(
            "4",
            &revision_text("prefer", &["disable"], &seen("prefer"), None),
        );
    let upgrade = |url: &str, target: &str| {
        let run = project
            .sqlmig()
            .args(["upgrade", target, "--database-url", url])
            .run()
            .success();
        assert!(!run.stderr().contains("NOT encrypted"), "{}", run.stderr());
    };
    // docs/RELIABILITY.md E3: require, disable and prefer, then five
    // certificate cases; the report counts what passed.
    figures::record(&[("e3.cases", 3)]);
    upgrade(&with_params(database.url(), "sslmode=require"), "require");
    upgrade(&with_params(database.url(), "sslmode=disable"), "disable");
    upgrade(database.url(), "prefer");
    assert_eq!(
        database.query("SELECT mode, ssl::text FROM tls_seen ORDER BY mode"),
        [
            [Some("disable".to_owned()), Some("false".to_owned())],
            [Some("prefer".to_owned()), Some("true".to_owned())],
            [Some("require".to_owned()), Some("true".to_owned())],
        ]
    );
    figures::record(&[("e3.passed", 3)]);

    // Certificate checks need a root that signed the server's certificate
    // and the name in it: `SQLMIG_TEST_POSTGRES_ROOTCERT` and
    // `SQLMIG_TEST_POSTGRES_TLS_HOST`, by default the server's own
    // certificate and `localhost` (Debian's snakeoil certificate is
    // self-signed for the machine's name).
    let certificate = std::env::var("SQLMIG_TEST_POSTGRES_ROOTCERT").unwrap_or_else(|_| {
        database
            .column("SHOW ssl_cert_file")
            .into_iter()
            .next()
            .unwrap_or_default()
    });
    let tls_host = std::env::var("SQLMIG_TEST_POSTGRES_TLS_HOST")
        .unwrap_or_else(|_| String::from("localhost"));
    let Some((address, port)) = endpoint_of(database.url()) else {
        eprintln!("SKIPPED: certificate checks need a host:port URL");
        return;
    };
    if std::fs::read(&certificate).is_err() || address == tls_host {
        eprintln!(
            "SKIPPED: certificate checks need a readable root certificate ({certificate}) and a host name other than the URL's"
        );
        return;
    }
    let by_name = database
        .url()
        .replacen(&format!("@{address}:"), &format!("@{tls_host}:"), 1);
    figures::record(&[("e3.cases", 5)]);
    let root = format!("sslrootcert={certificate}");
    let status = |url: String| {
        project
            .sqlmig()
            .args(["status", "--database-url", &url])
            .run()
    };
    status(with_params(
        &by_name,
        &format!("sslmode=verify-full&{root}"),
    ))
    .success();
    status(with_params(
        database.url(),
        &format!("sslmode=verify-ca&{root}"),
    ))
    .success();
    status(with_params(
        database.url(),
        &format!("sslmode=require&{root}"),
    ))
    .success();
    status(with_params(
        database.url(),
        &format!("sslmode=verify-full&{root}"),
    ))
    .failure()
    .stderr_has(&format!(
        "TLS with {address}:{port} failed (sslmode=verify-full)"
    ))
    .stderr_has("not valid for name");
    status(with_params(&by_name, "sslmode=verify-ca"))
        .failure()
        .stderr_has(&format!(
            "TLS with {tls_host}:{port} failed (sslmode=verify-ca)"
        ))
        .stderr_has("set sslrootcert=PATH");
    figures::record(&[("e3.passed", 5)]);
}

/// The host and port of a `postgres://user@host:port/db` URL.
fn endpoint_of(url: &str) -> Option<(String, String)> {
    let authority = url.split_once('@')?.1.split('/').next()?;
    let (host, port) = authority.rsplit_once(':')?;
    Some((host.to_owned(), port.to_owned()))
}

#[test]
fn a_misspelt_sslmode_is_refused() {
    figures::record(&[("e3.cases", 2)]);
    let project = Project::new();
    project.revision("1", &revision_text("one", &[], "SELECT 1;", None));
    let run = project
        .sqlmig()
        .args([
            "status",
            "--database-url",
            &format!("postgres://app:{CANARY}@127.0.0.1:1/app?sslmode=verfy-full"),
        ])
        .run()
        .failure()
        .stderr_has("invalid sslmode `verfy-full`")
        .stderr_has("verify-full");
    assert_no_canary(&run);
    let run = project
        .sqlmig()
        .args([
            "status",
            "--database-url",
            &format!("postgres://app:{CANARY}@127.0.0.1:1/app?sslmod=require"),
        ])
        .run()
        .failure()
        .stderr_has("unknown URL parameter `sslmod`");
    assert_no_canary(&run);
    figures::record(&[("e3.passed", 2)]);
}

/// docs/RELIABILITY.md E1 and E3 against a throwaway server with TLS off and
/// password authentication: `require` refuses it, `prefer` warns, a wrong
/// password fails clearly, and no password shows anywhere.
#[test]
fn a_server_without_tls_and_with_passwords() {
    let Some(server) = Server::start(CANARY) else {
        return;
    };
    // docs/RELIABILITY.md E3 on a server without TLS: require and verify-full
    // refuse, prefer warns, disable is quiet.
    figures::record(&[("e3.cases", 4)]);
    server.execute(
        CANARY,
        "CREATE ROLE odd LOGIN SUPERUSER PASSWORD 'p@ss/w:rd%Cx7'",
    );
    let project = Project::new();
    project.revision(
        "1",
        &revision_text(
            "one",
            &[],
            "CREATE TABLE seen AS SELECT current_user AS who, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
            Some("DROP TABLE seen;"),
        ),
    );
    let url = |password: &str, params: &str| server.url("postgres", password, params);
    let run_with = |url: String, args: &[&str]| {
        let run = project
            .sqlmig()
            .args(args)
            .args(["--database-url", &url])
            .run();
        assert_no_canary(&run);
        run
    };

    let started = Instant::now();
    run_with(url(CANARY, "sslmode=require"), &["upgrade"])
        .failure()
        .stderr_has(&format!("the server at 127.0.0.1:{} does not support TLS, and sslmode=require refuses a plaintext connection", server.port));
    assert!(started.elapsed() < Duration::from_secs(5));
    run_with(url(CANARY, "sslmode=verify-full"), &["upgrade"])
        .failure()
        .stderr_has("does not support TLS");

    run_with(url(CANARY, ""), &["upgrade"])
        .success()
        .stderr_has(&format!(
            "warning: the connection to 127.0.0.1:{} is NOT encrypted",
            server.port
        ))
        .stderr_has("sslmode=prefer");
    assert_eq!(
        server.query(CANARY, "SELECT who, ssl::text FROM seen"),
        ["postgres false"]
    );

    let quiet = run_with(url(CANARY, "sslmode=disable"), &["downgrade", "base"]).success();
    assert!(
        !quiet.stderr().contains("NOT encrypted"),
        "{}",
        quiet.stderr()
    );
    figures::record(&[("e3.passed", 4)]);

    // A password with reserved characters, percent-encoded.
    run_with(
        server.url("odd", "p%40ss%2Fw%3Ard%25Cx7", "sslmode=disable"),
        &["upgrade"],
    )
    .success();
    assert_eq!(server.query(CANARY, "SELECT who FROM seen"), ["odd"]);

    let started = Instant::now();
    let wrong = run_with(
        url(&format!("wrong-{CANARY}"), "connect_timeout=5"),
        &["status"],
    )
    .failure()
    .stderr_has("password authentication failed for user \"postgres\"")
    .stderr_has("28P01");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        wrong
            .stderr()
            .contains(&format!("127.0.0.1:{}", server.port)),
        "{}",
        wrong.stderr()
    );
    // The password also travels in the `password` parameter.
    run_with(
        server.url("postgres", "", &format!("password=wrong-{CANARY}")),
        &["status"],
    )
    .failure()
    .stderr_has("password authentication failed");
    // A Unix socket never uses TLS; asking for it there is said.
    run_with(
        format!(
            "postgres://postgres:{CANARY}@/postgres?host={}&port={}&sslmode=require",
            server.dir().display(),
            server.port
        ),
        &["status"],
    )
    .success()
    .stderr_has("does not apply to the Unix socket");
}

/// docs/RELIABILITY.md E1: unreachable servers fail within `connect_timeout`,
/// naming the host and port and nothing secret.
#[test]
fn unreachable_servers_fail_within_the_connect_timeout() {
    let project = Project::new();
    project.revision("1", &revision_text("one", &[], "SELECT 1;", None));
    let run_with = |url: String| {
        let started = Instant::now();
        let run = project
            .sqlmig()
            .args(["upgrade", "--database-url", &url])
            .run()
            .failure();
        assert_no_canary(&run);
        (run, started.elapsed())
    };
    let (run, took) = run_with(format!(
        "postgres://app:{CANARY}@127.0.0.1:1/app?connect_timeout=2"
    ));
    let run = run.stderr_has("cannot reach 127.0.0.1:1");
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(
        run.stderr().contains("postgres://app:***@127.0.0.1:1/app"),
        "{}",
        run.stderr()
    );

    // A port that accepts connections and never answers: the timeout covers
    // the whole start-up, not only the TCP connection.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    let port = silent.local_addr().expect("its address").port();
    let (run, took) = run_with(format!(
        "postgres://app:{CANARY}@127.0.0.1:{port}/app?connect_timeout=1"
    ));
    eprintln!("silent server with connect_timeout=1: sqlmig exited after {took:?}");
    run.stderr_has(&format!(
        "no answer from 127.0.0.1:{port} within 1.0s (connect_timeout)"
    ));
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(2500),
        "{took:?}"
    );
    drop(silent);

    // Not routable: no answer, or an immediate refusal from the network.
    let (run, took) = run_with(format!(
        "postgres://app:{CANARY}@10.255.255.1:5432/app?connect_timeout=2"
    ));
    eprintln!("non-routable host with connect_timeout=2: sqlmig exited after {took:?}");
    run.stderr_has("10.255.255.1:5432");
    assert!(took < Duration::from_millis(3500), "{took:?}");

    // A password with an unencoded `/`: the URL is not echoed at all.
    let run = project
        .sqlmig()
        .args([
            "status",
            "--database-url",
            &format!("postgres://app:{CANARY}/x@127.0.0.1:1/app"),
        ])
        .run()
        .failure()
        .stderr_has("percent-encode");
    assert_no_canary(&run);
}

const ENUM_LABELS: &str = "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'mood' ORDER BY e.enumsortorder";

/// Runs `script` with psql as an offline script's header says.
fn psql(url: &str, script: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("psql runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Issue: `ALTER TYPE ... ADD VALUE` was refused in a transaction whatever
/// the server. PostgreSQL 12 and later accept it there: online (the
/// connected server's version decides) and offline with `--server-version`;
/// for an older server every such statement is named in one refusal.
#[test]
fn alter_type_add_value_runs_in_a_transaction_on_postgres_12_and_later() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    let mood = revision_text(
        "mood",
        &[],
        "CREATE TYPE mood AS ENUM ('ok');",
        Some("DROP TYPE mood;"),
    );
    project.revision("1", &mood).revision(
        "2",
        &revision_text(
            "meh",
            &["mood"],
            "ALTER TYPE mood ADD VALUE 'meh';\nSELECT 1 / 0;",
            None,
        ),
    );
    configure(&project, database.url(), "");
    // It runs in the revision's transaction: the failure after it takes the
    // new value back with it.
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/2.sql:7")
        .stderr_has("division by zero");
    assert_eq!(database.column(ENUM_LABELS), ["ok"]);
    assert_eq!(database.applied(), ["mood"]);
    project.revision(
        "2",
        &revision_text(
            "meh",
            &["mood"],
            "ALTER TYPE mood ADD VALUE 'meh';\nALTER TYPE mood ADD VALUE 'great' AFTER 'meh';",
            None,
        ),
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.column(ENUM_LABELS), ["ok", "meh", "great"]);
    assert_eq!(database.applied(), ["meh", "mood"]);

    // Offline, for the server the script will meet.
    let Some(scripted) = TestDb::postgres() else {
        return;
    };
    let script = project
        .sqlmig()
        .args(["emit", "--offline", "--server-version", "15"])
        .run()
        .success()
        .stdout();
    assert!(script.contains("-- server:    PostgreSQL 15.0 or later"));
    let meh = &script[script
        .find("-- revision meh")
        .expect("meh is in the script")..];
    assert!(
        meh.find("\nBEGIN;").unwrap() < meh.find("ADD VALUE 'meh'").unwrap(),
        "inside the revision's transaction:\n{meh}"
    );
    let output = psql(scripted.url(), &script);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(scripted.column(ENUM_LABELS), ["ok", "meh", "great"]);
    assert_eq!(scripted.applied(), ["meh", "mood"]);

    // PostgreSQL 11 refuses both statements, and both are named at once.
    project
        .sqlmig()
        .args(["emit", "--offline", "--server-version", "11"])
        .run()
        .failure()
        .stderr_has("these statements cannot run inside a transaction block on PostgreSQL 11.0")
        .stderr_has("migrations/2.sql:6:1: revision meh: `ALTER TYPE mood ADD VALUE 'meh'`")
        .stderr_has("migrations/2.sql:7:1: revision meh: `ALTER TYPE mood ADD VALUE 'great' ...`")
        .stderr_has("before PostgreSQL 12");
}

/// A real-shaped 32-revision history: the refusal on PostgreSQL 15 names the
/// four statements no version runs in a transaction, all at once and before
/// anything runs (not `ALTER TYPE ... ADD VALUE`); marked `transaction:
/// false`, the whole history applies.
#[test]
fn a_history_is_refused_once_with_every_statement_then_applies_when_marked() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = crate::cli::no_transaction_history();
    configure(&project, database.url(), "");
    let stderr = project.sqlmig().args(["upgrade"]).run().failure().stderr();
    let refused = [
        "migrations/009_r09.sql",
        "migrations/014_r14.sql",
        "migrations/020_r20.sql",
        "migrations/026_r26.sql",
    ];
    for file in refused {
        assert!(stderr.contains(file), "{file} missing:\n{stderr}");
    }
    assert!(!stderr.contains("005_r05.sql"), "{stderr}");
    assert!(database.applied().is_empty(), "nothing ran");
    assert!(!database.table_exists("customers"));

    for file in refused {
        let text = project.read(file);
        project.write(
            file,
            text.replacen("\n\n-- up\n", "\n-- transaction: false\n\n-- up\n", 1),
        );
    }
    project.sqlmig().args(["hash"]).run().success();
    project
        .sqlmig()
        .args(["verify", "--server-version", "15"])
        .run()
        .success();
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied().len(), 32);
    assert_eq!(
        database.column("SELECT unnest(enum_range(NULL::order_status))::text"),
        ["new", "paid", "shipped", "refunded"]
    );
}

#[test]
fn statement_timeout_cancels_a_long_statement_and_the_rerun_finishes() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.chain(&[
        ("first", "CREATE TABLE st_first (id int);"),
        (
            "slow",
            "CREATE TABLE st_slow (id int);\nSELECT pg_sleep(5);",
        ),
    ]);
    configure(&project, database.url(), "statement_timeout = \"500ms\"\n");
    let started = std::time::Instant::now();
    let run = project.sqlmig().args(["upgrade"]).run().failure();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    // The server's own cancellation: the connection stays usable and the
    // revision rolls back whole.
    run.stderr_has("statement timeout").stderr_has("57014");
    assert!(database.table_exists("st_first"));
    assert!(!database.table_exists("st_slow"));
    // The flag overrides the config: 0 turns the limit off.
    project
        .sqlmig()
        .args(["upgrade", "--statement-timeout", "0"])
        .run()
        .success();
    assert!(database.table_exists("st_slow"));
}
