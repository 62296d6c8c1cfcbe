//! A throwaway PostgreSQL server for tests that need a configuration the
//! machine's server does not have (TLS off, password authentication) or a
//! server they may stop: `initdb` into a temporary directory, run as
//! `postgres` through `runuser` when the tests run as root.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlmig::DatabaseUrl;
use sqlmig::backend::{Backend, ConnectOptions, connect};
use sqlmig::sql::Sql;

/// A PostgreSQL server of its own, for one test: `ssl = off`, SCRAM
/// passwords, listening on 127.0.0.1 at a free port and on a socket in its
/// directory. Stopped (immediately) when dropped, even if the test fails.
pub(crate) struct Server {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub(crate) port: u16,
    as_postgres: bool,
}

impl Server {
    /// Starts a server whose `postgres` password is `password`, or returns
    /// `None` (a loud skip; a failure under `CI=true`) if PostgreSQL's
    /// binaries are not installed.
    pub(crate) fn start(password: &str) -> Option<Server> {
        let Some(bin) = postgres_bin() else {
            return skip("PostgreSQL binaries under /usr/lib/postgresql/*/bin");
        };
        let as_postgres = is_root();
        if as_postgres
            && !Path::new("/usr/sbin/runuser").exists()
            && !Path::new("/sbin/runuser").exists()
        {
            return skip("runuser (initdb refuses to run as root)");
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("password"), password).expect("password file");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let server = Server {
            dir,
            bin,
            port,
            as_postgres,
        };
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(server.dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown the server's directory to postgres");
        }
        let data = server.data();
        let password_file = server.dir.path().join("password");
        server.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=scram-sha-256".as_ref(),
                "--pwfile".as_ref(),
                password_file.as_os_str(),
                "--no-sync".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C".as_ref(),
            ],
        );
        let settings = format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nssl = off\nfsync = off\nmax_connections = 20\nshared_buffers = 16MB\n",
            server.dir.path().display()
        );
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("write postgresql.conf");
        let log = server.dir.path().join("server.log");
        server.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "30".as_ref(),
                "start".as_ref(),
            ],
        );
        Some(server)
    }

    /// `pg_ctl restart -m fast`: every session is terminated and its open
    /// transaction rolled back, then the server starts again on its port.
    #[allow(dead_code, reason = "only the reliability suite (B11) uses it")]
    pub(crate) fn restart(&self) {
        let data = self.data();
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "30".as_ref(),
                "restart".as_ref(),
            ],
        );
    }

    pub(crate) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs one of the server's programs, as `postgres` when sqlmig's tests run as root.
    pub(crate) fn run(&self, program: &str, args: &[&std::ffi::OsStr]) {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        let output = command
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        assert!(
            output.status.success(),
            "{program} failed:\n{}\n{}\nlog:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
    }

    /// A URL for `user` (the password already percent-encoded) on database `postgres`.
    pub(crate) fn url(&self, user: &str, password: &str, params: &str) -> String {
        let userinfo = if password.is_empty() {
            user.to_owned()
        } else {
            format!("{user}:{password}")
        };
        let url = format!("postgres://{userinfo}@127.0.0.1:{}/postgres", self.port);
        if params.is_empty() {
            url
        } else {
            format!("{url}?{params}")
        }
    }

    pub(crate) fn execute(&self, password: &str, sql: &str) {
        let mut connection = connection(&self.url("postgres", password, "sslmode=disable"));
        connection
            .execute(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    /// Each row's values joined by spaces.
    pub(crate) fn query(&self, password: &str, sql: &str) -> Vec<String> {
        let mut connection = connection(&self.url("postgres", password, "sslmode=disable"));
        let rows = connection
            .query(&Sql {
                text: sql.to_owned(),
                params: Vec::new(),
            })
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
        rows.iter()
            .map(|row| {
                row.iter()
                    .map(|value| value.as_text().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }
}

impl Server {
    /// The server's processes: the postmaster (from `postmaster.pid`) and
    /// its children (backends, checkpointer, walwriter...).
    pub(crate) fn processes(&self) -> Vec<u32> {
        let pid_file =
            std::fs::read_to_string(self.data().join("postmaster.pid")).expect("postmaster.pid");
        let postmaster: u32 = pid_file
            .lines()
            .next()
            .and_then(|line| line.trim().parse().ok())
            .expect("the postmaster's pid");
        let mut pids = vec![postmaster];
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|ppid| ppid.parse::<u32>().ok());
            if parent == Some(postmaster) {
                pids.push(pid);
            }
        }
        pids
    }

    /// Sends `signal` (`STOP`, `CONT`) to every process of `pids`.
    #[allow(dead_code, reason = "only the reliability suite (B13) uses it")]
    /// A process that ended meanwhile (a helper connection's backend) is
    /// skipped; the postmaster, first, must get it.
    pub(crate) fn signal(pids: &[u32], signal: &str) {
        for (index, pid) in pids.iter().enumerate() {
            let status = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(pid.to_string())
                .stderr(std::process::Stdio::null())
                .status()
                .expect("kill");
            assert!(index > 0 || status.success(), "kill -{signal} {pid}");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let data = self.data();
        let path = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        // Whatever happened in the test, the server must not outlive it (a
        // paused one is woken first, or it could not stop).
        if self.data().join("postmaster.pid").exists() {
            let pids = self.processes();
            let _ = Command::new("kill")
                .arg("-CONT")
                .args(pids.iter().map(u32::to_string))
                .status();
        }
        let _ = command
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb`.
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

/// A loud skip on a developer's machine, a failure under `CI=true`.
pub(crate) fn skip<T>(what: &str) -> Option<T> {
    let in_ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    assert!(!in_ci, "this test needs {what} under CI=true");
    eprintln!("SKIPPED: this test needs {what}");
    None
}

/// A connection through sqlmig's own backend.
fn connection(url: &str) -> Box<dyn Backend> {
    let url = DatabaseUrl::parse(url).expect("a PostgreSQL URL");
    connect(&url, &ConnectOptions::default()).expect("connect")
}
