//! Servers that misbehave: B13, a server that stops answering mid-statement
//! (paused with SIGSTOP: it still accepts TCP and acknowledges keepalives,
//! the worst case) must end the run with a clear error within the bound
//! `statement_timeout` sets; A9, PgBouncer in transaction mode, where
//! session advisory locks do not hold, must be refused with a message
//! naming it, while session mode works. Both use a throwaway PostgreSQL
//! server (never the shared one) and stop everything they started.

use std::time::{Duration, Instant};

use crate::harness::{Finished, Project, Running, record};
use crate::support::mariadb_server::{MariaServer, PASSWORD as MARIADB_PASSWORD};
use crate::support::pg_server::Server;
use crate::support::pgbouncer::Pgbouncer;

/// Test-only credentials of the throwaway servers.
const PASSWORD: &str = "reliability-servers";

/// The statement left hanging, and the limit the run is given.
const SLEEP: &str = "SELECT pg_sleep(2)";
const STATEMENT_TIMEOUT_S: u64 = 3;

/// Runs `running` to its end, killing it after `limit` (a hang).
fn finish_within(mut running: Running, limit: Duration) -> Finished {
    // A text never printed: this waits for the exit or the limit.
    let _ = running.try_wait_for("\u{1}never\u{1}", limit);
    running.kill();
    running.finish()
}

#[test]
fn b13_a_paused_postgres_server_ends_the_run_within_the_bound() {
    let Some(server) = Server::start(PASSWORD) else {
        return;
    };
    let project = Project::new();
    project.chain(&[
        ("first", "CREATE TABLE b13_first (id int);"),
        ("slow", &format!("{SLEEP};")),
    ]);
    project.write(
        "sqlmig.toml",
        format!(
            "database_url = \"{}\"\nstatement_timeout = \"{STATEMENT_TIMEOUT_S}s\"\n",
            server.url("postgres", PASSWORD, "sslmode=disable")
        ),
    );
    let running = Running::start(project.sqlmig().args(["upgrade"]));
    // Wait for the slow statement to be running on the server, then pause
    // every process of the server.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let active = server.query(
            PASSWORD,
            &format!(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
                   AND pid <> pg_backend_pid() AND query LIKE '{SLEEP}%'"
            ),
        );
        if active == ["1"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the slow statement never started; sqlmig's stderr:\n{}",
            running.stderr_so_far()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pids = server.processes();
    Server::signal(&pids, "STOP");
    let paused = Instant::now();
    let finished = finish_within(running, Duration::from_secs(60));
    let waited = finished.ended.saturating_duration_since(paused);
    Server::signal(&pids, "CONT");

    // One statement's answer deadline (the limit, plus 1 s and a tenth),
    // counted from the request, which came before the pause; plus half a
    // second for the process to report and exit.
    let limit = Duration::from_secs(STATEMENT_TIMEOUT_S);
    let bound = limit + Duration::from_secs(1) + limit / 10 + Duration::from_millis(500);
    eprintln!(
        "B13 PostgreSQL: a paused server ended the run {:.1} s after the pause (bound {:.1} s)",
        waited.as_secs_f64(),
        bound.as_secs_f64()
    );
    record(&[
        ("b13.runs", 1),
        ("b13.postgres_ms_max", waited.as_millis() as u64),
        ("b13.within_bound", u64::from(waited <= bound)),
    ]);
    eprintln!("B13 PostgreSQL: sqlmig said:\n{}", finished.stderr);
    assert_eq!(finished.code(), Some(1), "{}", finished.describe());
    assert!(
        finished
            .stderr
            .contains(&format!("no answer from 127.0.0.1:{} within", server.port))
            && finished.stderr.contains("statement_timeout 3.0s"),
        "{}",
        finished.describe()
    );
    assert!(
        !finished.stderr.contains(PASSWORD),
        "{}",
        finished.describe()
    );
    assert!(waited <= bound, "waited {waited:?} > {bound:?}");

    // Once the server answers again, the slow revision was not recorded as
    // applied and a new run applies it.
    let next = project.sqlmig().args(["upgrade"]).run();
    assert!(
        next.code() == Some(0),
        "the next run: {}\n{}",
        next.stdout(),
        next.stderr()
    );
    let applied = server.query(
        PASSWORD,
        "SELECT revision, state FROM sqlmig_revisions ORDER BY revision",
    );
    assert_eq!(applied, ["first applied", "slow applied"]);
}

#[test]
fn a9_pgbouncer_in_transaction_mode_is_refused() {
    let Some(server) = Server::start(PASSWORD) else {
        return;
    };
    let Some(bouncer) = Pgbouncer::start(&server, PASSWORD, "transaction", 20) else {
        return;
    };
    let project = Project::new();
    project.chain(&[("first", "CREATE TABLE a9_first (id int);")]);
    let run = project
        .sqlmig()
        .args(["upgrade", "--database-url", &bouncer.url(PASSWORD)])
        .run();
    let stderr = run.stderr();
    record(&[
        ("a9.cases", 1),
        (
            "a9.passed",
            u64::from(run.code() == Some(1) && stderr.contains("PgBouncer")),
        ),
    ]);
    assert_eq!(run.code(), Some(1), "{}\n{stderr}", run.stdout());
    assert!(
        stderr.contains("pool_mode=transaction") && stderr.contains("pool_mode=session"),
        "{stderr}"
    );
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    // Nothing ran, and the lock was let go: a direct run applies it.
    let tables = server.query(
        PASSWORD,
        "SELECT count(*) FROM pg_tables WHERE tablename = 'a9_first'",
    );
    assert_eq!(tables, ["0"]);
    let locks = server.query(
        PASSWORD,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
    );
    assert_eq!(locks, ["0"], "an advisory lock outlived the refused run");
}

#[test]
fn a9_pgbouncer_in_session_mode_works() {
    let Some(server) = Server::start(PASSWORD) else {
        return;
    };
    let Some(bouncer) = Pgbouncer::start(&server, PASSWORD, "session", 1) else {
        return;
    };
    let project = Project::new();
    project.chain(&[
        ("first", "CREATE TABLE a9_first (id int);"),
        ("second", "CREATE TABLE a9_second (id int);"),
    ]);
    let run = project
        .sqlmig()
        .args(["upgrade", "--database-url", &bouncer.url(PASSWORD)])
        .run();
    record(&[
        ("a9.cases", 1),
        ("a9.passed", u64::from(run.code() == Some(0))),
    ]);
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
    let applied = server.query(
        PASSWORD,
        "SELECT revision, state FROM sqlmig_revisions ORDER BY revision",
    );
    assert_eq!(applied, ["first applied", "second applied"]);
}

/// E3 for MariaDB: a throwaway server with a test CA's certificate, which
/// names `localhost` only; each `ssl-mode` that checks something is tried
/// with the right and a wrong CA or host name.
#[test]
fn e3_mariadb_tls_modes_against_a_server_with_a_test_ca() {
    let Some(server) = MariaServer::start(true) else {
        return;
    };
    let ca = server.certs().join("ca.pem");
    let other_ca = server.certs().join("other-ca.pem");
    let (ca, other_ca) = (ca.display(), other_ca.display());
    let project = Project::new();
    project.chain(&[("first", "CREATE TABLE e3_first (id int);")]);
    // (host, parameters, connects, what the error must say)
    let cases: Vec<(&str, String, bool, &str)> = vec![
        ("127.0.0.1", String::from("ssl-mode=REQUIRED"), true, ""),
        ("localhost", String::from("ssl-mode=REQUIRED"), true, ""),
        (
            "127.0.0.1",
            format!("ssl-mode=VERIFY_CA&ssl-ca={ca}"),
            true,
            "",
        ),
        (
            "127.0.0.1",
            format!("ssl-mode=VERIFY_CA&ssl-ca={other_ca}"),
            false,
            "ssl-ca",
        ),
        // Without ssl-ca only the public web roots are trusted.
        (
            "127.0.0.1",
            String::from("ssl-mode=VERIFY_CA"),
            false,
            "TLS",
        ),
        (
            "localhost",
            format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"),
            true,
            "",
        ),
        // The certificate names localhost, not 127.0.0.1: a wrong host name.
        (
            "127.0.0.1",
            format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"),
            false,
            "VERIFY_IDENTITY",
        ),
        (
            "localhost",
            format!("ssl-mode=VERIFY_IDENTITY&ssl-ca={other_ca}"),
            false,
            "ssl-ca",
        ),
    ];
    let mut problems = Vec::new();
    for (host, params, connects, says) in &cases {
        let url = server.url(host, params);
        let run = project
            .sqlmig()
            .args(["status", "--database-url", &url])
            .run();
        let stderr = run.stderr();
        let ok = if *connects {
            run.code() == Some(0)
        } else {
            run.code() == Some(1) && stderr.contains(says) && stderr.contains("TLS with")
        };
        if stderr.contains(MARIADB_PASSWORD) || run.stdout().contains(MARIADB_PASSWORD) {
            problems.push(format!("{host} {params}: the password leaked"));
        } else if !ok {
            problems.push(format!(
                "{host} {params}: expected {}, got {:?}:\n{stderr}",
                if *connects {
                    "a connection"
                } else {
                    "a refusal"
                },
                run.code()
            ));
        }
    }
    // The server saw TLS handshakes (a connection without TLS would pass
    // the REQUIRED cases only if the driver fell back, which it must not).
    let handshakes = server.sql(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'SSL_ACCEPTS'",
    );
    let handshakes: usize = handshakes.parse().unwrap_or(0);
    if handshakes < cases.len() {
        problems.push(format!(
            "only {handshakes} TLS handshakes for {} cases",
            cases.len()
        ));
    }
    eprintln!(
        "E3 MariaDB TLS: {}/{} cases pass, {handshakes} TLS handshakes accepted",
        cases.len().saturating_sub(problems.len()),
        cases.len()
    );
    record(&[
        ("e3.cases", cases.len() as u64),
        (
            "e3.passed",
            cases.len().saturating_sub(problems.len()) as u64,
        ),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// B13 for MariaDB: the whole server (one process) paused mid-statement.
#[test]
fn b13_a_paused_mariadb_server_ends_the_run_within_the_bound() {
    let Some(server) = MariaServer::start(false) else {
        return;
    };
    let project = Project::new();
    project.chain(&[
        ("first", "CREATE TABLE b13_first (id int);"),
        ("slow", "SELECT SLEEP(2);"),
    ]);
    project.write(
        "sqlmig.toml",
        format!(
            "database_url = \"{}\"\nstatement_timeout = \"{STATEMENT_TIMEOUT_S}s\"\n",
            server.url("127.0.0.1", "ssl-mode=DISABLED")
        ),
    );
    let running = Running::start(project.sqlmig().args(["upgrade"]));
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.sql(
        "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(2)%'",
    ) != "1"
    {
        assert!(
            Instant::now() < deadline,
            "the slow statement never started; sqlmig's stderr:\n{}",
            running.stderr_so_far()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Server::signal(&[server.pid()], "STOP");
    let paused = Instant::now();
    let finished = finish_within(running, Duration::from_secs(60));
    let waited = finished.ended.saturating_duration_since(paused);
    Server::signal(&[server.pid()], "CONT");
    let limit = Duration::from_secs(STATEMENT_TIMEOUT_S);
    let bound = limit + Duration::from_secs(1) + limit / 10 + Duration::from_millis(500);
    eprintln!(
        "B13 MariaDB: a paused server ended the run {:.1} s after the pause (bound {:.1} s)",
        waited.as_secs_f64(),
        bound.as_secs_f64()
    );
    record(&[
        ("b13.runs", 1),
        ("b13.mysql_ms_max", waited.as_millis() as u64),
        ("b13.within_bound", u64::from(waited <= bound)),
    ]);
    assert_eq!(finished.code(), Some(1), "{}", finished.describe());
    assert!(
        finished
            .stderr
            .contains(&format!("no answer from 127.0.0.1:{}", server.port)),
        "{}",
        finished.describe()
    );
    assert!(
        !finished.stderr.contains(MARIADB_PASSWORD),
        "{}",
        finished.describe()
    );
    assert!(waited <= bound, "waited {waited:?} > {bound:?}");
    // Once the server answers again, a new run finishes the job.
    let next = project.sqlmig().args(["upgrade"]).run();
    assert_eq!(next.code(), Some(0), "{}", next.stderr());
    assert_eq!(
        server.sql("SELECT revision, state FROM app.sqlmig_revisions ORDER BY revision"),
        "first\tapplied\nslow\tapplied"
    );
}
