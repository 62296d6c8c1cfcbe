//! A throwaway PgBouncer (Debian's `pgbouncer` package) in front of a
//! throwaway PostgreSQL server ([`super::pg_server::Server`]), on a free
//! loopback port, for the pooler tests (docs/RELIABILITY.md A9). It runs
//! as `postgres` when the tests run as root (PgBouncer refuses root), and
//! is stopped when dropped.

#![allow(dead_code, reason = "only the reliability suite (A9) uses it")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::pg_server::{Server, skip};

const PGBOUNCER: &str = "/usr/sbin/pgbouncer";

/// A running PgBouncer.
pub(crate) struct Pgbouncer {
    child: Child,
    pub(crate) port: u16,
    pid_file: PathBuf,
    log: PathBuf,
}

impl Pgbouncer {
    /// Starts PgBouncer with `pool_mode` (`transaction`, `session`) and
    /// `pool_size` server connections in front of database `postgres` of
    /// `server`, whose `postgres` password is `password`; `None` (a loud skip, a failure under `CI=true`) without
    /// the `pgbouncer` package.
    pub(crate) fn start(
        server: &Server,
        password: &str,
        pool_mode: &str,
        pool_size: u32,
    ) -> Option<Pgbouncer> {
        if !Path::new(PGBOUNCER).exists() {
            return skip("PgBouncer (apt-get install pgbouncer)");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = server.dir();
        let users = dir.join(format!("pgbouncer-{pool_mode}.users"));
        let pid_file = dir.join(format!("pgbouncer-{pool_mode}.pid"));
        let log = dir.join(format!("pgbouncer-{pool_mode}.log"));
        let config = dir.join(format!("pgbouncer-{pool_mode}.ini"));
        std::fs::write(&users, format!("\"postgres\" \"{password}\"\n")).expect("users file");
        std::fs::write(
            &config,
            format!(
                "[databases]\npostgres = host=127.0.0.1 port={} dbname=postgres\n\n\
                 [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = scram-sha-256\nauth_file = {}\npool_mode = {pool_mode}\ndefault_pool_size = {pool_size}\n\
                 logfile = {}\npidfile = {}\nignore_startup_parameters = extra_float_digits\n",
                server.port,
                users.display(),
                log.display(),
                pid_file.display(),
            ),
        )
        .expect("pgbouncer.ini");
        let mut command = if is_root() {
            for file in [&users, &config] {
                let status = Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(file)
                    .status()
                    .expect("chown");
                assert!(status.success(), "chown {}", file.display());
            }
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", PGBOUNCER]);
            command
        } else {
            Command::new(PGBOUNCER)
        };
        let child = command
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let bouncer = Pgbouncer {
            child,
            port,
            pid_file,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not start; its log:\n{}",
                std::fs::read_to_string(&bouncer.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(bouncer)
    }

    /// A URL for `postgres` through the pooler (the password already percent-encoded).
    pub(crate) fn url(&self, password: &str) -> String {
        format!(
            "postgres://postgres:{password}@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }
}

impl Drop for Pgbouncer {
    fn drop(&mut self) {
        if let Some(pid) = std::fs::read_to_string(&self.pid_file)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
        {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}
