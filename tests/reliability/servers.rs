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

    // One statement's answer deadline, counted from the request, which came
    // before the pause.
    let bound = answer_bound();
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
    let bound = answer_bound();
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

/// Waits until `active()` says the slow statement runs on the server.
fn wait_until(running: &Running, what: &str, mut active: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !active() {
        assert!(
            Instant::now() < deadline,
            "{what} never started; sqlmig's stderr:\n{}",
            running.stderr_so_far()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What B11 checks of the run cut by a restart: exit 1 with one clear
/// error naming the revision under way, no panic, no password.
fn check_cut_run(finished: &Finished, revision: &str, password: &str) -> bool {
    let stderr = &finished.stderr;
    finished.code() == Some(1)
        && stderr.contains(&format!("revision {revision} failed"))
        && !stderr.contains("panicked")
        && !stderr.contains(password)
}

/// B11 on PostgreSQL: `pg_ctl restart -m fast` while a revision runs. The
/// run ends with an error naming the revision, the revision under way is
/// rolled back whole (its state row and its side effect), the ones before
/// it stay applied, and a rerun applies the rest, each once.
#[test]
fn b11_a_postgres_server_restarted_mid_run() {
    let Some(server) = Server::start(PASSWORD) else {
        return;
    };
    let project = Project::new();
    project.chain(&[
        ("r1", "CREATE TABLE applied_log (revision text NOT NULL);"),
        ("r2", "INSERT INTO applied_log VALUES ('r2');"),
        (
            "r3",
            "INSERT INTO applied_log VALUES ('r3');\nSELECT pg_sleep(5);",
        ),
        ("r4", "INSERT INTO applied_log VALUES ('r4');"),
    ]);
    project.write(
        "sqlmig.toml",
        format!(
            "database_url = \"{}\"\n",
            server.url("postgres", PASSWORD, "sslmode=disable")
        ),
    );
    let running = Running::start(project.sqlmig().args(["upgrade"]));
    wait_until(&running, "pg_sleep", || {
        server.query(
            PASSWORD,
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
               AND pid <> pg_backend_pid() AND query LIKE 'SELECT pg_sleep(5)%'",
        ) == ["1"]
    });
    let restarting = Instant::now();
    server.restart();
    let finished = finish_within(running, Duration::from_secs(60));
    let ended = finished.ended.saturating_duration_since(restarting);
    eprintln!(
        "B11 PostgreSQL: the run ended {:.1} s after the restart began; sqlmig said:\n{}",
        ended.as_secs_f64(),
        finished.stderr
    );
    let cut_ok = check_cut_run(&finished, "r3", PASSWORD);
    let state = |sql: &str| server.query(PASSWORD, sql);
    let after_cut = (
        state("SELECT revision || ' ' || state FROM sqlmig_revisions ORDER BY revision"),
        state("SELECT revision FROM applied_log ORDER BY revision"),
    );
    let rerun = project.sqlmig().args(["upgrade"]).run();
    let after_rerun = (
        state("SELECT revision || ' ' || state FROM sqlmig_revisions ORDER BY revision"),
        state("SELECT revision FROM applied_log ORDER BY revision"),
    );
    let consistent = after_cut.0 == ["r1 applied", "r2 applied"]
        && after_cut.1 == ["r2"]
        && rerun.code() == Some(0)
        && after_rerun.0 == ["r1 applied", "r2 applied", "r3 applied", "r4 applied"]
        && after_rerun.1 == ["r2", "r3", "r4"];
    record(&[
        ("b11.runs", 1),
        ("b11.consistent", u64::from(cut_ok && consistent)),
        ("b11.postgres_ms_max", ended.as_millis() as u64),
    ]);
    assert!(cut_ok, "{}", finished.describe());
    assert_eq!(after_cut.0, ["r1 applied", "r2 applied"]);
    assert_eq!(after_cut.1, ["r2"], "r3's insert must be rolled back");
    assert_eq!(rerun.code(), Some(0), "{}", rerun.stderr());
    assert_eq!(
        after_rerun.0,
        ["r1 applied", "r2 applied", "r3 applied", "r4 applied"]
    );
    assert_eq!(after_rerun.1, ["r2", "r3", "r4"], "each side effect once");
}

/// B11 on MariaDB: the server stopped (SIGTERM, as `mariadb-admin
/// shutdown`) and started again while a revision runs, twice: a revision of
/// data statements only (one transaction: rolled back whole, the rerun
/// applies it) and one with DDL (each statement commits: the `running` row
/// records the one statement that ran, the rerun refuses naming it, and
/// `repair --resume` runs the rest).
#[test]
fn b11_a_mariadb_server_restarted_mid_run() {
    let Some(mut server) = MariaServer::start(false) else {
        return;
    };
    let project = Project::new();
    project.chain(&[
        ("r1", "CREATE TABLE applied_log (revision VARCHAR(8) NOT NULL);"),
        (
            "r2",
            "INSERT INTO applied_log VALUES ('r2');\nSELECT SLEEP(5);\nINSERT INTO applied_log VALUES ('r2b');",
        ),
        (
            "r3",
            "CREATE TABLE b11_a (x int);\nSELECT SLEEP(4);\nCREATE TABLE b11_b (x int);",
        ),
    ]);
    project.write(
        "sqlmig.toml",
        format!(
            "database_url = \"{}\"\n",
            server.url("127.0.0.1", "ssl-mode=DISABLED")
        ),
    );
    let sleeping = |server: &MariaServer, seconds: u32| {
        server.sql(&format!(
            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP({seconds})%'"
        )) == "1"
    };
    let state = |server: &MariaServer| {
        server.sql(
            "SELECT revision, state, statements_run FROM app.sqlmig_revisions ORDER BY revision",
        )
    };
    let log =
        |server: &MariaServer| server.sql("SELECT revision FROM app.applied_log ORDER BY revision");

    // An upgrade, and a restart once `SELECT SLEEP(seconds)` runs.
    let cut = |server: &mut MariaServer, seconds: u32, what: &str| {
        let running = Running::start(project.sqlmig().args(["upgrade"]));
        wait_until(&running, what, || sleeping(server, seconds));
        let restarting = Instant::now();
        server.restart();
        let finished = finish_within(running, Duration::from_secs(60));
        let ended = finished.ended.saturating_duration_since(restarting);
        eprintln!(
            "B11 MariaDB ({what}): ended {:.1} s after the restart began; sqlmig said:\n{}",
            ended.as_secs_f64(),
            finished.stderr
        );
        (finished, ended)
    };
    // The transactional revision, cut.
    let (first, first_ended) = cut(&mut server, 5, "SLEEP in r2");
    let first_cut = (state(&server), log(&server));
    // The rerun applies r2, then stops in r3's DDL: restart again.
    let (second, second_ended) = cut(&mut server, 4, "SLEEP in r3");
    let second_cut = state(&server);
    let b11_tables = |server: &MariaServer| {
        server.sql(
            "SELECT table_name FROM information_schema.TABLES WHERE table_schema = 'app' \
               AND table_name LIKE 'b11%' ORDER BY table_name",
        )
    };
    let tables_after_cut = b11_tables(&server);
    let refused = project.sqlmig().args(["upgrade"]).run();
    let resumed = project.sqlmig().args(["repair", "--resume", "r3"]).run();
    let last = (state(&server), log(&server), b11_tables(&server));

    let consistent = first_cut == ("r1\tapplied\t1".to_owned(), String::new())
        && second_cut == "r1\tapplied\t1\nr2\tapplied\t3\nr3\trunning\t1"
        && tables_after_cut == "b11_a"
        && refused.code() == Some(1)
        && refused.stderr().contains("r3")
        && resumed.code() == Some(0)
        && last.0 == "r1\tapplied\t1\nr2\tapplied\t3\nr3\tapplied\t3"
        && last.1 == "r2\nr2b"
        && last.2 == "b11_a\nb11_b";
    let cut_ok = check_cut_run(&first, "r2", MARIADB_PASSWORD)
        && check_cut_run(&second, "r3", MARIADB_PASSWORD);
    record(&[
        ("b11.runs", 2),
        ("b11.consistent", 2 * u64::from(cut_ok && consistent)),
        (
            "b11.mysql_ms_max",
            first_ended.max(second_ended).as_millis() as u64,
        ),
    ]);
    assert!(cut_ok, "{}\n---\n{}", first.describe(), second.describe());
    assert_eq!(first_cut, ("r1\tapplied\t1".to_owned(), String::new()));
    assert_eq!(second_cut, "r1\tapplied\t1\nr2\tapplied\t3\nr3\trunning\t1");
    assert_eq!(tables_after_cut, "b11_a");
    assert_eq!(refused.code(), Some(1), "{}", refused.stderr());
    assert!(refused.stderr().contains("r3"), "{}", refused.stderr());
    assert_eq!(resumed.code(), Some(0), "{}", resumed.stderr());
    assert_eq!(last.0, "r1\tapplied\t1\nr2\tapplied\t3\nr3\tapplied\t3");
    assert_eq!(last.1, "r2\nr2b");
    assert_eq!(last.2, "b11_a\nb11_b");
}

/// A TCP proxy on a free loopback port in front of `target`, which
/// forwards both ways until [`Proxy::cut`]: then it stops forwarding but
/// keeps every connection open, as a network that silently drops packets
/// (the kernel still acknowledges, so TCP keepalive sees nothing wrong).
struct Proxy {
    port: u16,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    fn start(target: u16) -> Proxy {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let port = listener.local_addr().expect("the proxy's port").port();
        let cut = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (cut_flag, stop_flag) = (Arc::clone(&cut), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stop_flag.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let Ok(server) = std::net::TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                for (from, to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ] {
                    let (Ok(from), Ok(to)) = (from, to) else {
                        continue;
                    };
                    let (cut, stop) = (Arc::clone(&cut_flag), Arc::clone(&stop_flag));
                    std::thread::spawn(move || forward(from, to, &cut, &stop));
                }
            }
        });
        Proxy { port, cut, stop }
    }

    /// From now on nothing goes through, and nothing is closed.
    fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Copies `from` to `to` until either closes, the proxy is cut (then it
/// holds both open, reading nothing, until the proxy is dropped) or stopped.
fn forward(
    mut from: std::net::TcpStream,
    mut to: std::net::TcpStream,
    cut: &std::sync::atomic::AtomicBool,
    stop: &std::sync::atomic::AtomicBool,
) {
    use std::io::{Read as _, Write as _};
    use std::sync::atomic::Ordering;
    let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buffer = [0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        if cut.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => {
                if to.write_all(&buffer[..read]).is_err() {
                    break;
                }
            }
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// The answer deadline of one request under `statement_timeout`
/// [`STATEMENT_TIMEOUT_S`] (the limit, plus 1 s and a tenth), plus half a
/// second for the process to report and exit.
fn answer_bound() -> Duration {
    let limit = Duration::from_secs(STATEMENT_TIMEOUT_S);
    limit + Duration::from_secs(1) + limit / 10 + Duration::from_millis(500)
}

/// A network cut between sqlmig and the server, made by a proxy that stops
/// forwarding without closing anything: mid-statement on PostgreSQL and on
/// MariaDB, and on PostgreSQL before the connection's first answer. Each
/// run ends with exit 1 and an error naming the server within its bound:
/// the answer deadline of `statement_timeout` mid-statement,
/// `connect_timeout` (2 s here) plus half a second when connecting. On
/// PostgreSQL the next run, direct, applies what was left.
#[test]
fn a_network_cut_ends_the_run_within_the_bound() {
    let Some(server) = Server::start(PASSWORD) else {
        return;
    };
    let Some(maria) = MariaServer::start(false) else {
        return;
    };
    let mut problems = Vec::new();
    let mut waits = Vec::new();
    let mut within = 0;
    // (name, proxied URL, direct URL, the statement to cut in, or none: cut from the start)
    let cases = [
        (
            "PostgreSQL mid-statement",
            Proxy::start(server.port),
            server.url("postgres", PASSWORD, "sslmode=disable"),
            Some("SELECT pg_sleep(2)"),
        ),
        (
            "PostgreSQL connecting",
            Proxy::start(server.port),
            server.url("postgres", PASSWORD, "sslmode=disable&connect_timeout=2"),
            None,
        ),
        (
            "MariaDB mid-statement",
            Proxy::start(maria.port),
            maria.url("127.0.0.1", "ssl-mode=DISABLED"),
            Some("SELECT SLEEP(2)"),
        ),
    ];
    for (index, (name, proxy, direct, statement)) in cases.into_iter().enumerate() {
        let port = if name.starts_with("PostgreSQL") {
            server.port
        } else {
            maria.port
        };
        let proxied = direct.replace(
            &format!("127.0.0.1:{port}"),
            &format!("127.0.0.1:{}", proxy.port),
        );
        let project = Project::new();
        let table = format!("cut_{index}");
        project.chain(&[
            ("first", &format!("CREATE TABLE {table} (id int);")),
            ("slow", &format!("{};", statement.unwrap_or("SELECT 1"))),
        ]);
        project.write(
            "sqlmig.toml",
            format!("statement_timeout = \"{STATEMENT_TIMEOUT_S}s\"\n"),
        );
        if statement.is_none() {
            proxy.cut();
        }
        let launched = Instant::now();
        let running =
            Running::start(
                project
                    .sqlmig()
                    .args(["upgrade", "--database-url", &proxied]),
            );
        let cut_at = match statement {
            Some(statement) => {
                wait_until(&running, statement, || {
                    if name.starts_with("PostgreSQL") {
                        server.query(
                            PASSWORD,
                            &format!(
                                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
                                   AND pid <> pg_backend_pid() AND query LIKE '{statement}%'"
                            ),
                        ) == ["1"]
                    } else {
                        maria.sql(&format!(
                            "SELECT count(*) FROM information_schema.PROCESSLIST \
                               WHERE INFO LIKE '{statement}%'"
                        )) == "1"
                    }
                });
                proxy.cut();
                Instant::now()
            }
            None => launched,
        };
        let finished = finish_within(running, Duration::from_secs(60));
        let waited = finished.ended.saturating_duration_since(cut_at);
        let bound = match statement {
            Some(_) => answer_bound(),
            None => Duration::from_millis(2500),
        };
        within += u64::from(waited <= bound);
        eprintln!(
            "network cut, {name}: the run ended {:.1} s after the cut (bound {:.1} s); sqlmig said:\n{}",
            waited.as_secs_f64(),
            bound.as_secs_f64(),
            finished.stderr
        );
        waits.push(waited);
        let said = finished
            .stderr
            .contains(&format!("127.0.0.1:{}", proxy.port));
        if finished.code() != Some(1) || !said || waited > bound {
            problems.push(format!(
                "{name}: waited {waited:?} (bound {bound:?})\n{}",
                finished.describe()
            ));
        }
        if finished.stderr.contains(PASSWORD) || finished.stderr.contains(MARIADB_PASSWORD) {
            problems.push(format!("{name}: a password in the output"));
        }
        drop(proxy);
        if name.starts_with("PostgreSQL") {
            // The abandoned session goes when the server notices; a direct
            // run then applies what was left.
            let next = project
                .sqlmig()
                .args([
                    "upgrade",
                    "--database-url",
                    &direct,
                    "--lock-timeout",
                    "30s",
                ])
                .run();
            if next.code() != Some(0) {
                problems.push(format!("{name}: the next run failed\n{}", next.stderr()));
            }
            server.execute(PASSWORD, "DROP TABLE IF EXISTS sqlmig_revisions");
        }
    }
    let longest = waits.iter().max().copied().unwrap_or_default();
    record(&[
        ("cut.runs", waits.len() as u64),
        ("cut.within_bound", within),
        ("cut.ms_max", longest.as_millis() as u64),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
