//! E: secrets (docs/RELIABILITY.md §9 E1). A canary password, plain and with
//! `@ / % :` in it, reaches sqlmig through `--database-url`,
//! `DATABASE_URL` and `sqlmig.toml`, and every command and failure path
//! runs with it: successes, a wrong password, host and port, a malformed
//! URL, a refused TLS requirement, a lock timeout, a failing migration and
//! a forced panic. Nothing sqlmig prints or writes may hold the canary, in
//! its raw, percent-encoded, base64 or hex forms.
//!
//! The TLS matrix (E3) is `tls_*` in `tests/postgres.rs` and
//! `tests/mysql.rs`, and the hostile ids and messages (E4) are in
//! `tests/emit.rs`; both report their figures to the same report.

use std::path::Path;
use std::time::Duration;

use sqlmig::DatabaseUrl;
use sqlmig::backend::{Backend, ConnectOptions, LockWait, connect};

use crate::harness::{Project, Random, Run, Running, Sqlmig, TestDb, record, revision_text};
use crate::support::database::TestUser;
use crate::support::pg_server::Server;

/// A canary password and the forms in which a leak could show.
struct Canary {
    password: String,
    forms: Vec<String>,
}

impl Canary {
    /// `Cx7-<random>-CANARY`, with `@/%:` in the middle when `special`.
    fn new(random: &mut Random, special: bool) -> Canary {
        let token = format!("{:012x}", random.next() & 0xffff_ffff_ffff);
        let password = if special {
            format!("Cx7-{token}@/%:-CANARY")
        } else {
            format!("Cx7-{token}-CANARY")
        };
        let forms = vec![
            password.clone(),
            token.clone(),
            encode(&password),
            base64(password.as_bytes()),
            password.bytes().map(|byte| format!("{byte:02x}")).collect(),
            String::from("CANARY"),
        ];
        Canary { password, forms }
    }

    /// The first form of the canary found in `text`.
    fn found_in(&self, text: &str) -> Option<&str> {
        self.forms
            .iter()
            .find(|form| text.contains(form.as_str()))
            .map(String::as_str)
    }
}

/// Percent-encoding of everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let value = chunk
            .iter()
            .enumerate()
            .fold(0u32, |value, (index, &byte)| {
                value | u32::from(byte) << (16 - 8 * index)
            });
        for index in 0..=chunk.len() {
            out.push(char::from(
                ALPHABET[(value >> (18 - 6 * index)) as usize & 63],
            ));
        }
    }
    out
}

/// How the URL reaches sqlmig.
#[derive(Debug, Clone, Copy)]
enum Delivery {
    Flag,
    Environment,
    ConfigFile,
}

/// One command line to try, with the URL it gets.
struct Scenario {
    name: &'static str,
    args: Vec<&'static str>,
    url: String,
    fault: Option<&'static str>,
    /// Another session holds the lock of this state table meanwhile.
    held_lock: Option<&'static str>,
    /// The exit code, and words of stderr, that show the path was taken.
    expect: Option<(i32, &'static str)>,
}

/// Every file below `dir` except the config file, which holds the URL by design.
fn written_files(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|name| name != "sqlmig.toml") {
                let bytes = std::fs::read(&path).unwrap_or_default();
                files.push((
                    path.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
    }
    files
}

/// Runs every scenario in every delivery mode; returns (runs, leaks).
fn run_scenarios(
    canary: &Canary,
    scenarios: &[Scenario],
    problems: &mut Vec<String>,
) -> (u64, u64) {
    let (mut runs, mut leaks) = (0, 0);
    for scenario in scenarios {
        for delivery in [Delivery::Flag, Delivery::Environment, Delivery::ConfigFile] {
            let _holder = scenario
                .held_lock
                .map(|scope| hold_lock(&scenario.url, scope));
            let project = Project::new();
            project.revision(
                "1",
                &revision_text(
                    "one",
                    &[],
                    "CREATE TABLE IF NOT EXISTS canary_one (x INTEGER);",
                    Some("DROP TABLE canary_one;"),
                ),
            );
            project.write(
                "failing/1.sql",
                revision_text(
                    "bad",
                    &[],
                    "CREATE TABLE canary_bad (x INTEGER);\nSELECT * FROM no_such_table;",
                    None,
                ),
            );
            let mut command = project
                .sqlmig()
                .env("RUST_LOG", "trace")
                .env("RUST_BACKTRACE", "1");
            if let Some(fault) = scenario.fault {
                command = command.env("SQLMIG_FAULT", fault);
            }
            command = match delivery {
                Delivery::Flag => command.args(["--database-url", &scenario.url]),
                Delivery::Environment => command.env("DATABASE_URL", &scenario.url),
                Delivery::ConfigFile => {
                    project.write(
                        "sqlmig.toml",
                        format!("database_url = \"{}\"\n", scenario.url),
                    );
                    command
                }
            };
            let run: Run = command.args(&scenario.args).run();
            runs += 1;
            let mut outputs = vec![
                (String::from("stdout"), run.stdout()),
                (String::from("stderr"), run.stderr()),
            ];
            outputs.extend(written_files(project.root()));
            for (place, text) in outputs {
                if let Some(form) = canary.found_in(&text) {
                    leaks += 1;
                    problems.push(format!(
                        "{} via {delivery:?}: `{form}` in {place}:\n{text}",
                        scenario.name
                    ));
                }
            }
            if run.stderr().contains("panicked at") && scenario.fault.is_none() {
                problems.push(format!("{} via {delivery:?} panicked", scenario.name));
            }
            if let Some((code, words)) = scenario.expect
                && (run.code() != Some(code) || !run.stderr().contains(words))
            {
                problems.push(format!(
                    "{} via {delivery:?}: expected exit {code} and {words:?}, got {:?}\n{}",
                    scenario.name,
                    run.code(),
                    run.stderr()
                ));
            }
        }
    }
    (runs, leaks)
}

/// The scenarios for a server at `address` (`host:port`) with `user` and
/// `password` (percent-encoded in the URL) on database `name`;
/// `tls_required` is the query string that demands TLS the server does not
/// have, `lock_scope` the state table whose lock the lock-timeout scenario
/// finds held.
fn scenarios(
    scheme: &str,
    user: &str,
    password: &str,
    address: &str,
    name: &str,
    tls_required: &str,
    lock_scope: &'static str,
) -> Vec<Scenario> {
    let encoded = encode(password);
    let url = |password: &str, host: &str, query: &str| {
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("{scheme}://{user}:{password}@{host}/{name}{query}")
    };
    let good = url(&encoded, address, "");
    let port = address.rsplit_once(':').map_or("", |(_, port)| port);
    let scenario = |name: &'static str, args: &[&'static str], url: String| Scenario {
        name,
        args: args.to_vec(),
        url,
        fault: None,
        held_lock: None,
        expect: None,
    };
    let expecting = |code: i32, words: &'static str, scenario: Scenario| Scenario {
        expect: Some((code, words)),
        ..scenario
    };
    let special = password.contains(['@', '/', '%', ':']);
    vec![
        expecting(0, "", scenario("status", &["status"], good.clone())),
        scenario("status --json", &["status", "--json"], good.clone()),
        expecting(
            0,
            "",
            scenario("upgrade --json", &["upgrade", "--json"], good.clone()),
        ),
        expecting(0, "", scenario("current", &["current"], good.clone())),
        scenario("check", &["check"], good.clone()),
        scenario("verify", &["verify"], good.clone()),
        expecting(0, "", scenario("emit", &["emit"], good.clone())),
        expecting(
            0,
            "",
            scenario(
                "emit --output",
                &["emit", "--output", "script.sql"],
                good.clone(),
            ),
        ),
        scenario("upgrade --dry-run", &["upgrade", "--dry-run"], good.clone()),
        scenario("repair", &["repair"], good.clone()),
        expecting(
            0,
            "",
            scenario("downgrade base", &["downgrade", "base"], good.clone()),
        ),
        expecting(
            1,
            "cannot connect",
            scenario(
                "wrong password",
                &["status"],
                url(&encode(&format!("wrong-{password}")), address, ""),
            ),
        ),
        expecting(
            1,
            "nonexistent.invalid",
            scenario(
                "wrong host",
                &["status"],
                url(
                    &encoded,
                    &format!("nonexistent.invalid:{port}"),
                    "connect_timeout=2",
                ),
            ),
        ),
        expecting(
            1,
            "cannot reach 127.0.0.1:1",
            scenario("bad port", &["status"], url(&encoded, "127.0.0.1:1", "")),
        ),
        expecting(
            1,
            "port",
            scenario(
                "port that is not a number",
                &["status"],
                url(&encoded, "127.0.0.1:port", ""),
            ),
        ),
        if special {
            expecting(
                1,
                "percent-encode",
                scenario(
                    "password not encoded",
                    &["upgrade"],
                    url(password, address, ""),
                ),
            )
        } else {
            expecting(
                0,
                "",
                scenario(
                    "password not encoded",
                    &["upgrade"],
                    url(password, address, ""),
                ),
            )
        },
        expecting(
            1,
            "TLS",
            scenario(
                "TLS required, server without TLS",
                &["upgrade"],
                url(&encoded, address, tls_required),
            ),
        ),
        expecting(
            1,
            "unknown",
            scenario(
                "unknown URL parameter",
                &["status"],
                url(&encoded, address, "sslmod=require"),
            ),
        ),
        Scenario {
            held_lock: Some(lock_scope),
            expect: Some((1, "timed out")),
            ..scenario(
                "lock timeout",
                &["upgrade", "--lock-timeout", "0"],
                good.clone(),
            )
        },
        expecting(
            1,
            "no_such_table",
            scenario(
                "migration failure",
                &["--dir", "failing", "--table", "sqlmig_failing", "upgrade"],
                good.clone(),
            ),
        ),
        Scenario {
            fault: Some("after_lock=panic"),
            expect: Some((101, "forced panic")),
            ..scenario("forced panic", &["upgrade"], good)
        },
    ]
}

/// Holds the migration lock of `url` (state table `scope`) while alive.
fn hold_lock(url: &str, scope: &str) -> Box<dyn Backend> {
    let url = DatabaseUrl::parse(url).expect("URL");
    let mut holder = connect(&url, &ConnectOptions::default()).expect("connect the holder");
    holder
        .lock(
            scope,
            LockWait {
                timeout: Duration::from_secs(5),
                stop: None,
                waiting: &mut |_| {},
            },
        )
        .expect("the lock is free");
    holder
}

/// The search would see a leak in any of the forms (a test of the test).
fn detector_finds_every_form(canary: &Canary) {
    for leaked in [
        format!("postgres://u:{}@h/db", canary.password),
        format!("postgres://u:{}@h/db", encode(&canary.password)),
        format!("password={}", base64(canary.password.as_bytes())),
    ] {
        assert!(canary.found_in(&leaked).is_some(), "{leaked}");
    }
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE");
}

/// docs/RELIABILITY.md E1 on PostgreSQL: a throwaway server with SCRAM
/// passwords (the machine's server trusts every local connection) and no
/// TLS, one role per canary.
#[test]
fn postgres_password_canary_never_shows_in_any_output() {
    let mut random = Random::new("E1 PostgreSQL canaries");
    let plain = Canary::new(&mut random, false);
    let special = Canary::new(&mut random, true);
    detector_finds_every_form(&special);
    let Some(server) = Server::start(&plain.password) else {
        return;
    };
    server.execute(
        &plain.password,
        &format!(
            "CREATE ROLE odd LOGIN SUPERUSER PASSWORD '{}'",
            special.password
        ),
    );
    let mut problems = Vec::new();
    let (mut runs, mut leaks) = (0, 0);
    for (canary, user) in [(&plain, "postgres"), (&special, "odd")] {
        let all = scenarios(
            "postgres",
            user,
            &canary.password,
            &format!("127.0.0.1:{}", server.port),
            "postgres",
            "sslmode=require",
            "\"public\".\"sqlmig_revisions\"",
        );
        let (r, l) = run_scenarios(canary, &all, &mut problems);
        runs += r;
        leaks += l;
    }
    eprintln!("E1 PostgreSQL: {runs} runs, {leaks} leaks");
    record(&[("e1.runs", runs), ("e1.leaks", leaks)]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// docs/RELIABILITY.md E1 on MariaDB: one user per canary on the machine's
/// server (which has no TLS).
#[test]
fn mysql_password_canary_never_shows_in_any_output() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    // host:port of the test server's URL.
    let address = database
        .url()
        .split_once('@')
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap_or("127.0.0.1:3306")
        .to_owned();
    let mut random = Random::new("E1 MariaDB canaries");
    let plain = Canary::new(&mut random, false);
    let special = Canary::new(&mut random, true);
    let mut problems = Vec::new();
    let (mut runs, mut leaks) = (0, 0);
    for canary in [&plain, &special] {
        let user = TestUser::create(&database, &canary.password);
        let all = scenarios(
            "mysql",
            &user.name,
            &canary.password,
            &address,
            database.name(),
            "ssl-mode=REQUIRED",
            "`sqlmig_revisions`",
        );
        let (r, l) = run_scenarios(canary, &all, &mut problems);
        runs += r;
        leaks += l;
        drop(user);
    }
    eprintln!("E1 MariaDB: {runs} runs, {leaks} leaks");
    record(&[("e1.runs", runs), ("e1.leaks", leaks)]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// What E2 sees of a running sqlmig: its argv, from `/proc/<pid>/cmdline`
/// and from `ps`, sampled every 50 ms until it exits.
fn argv_samples(running: &Running) -> Vec<String> {
    let pid = running.pid().to_string();
    let mut samples = Vec::new();
    loop {
        // `pid (comm) state ...`: gone, or a zombie, once it has exited.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next());
        if matches!(state, None | Some("Z" | "X")) {
            break;
        }
        // Empty for a moment while the process starts.
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if cmdline.is_empty() {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        samples.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        if let Ok(output) = std::process::Command::new("ps")
            .args(["-o", "args=", "-p", &pid])
            .output()
        {
            samples.push(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    samples
}

/// Writes `text` to `path` in `project` with permission bits `mode`.
fn write_secret(project: &Project, path: &str, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    project.write(path, text);
    std::fs::set_permissions(project.path(path), std::fs::Permissions::from_mode(mode))
        .expect("chmod");
}

/// docs/RELIABILITY.md E2 on a throwaway PostgreSQL server with SCRAM
/// passwords: the canary password (with `@ / % :`) reaches sqlmig through
/// `--database-url-file`, `database_url_file` in sqlmig.toml,
/// `DATABASE_URL`, `PGPASSWORD`, `~/.pgpass` and `PGPASSFILE`. Each run
/// must connect (so the password got there) and is held 1.5 s after taking
/// the lock while its argv is sampled: the canary is never in argv (nor in
/// `ps`), nor in anything printed. A URL file its group or others may read
/// draws a warning and still works; a `.pgpass` its group or others may
/// read is ignored with a warning (libpq's rule), so the connection fails,
/// saying why.
#[test]
fn e2_passwords_kept_off_argv_and_checked_at_rest() {
    let mut random = Random::new("E2 canary");
    let canary = Canary::new(&mut random, true);
    let Some(server) = Server::start(&canary.password) else {
        return;
    };
    let with_password = server.url("postgres", &encode(&canary.password), "sslmode=disable");
    let without = server.url("postgres", "", "sslmode=disable");
    // `.pgpass` escapes `:` and `\`.
    let pgpass_line = format!(
        "127.0.0.1:{}:postgres:postgres:{}\n",
        server.port,
        canary.password.replace('\\', "\\\\").replace(':', "\\:")
    );
    let project = Project::new();
    project.revision("1", &revision_text("one", &[], "SELECT 1;", None));
    let home = project.path("home");
    let home = home.to_str().expect("a UTF-8 path");

    // (name, how the run gets the URL, expected: Ok(()) or Err(words))
    type Setup<'a> = Box<dyn Fn(Sqlmig) -> Sqlmig + 'a>;
    let cases: Vec<(&str, Setup<'_>, Result<(), &str>)> = vec![
        (
            "--database-url-file (0600)",
            Box::new(|command| {
                write_secret(&project, "secrets/url", &with_password, 0o600);
                command.args(["--database-url-file", "secrets/url"])
            }),
            Ok(()),
        ),
        (
            "database_url_file in sqlmig.toml (0600)",
            Box::new(|command| {
                write_secret(&project, "secrets/url", &with_password, 0o600);
                project.write("sqlmig.toml", "database_url_file = \"secrets/url\"\n");
                command
            }),
            Ok(()),
        ),
        (
            "DATABASE_URL",
            Box::new(|command| command.env("DATABASE_URL", &with_password)),
            Ok(()),
        ),
        (
            "PGPASSWORD",
            Box::new(|command| {
                command
                    .env("PGPASSWORD", &canary.password)
                    .args(["--database-url", &without])
            }),
            Ok(()),
        ),
        (
            "~/.pgpass (0600)",
            Box::new(|command| {
                write_secret(&project, "home/.pgpass", &pgpass_line, 0o600);
                command.env("HOME", home).args(["--database-url", &without])
            }),
            Ok(()),
        ),
        (
            "PGPASSFILE (0600)",
            Box::new(|command| {
                write_secret(&project, "secrets/pgpass", &pgpass_line, 0o600);
                let file = project.path("secrets/pgpass");
                command
                    .env("PGPASSFILE", file.to_str().expect("a UTF-8 path"))
                    .args(["--database-url", &without])
            }),
            Ok(()),
        ),
        (
            "--database-url-file (0644)",
            Box::new(|command| {
                write_secret(&project, "secrets/url", &with_password, 0o644);
                command.args(["--database-url-file", "secrets/url"])
            }),
            Err("its group or others may read it (chmod 0600 it)"),
        ),
        (
            "~/.pgpass (0644)",
            Box::new(|command| {
                write_secret(&project, "home/.pgpass", &pgpass_line, 0o644);
                command.env("HOME", home).args(["--database-url", &without])
            }),
            Err("is ignored: its group or others may read it"),
        ),
    ];
    let mut problems = Vec::new();
    let (mut runs, mut argv_leaks, mut output_leaks, mut warned, mut samples_taken) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for (name, setup, expect) in &cases {
        let _ = std::fs::remove_file(project.path("sqlmig.toml"));
        let command = project
            .sqlmig()
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE")
            .env(
                "HOME",
                project.path("nohome").to_str().expect("a UTF-8 path"),
            )
            .env("SQLMIG_FAULT", "after_lock=sleep:1500")
            .args(["--table", "e2_state"]);
        let running = Running::start(setup(command).args(["upgrade"]));
        let samples = argv_samples(&running);
        let finished = running.finish();
        runs += 1;
        samples_taken += samples.len() as u64;
        for sample in &samples {
            if let Some(form) = canary.found_in(sample) {
                argv_leaks += 1;
                problems.push(format!("{name}: `{form}` in argv: {sample}"));
            }
        }
        for (place, text) in [("stdout", &finished.stdout), ("stderr", &finished.stderr)] {
            if let Some(form) = canary.found_in(text) {
                output_leaks += 1;
                problems.push(format!("{name}: `{form}` in {place}:\n{text}"));
            }
        }
        if samples.is_empty() {
            problems.push(format!("{name}: argv never sampled"));
        }
        let as_expected = match expect {
            Ok(()) => finished.code() == Some(0) && !finished.stderr.contains("warning"),
            // The 0644 URL file still works, with the warning; the 0644
            // password file is ignored, so the login fails.
            Err(words) => {
                let warning = finished.stderr.contains(words);
                warned += u64::from(warning);
                warning
                    && if name.contains("pgpass") {
                        finished.code() == Some(1) && finished.stderr.contains("password missing")
                    } else {
                        finished.code() == Some(0)
                    }
            }
        };
        if !as_expected {
            problems.push(format!(
                "{name}: expected {expect:?}\n{}",
                finished.describe()
            ));
        }
        eprintln!(
            "E2 {name}: exit {:?}, {} argv samples\n{}",
            finished.code(),
            samples.len(),
            finished.stderr
        );
    }
    record(&[
        ("e2.runs", runs),
        ("e2.argv_samples", samples_taken),
        ("e2.argv_leaks", argv_leaks),
        ("e2.output_leaks", output_leaks),
        ("e2.warnings", warned),
        ("e2.warning_cases", 2),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
