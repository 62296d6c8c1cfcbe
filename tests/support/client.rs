//! The databases' own command-line tools: their clients run a script, their
//! dump tools print the catalog (`pg_dump -s`, `mariadb-dump --no-data`,
//! `sqlite3 .schema`). A missing tool skips a test loudly, and fails it
//! under `CI=true`, as a missing server does (`support::database`).

use std::process::{Command, Output, Stdio};

use super::database::{Kind, TestDb};

pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

pub(crate) fn on_path(binary: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(binary).is_file()))
}

fn client_binaries(kind: Kind) -> [&'static str; 2] {
    match kind {
        Kind::Postgres => ["psql", "pg_dump"],
        Kind::Mysql => ["mariadb", "mariadb-dump"],
        Kind::Sqlite => ["sqlite3", "sqlite3"],
    }
}

/// Whether the dialect's client and dump tool are installed: a loud skip on a
/// user's machine, a failure under `CI=true`.
pub(crate) fn clients_available(kind: Kind) -> bool {
    let missing: Vec<&str> = client_binaries(kind)
        .into_iter()
        .filter(|binary| !on_path(binary))
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        !in_ci(),
        "{} missing on PATH under CI=true",
        missing.join(", ")
    );
    eprintln!(
        "SKIPPED: {:?} tests with the database's own client need {} on PATH",
        kind,
        missing.join(", ")
    );
    false
}

/// A `mariadb`-style command for the database of a `mysql://` URL; the
/// database name comes last, so the caller appends it.
pub(crate) fn mysql_command(binary: &str, url: &str) -> (Command, String) {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let database = path.split('?').next().unwrap_or_default().to_owned();
    let (user_info, host_port) = authority.rsplit_once('@').unwrap_or(("root", authority));
    let (user, password) = user_info
        .split_once(':')
        .map_or((user_info, None), |(user, password)| (user, Some(password)));
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "3306"));
    let mut command = Command::new(binary);
    command.args(["--host", host, "--port", port, "--user", user]);
    if let Some(password) = password {
        command.env("MYSQL_PWD", password);
    }
    (command, database)
}

/// Runs the SQL file at `path` with the database's own client, stopping at
/// the first error: `psql -X -v ON_ERROR_STOP=1 -f`, `mariadb DATABASE <`,
/// `sqlite3 -bail DATABASE <`.
pub(crate) fn run_script(test: &TestDb, path: &std::path::Path) -> Output {
    let stdin = || Stdio::from(std::fs::File::open(path).expect("open the script"));
    let mut command = match test.kind {
        Kind::Postgres => {
            let mut command = Command::new("psql");
            command
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", test.url(), "-f"])
                .arg(path)
                .stdin(Stdio::null());
            command
        }
        Kind::Mysql => {
            let (mut command, database) = mysql_command("mariadb", test.url());
            command.arg(database).stdin(stdin());
            command
        }
        Kind::Sqlite => {
            let mut command = Command::new("sqlite3");
            command.arg("-bail").arg(test.sqlite_path()).stdin(stdin());
            command
        }
    };
    command.output().expect("run the client")
}

/// The catalog as the dialect's dump tool prints it, without the tables in
/// `excluding` (sqlmig's state table, when comparing with a database that
/// never ran sqlmig).
pub(crate) fn schema(test: &TestDb, excluding: &[&str]) -> String {
    let output = match test.kind {
        Kind::Postgres => {
            let mut command = Command::new("pg_dump");
            command.args(["-s", "-d", test.url()]);
            for table in excluding {
                command.args(["-T", table]);
            }
            command.output()
        }
        Kind::Mysql => {
            let (mut command, database) = mysql_command("mariadb-dump", test.url());
            command.args([
                "--no-data",
                "--skip-dump-date",
                "--skip-comments",
                "--routines",
                "--triggers",
                "--events",
            ]);
            for table in excluding {
                command.arg(format!("--ignore-table={database}.{table}"));
            }
            command.arg(database).output()
        }
        Kind::Sqlite => Command::new("sqlite3")
            .arg(test.sqlite_path())
            .arg(".schema")
            .output(),
    }
    .expect("run the dump tool");
    assert!(
        output.status.success(),
        "the dump tool failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dump: String = String::from_utf8_lossy(&output.stdout)
        .lines()
        // pg_dump 15.14 and later fence the dump with a random key.
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .map(|line| format!("{}\n", without_auto_increment(line)))
        .collect();
    if test.kind != Kind::Sqlite || excluding.is_empty() {
        return dump;
    }
    // `.schema` cannot leave tables out: drop their statements.
    dump.split_inclusive(";\n")
        .filter(|statement| {
            !excluding.iter().any(|table| {
                statement.contains(&format!("\"{table}\""))
                    || statement.contains(&format!(" {table} "))
            })
        })
        .collect()
}

/// A MariaDB `CREATE TABLE` line without its `AUTO_INCREMENT=N` option: the
/// counter's position is not schema (`pg_dump -s` leaves out sequence values
/// too), and InnoDB does not roll it back with a failed revision.
fn without_auto_increment(line: &str) -> String {
    const OPTION: &str = " AUTO_INCREMENT=";
    match line.find(OPTION) {
        Some(at) => {
            let rest = &line[at + OPTION.len()..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            format!("{}{}", &line[..at], &rest[digits..])
        }
        None => line.to_owned(),
    }
}
