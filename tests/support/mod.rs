//! Test support: a throw-away project directory and a builder that runs the
//! real `sqlmig` binary in it, and test databases on every backend.

pub(crate) mod client;
pub(crate) mod database;
pub(crate) mod figures;
#[cfg(feature = "mysql")]
pub(crate) mod mariadb_server;
#[cfg(feature = "postgres")]
pub(crate) mod pg_server;
#[cfg(feature = "postgres")]
pub(crate) mod pgbouncer;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A temporary project: `migrations/` plus whatever a test writes.
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// An empty project with an empty `migrations/` directory.
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(dir.path().join("migrations")).expect("migrations directory");
        Project { dir }
    }

    /// The project's root.
    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the project.
    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes `content` to `relative` (parents created).
    pub(crate) fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent directory");
        }
        std::fs::write(&path, content).expect("write file");
        self
    }

    /// Reads a file of the project as text.
    pub(crate) fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("read file")
    }

    /// Writes a revision file `migrations/<name>.sql`.
    pub(crate) fn revision(&self, name: &str, content: &str) -> &Self {
        self.write(&format!("migrations/{name}.sql"), content)
    }

    /// Writes revisions that form a chain, each revising the one before
    /// (the first a root): `(id, up section)` in order, no down sections.
    pub(crate) fn chain(&self, revisions: &[(&str, &str)]) -> &Self {
        let mut parent: Option<&str> = None;
        for (number, (id, up)) in revisions.iter().enumerate() {
            let parents: Vec<&str> = parent.into_iter().collect();
            self.revision(
                &format!("{:03}_{id}", number + 1),
                &revision_text(id, &parents, up, None),
            );
            parent = Some(id);
        }
        self
    }

    /// A chain whose root creates `applied_log` and whose `count` revisions
    /// `r001`, `r002`... each create `t_<id>`, log themselves there (so a
    /// double application shows even where a key would hide it) and run
    /// `then(id)`. Returns the ids, root first.
    pub(crate) fn logged_chain(&self, count: usize, then: impl Fn(&str) -> String) -> Vec<String> {
        let mut revisions = vec![(
            String::from("root"),
            String::from("CREATE TABLE applied_log (revision VARCHAR(64) NOT NULL);"),
        )];
        revisions.extend((1..=count).map(|number| {
            let id = format!("r{number:03}");
            let up = format!(
                "CREATE TABLE t_{id} (x INTEGER);\nINSERT INTO applied_log (revision) VALUES ('{id}');\n{}",
                then(&id)
            );
            (id, up)
        }));
        let borrowed: Vec<(&str, &str)> = revisions
            .iter()
            .map(|(id, up)| (id.as_str(), up.as_str()))
            .collect();
        self.chain(&borrowed);
        revisions.into_iter().map(|(id, _)| id).collect()
    }

    /// A `sqlmig` command running in the project, with a clean environment.
    pub(crate) fn sqlmig(&self) -> Sqlmig {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sqlmig"));
        command
            .current_dir(self.root())
            .env_remove("DATABASE_URL")
            .env_remove("SQLMIG_FAULT")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        Sqlmig { command }
    }

    /// A `sqlite:` URL for a database file inside the project.
    pub(crate) fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite:{}", self.path(name).display())
    }
}

/// A `sqlmig` invocation being built.
pub(crate) struct Sqlmig {
    command: Command,
}

impl Sqlmig {
    /// Appends arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Runs in `dir` instead of the project's root.
    pub(crate) fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Sets an environment variable.
    pub(crate) fn env(mut self, key: &str, value: &str) -> Self {
        self.command.env(key, value);
        self
    }

    /// Removes an environment variable.
    pub(crate) fn env_remove(mut self, key: &str) -> Self {
        self.command.env_remove(key);
        self
    }

    /// Runs the command to completion.
    pub(crate) fn run(mut self) -> Run {
        let output = self.command.output().expect("run sqlmig");
        Run { output }
    }

    /// Starts the command without waiting.
    pub(crate) fn spawn(mut self) -> std::process::Child {
        self.command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sqlmig")
    }
}

/// A finished `sqlmig` run.
pub(crate) struct Run {
    pub(crate) output: Output,
}

impl Run {
    /// Stdout as text.
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Stderr as text.
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The exit code.
    pub(crate) fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Asserts exit 0 and returns self.
    #[track_caller]
    pub(crate) fn success(self) -> Self {
        assert_eq!(
            self.code(),
            Some(0),
            "expected success\n{}",
            self.describe()
        );
        self.no_panic()
    }

    /// Asserts exit 1 (an error or a failed check) and returns self.
    #[track_caller]
    pub(crate) fn failure(self) -> Self {
        assert_eq!(self.code(), Some(1), "expected exit 1\n{}", self.describe());
        self.no_panic()
    }

    /// Asserts nothing panicked.
    #[track_caller]
    pub(crate) fn no_panic(self) -> Self {
        assert!(
            !self.stderr().contains("panicked at"),
            "panic\n{}",
            self.describe()
        );
        self
    }

    /// Asserts stderr contains `text`.
    #[track_caller]
    pub(crate) fn stderr_has(self, text: &str) -> Self {
        assert!(
            self.stderr().contains(text),
            "stderr lacks {text:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts stdout contains `text`.
    #[track_caller]
    pub(crate) fn stdout_has(self, text: &str) -> Self {
        assert!(
            self.stdout().contains(text),
            "stdout lacks {text:?}\n{}",
            self.describe()
        );
        self
    }

    /// Stdout parsed as JSON.
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", self.describe()))
    }

    fn describe(&self) -> String {
        format!(
            "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }
}

/// A revision file's text from its parts.
pub(crate) fn revision_text(id: &str, parents: &[&str], up: &str, down: Option<&str>) -> String {
    let mut text = format!("-- revision: {id}\n");
    if !parents.is_empty() {
        text.push_str(&format!("-- revises: {}\n", parents.join(", ")));
    }
    text.push_str(&format!("-- message: revision {id}\n\n-- up\n{up}\n"));
    if let Some(down) = down {
        text.push_str(&format!("\n-- down\n{down}\n"));
    }
    text
}
