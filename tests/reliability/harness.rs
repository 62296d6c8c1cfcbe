//! What every group of the suite needs: fresh databases, processes whose
//! stderr is watched as it arrives (to act at a fault point), real SIGKILLs,
//! a seeded random source, per-dialect SQL and an oracle of the state table.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, ExitStatus};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub(crate) use crate::support::database::{Kind, TestDb};
pub(crate) use crate::support::figures::record;
pub(crate) use crate::support::{Project, Run, Sqlmig, revision_text};

/// `SQLMIG_SOAK=1`: the long repeat counts, for runs outside CI.
pub(crate) fn soak() -> bool {
    std::env::var("SQLMIG_SOAK").is_ok_and(|value| value == "1" || value == "true")
}

/// `ci` normally, `soak` under `SQLMIG_SOAK=1`.
pub(crate) fn scaled(ci: usize, soak_count: usize) -> usize {
    if soak() { soak_count } else { ci }
}

/// A fresh database of `kind`: a file in `project` for SQLite, a new
/// database on the machine's server otherwise (`None`: skipped, no server).
pub(crate) fn fresh(kind: Kind, project: &Project) -> Option<TestDb> {
    match kind {
        Kind::Sqlite => Some(TestDb::sqlite(project)),
        Kind::Postgres => TestDb::postgres(),
        Kind::Mysql => TestDb::mysql(),
    }
}

/// Writes `sqlmig.toml` pointing at `database`, plus `extra` lines.
pub(crate) fn configure(project: &Project, database: &TestDb, extra: &str) {
    project.write(
        "sqlmig.toml",
        format!("database_url = \"{}\"\n{extra}", database.url()),
    );
}

/// A statement that keeps the server busy for about `seconds`.
pub(crate) fn pause(kind: Kind, seconds: f64) -> String {
    match kind {
        Kind::Postgres => format!("SELECT pg_sleep({seconds});"),
        Kind::Mysql => format!("SELECT SLEEP({seconds});"),
        // SQLite has no sleep: count through a recursive CTE instead (about
        // a million rows a second in a test build).
        Kind::Sqlite => format!(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {}) SELECT count(*) FROM c;",
            (seconds * 1_000_000.0).max(1.0) as u64
        ),
    }
}

/// One row of the state table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) revision: String,
    pub(crate) state: String,
    pub(crate) statements_run: u64,
}

/// The state table's rows, by revision (empty without a state table).
pub(crate) fn history(database: &TestDb) -> Vec<Row> {
    if !database.table_exists("sqlmig_revisions") {
        return Vec::new();
    }
    database
        .query("SELECT revision, state, statements_run FROM sqlmig_revisions ORDER BY revision")
        .into_iter()
        .map(|row| {
            let mut values = row.into_iter().map(Option::unwrap_or_default);
            Row {
                revision: values.next().unwrap_or_default(),
                state: values.next().unwrap_or_default(),
                statements_run: values.next().unwrap_or_default().parse().unwrap_or(0),
            }
        })
        .collect()
}

/// How often each revision's side effect ran (`applied_log`), by revision.
pub(crate) fn side_effects(database: &TestDb) -> Vec<(String, u64)> {
    if !database.table_exists("applied_log") {
        return Vec::new();
    }
    database
        .query("SELECT revision, COUNT(*) FROM applied_log GROUP BY revision ORDER BY revision")
        .into_iter()
        .map(|row| {
            let mut values = row.into_iter().map(Option::unwrap_or_default);
            (
                values.next().unwrap_or_default(),
                values.next().unwrap_or_default().parse().unwrap_or(0),
            )
        })
        .collect()
}

/// A `sqlmig` process running in the background; its stderr is read as it
/// arrives, each line with the moment it came.
pub(crate) struct Running {
    child: Child,
    started: Instant,
    stderr: Arc<Mutex<Vec<(Instant, String)>>>,
    stderr_reader: Option<JoinHandle<()>>,
    stdout_reader: Option<JoinHandle<Vec<u8>>>,
}

/// A finished background `sqlmig`.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    /// When it was started and when it was seen to end.
    pub(crate) started: Instant,
    pub(crate) ended: Instant,
}

impl Running {
    /// Starts `command` in the background.
    pub(crate) fn start(command: Sqlmig) -> Running {
        let started = Instant::now();
        let mut child = command.spawn();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&stderr);
        let pipe = child.stderr.take().expect("piped stderr");
        let stderr_reader = std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                lines
                    .lock()
                    .expect("stderr lines")
                    .push((Instant::now(), line));
            }
        });
        let mut pipe = child.stdout.take().expect("piped stdout");
        let stdout_reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        });
        Running {
            child,
            started,
            stderr,
            stderr_reader: Some(stderr_reader),
            stdout_reader: Some(stdout_reader),
        }
    }

    /// When the process printed a line containing `text` (waiting up to
    /// `timeout`), or `None` if it exited or the time ran out first.
    pub(crate) fn try_wait_for(&mut self, text: &str, timeout: Duration) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some((at, _)) = self
                .stderr
                .lock()
                .expect("stderr lines")
                .iter()
                .find(|(_, line)| line.contains(text))
            {
                return Some(*at);
            }
            let exited = matches!(self.child.try_wait(), Ok(Some(_)));
            if Instant::now() > deadline || exited {
                // One last look: the line may have come with the exit.
                std::thread::sleep(Duration::from_millis(20));
                return self
                    .stderr
                    .lock()
                    .expect("stderr lines")
                    .iter()
                    .find(|(_, line)| line.contains(text))
                    .map(|(at, _)| *at);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// As [`Running::try_wait_for`], failing the test if the line never comes.
    #[track_caller]
    pub(crate) fn wait_for(&mut self, text: &str, timeout: Duration) -> Instant {
        match self.try_wait_for(text, timeout) {
            Some(at) => at,
            None => panic!(
                "sqlmig never printed {text:?}; stderr so far:\n{}",
                self.stderr_so_far()
            ),
        }
    }

    /// What the process printed on stderr so far.
    pub(crate) fn stderr_so_far(&self) -> String {
        self.stderr
            .lock()
            .expect("stderr lines")
            .iter()
            .map(|(_, line)| format!("{line}\n"))
            .collect()
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (`TERM`, `INT`) to the process.
    pub(crate) fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{signal}");
    }

    /// Sends SIGKILL (what `Child::kill` does on Unix): no cleanup at all.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
    }

    /// Waits for the process to end.
    pub(crate) fn finish(mut self) -> Finished {
        let status = self.child.wait().expect("wait for sqlmig");
        let ended = Instant::now();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let stdout = self
            .stdout_reader
            .take()
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        Finished {
            status,
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: self.stderr_so_far(),
            started: self.started,
            ended,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failing test must not leave a sqlmig running.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Finished {
    /// The exit code (`None` when a signal ended it).
    pub(crate) fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The signal that ended it.
    pub(crate) fn signal(&self) -> Option<i32> {
        use std::os::unix::process::ExitStatusExt as _;
        self.status.signal()
    }

    /// Both outputs, for assertion messages.
    pub(crate) fn describe(&self) -> String {
        format!(
            "status: {:?}\n--- stdout\n{}--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// A small seeded random source (xorshift64*): the seed is printed, and
/// `SQLMIG_SEED` replays a run.
pub(crate) struct Random(u64);

impl Random {
    /// Seeded from `SQLMIG_SEED` or the clock; says which on stderr.
    pub(crate) fn new(what: &str) -> Random {
        let seed = std::env::var("SQLMIG_SEED")
            .ok()
            .and_then(|seed| seed.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |since| since.as_nanos() as u64)
                    ^ u64::from(std::process::id())
            });
        eprintln!("{what}: SQLMIG_SEED={seed}");
        Random(seed.max(1))
    }

    /// The next number.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..bound`.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}
