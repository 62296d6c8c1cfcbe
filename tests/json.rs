//! `--json` on every command (issue 17, SPEC §4): on success stdout is one
//! JSON object with the command's keys; on failure it is
//! `{"error": {"message", "file", "line", "revision"}}` and the exit code is 1
//! (2 for bad usage), so a script always has JSON to read.

use serde_json::Value;

use crate::support::{Project, revision_text};

/// The first-hour SQLite project (`a` → `b`, both reversible) with a
/// `schema.sql` equal to what they give, named as `schema_file`.
fn project() -> Project {
    let project = crate::first_hour::sqlite_project();
    let config = project.read("sqlmig.toml");
    project.write(
        "sqlmig.toml",
        format!("{config}schema_file = \"schema.sql\"\n"),
    );
    project.write(
        "schema.sql",
        "CREATE TABLE a (x INTEGER);\nCREATE TABLE b (x INTEGER);\n",
    );
    project
}

/// Runs `sqlmig ARGS --json`, asserts the exit code, that stdout is one JSON
/// object and that it has every key of `keys`; returns it.
#[track_caller]
fn json(project: &Project, args: &[&str], code: i32, keys: &[&str]) -> Value {
    let run = project.sqlmig().args(args).arg_json().run().no_panic();
    assert_eq!(run.code(), Some(code), "sqlmig {args:?}: {}", run.stderr());
    let value = run.json();
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("sqlmig {args:?}: not an object: {value}"));
    for key in keys {
        assert!(
            object.contains_key(*key),
            "sqlmig {args:?}: no key {key:?} in {value}"
        );
    }
    value
}

/// Runs `sqlmig ARGS --json` that must fail with `code`, and checks the error
/// object: a message that stderr also shows, and the location keys.
#[track_caller]
fn error(project: &Project, args: &[&str], code: i32) -> Value {
    let run = project.sqlmig().args(args).arg_json().run().no_panic();
    assert_eq!(run.code(), Some(code), "sqlmig {args:?}: {}", run.stdout());
    let value = run.json();
    let error = &value["error"];
    let message = error["message"]
        .as_str()
        .unwrap_or_else(|| panic!("sqlmig {args:?}: no error message in {value}"));
    assert!(!message.is_empty(), "sqlmig {args:?}: empty message");
    let first = message.lines().next().unwrap_or_default();
    assert!(
        run.stderr().contains(first),
        "sqlmig {args:?}: stderr lacks {first:?}: {}",
        run.stderr()
    );
    for key in ["file", "line", "revision"] {
        assert!(
            error.get(key).is_some(),
            "sqlmig {args:?}: no key {key:?} in {value}"
        );
    }
    value
}

trait JsonFlag {
    fn arg_json(self) -> Self;
}

impl JsonFlag for crate::support::Sqlmig {
    fn arg_json(self) -> Self {
        self.args(["--json"])
    }
}

#[test]
fn every_command_prints_its_keys_on_success() {
    let project = project();
    json(&project, &["heads"], 0, &["heads"]);
    json(&project, &["branches"], 0, &["branch_points"]);
    let history = json(&project, &["history"], 0, &["revisions"]);
    for key in ["revision", "revises", "message", "path"] {
        assert!(history["revisions"][0].get(key).is_some(), "{history}");
    }
    assert_eq!(history["revisions"][0]["revision"], "b", "newest first");
    json(
        &project,
        &["show", "a"],
        0,
        &["revision", "revises", "message", "path", "checksum"],
    );
    json(&project, &["hash"], 0, &["path", "revisions"]);
    let verify = json(
        &project,
        &["verify"],
        0,
        &["ok", "files", "heads", "problems", "warnings"],
    );
    assert_eq!(verify["ok"], true);
    json(&project, &["lint"], 0, &["findings"]);
    let test = json(&project, &["test"], 0, &["revisions", "passed", "failed"]);
    assert_eq!(test["passed"], 2, "{test}");
    let plan = json(
        &project,
        &["upgrade", "--dry-run"],
        0,
        &["direction", "dry_run", "revisions", "from", "to"],
    );
    assert_eq!(plan["revisions"], serde_json::json!(["a", "b"]));
    json(&project, &["upgrade", "a"], 0, &["direction", "revisions"]);
    let check = json(&project, &["check"], 1, &["up_to_date", "pending"]);
    assert_eq!(check["pending"], serde_json::json!(["b"]), "{check}");
    let emit = json(&project, &["emit"], 0, &["dialect", "direction", "script"]);
    assert!(
        emit["script"]
            .as_str()
            .is_some_and(|s| s.contains("CREATE TABLE b"))
    );
    json(&project, &["upgrade"], 0, &["direction", "revisions"]);
    json(&project, &["current"], 0, &["current"]);
    let status = json(
        &project,
        &["status"],
        0,
        &["dialect", "current", "revisions"],
    );
    for key in ["revision", "message", "state", "checksum_ok"] {
        assert!(status["revisions"][1].get(key).is_some(), "{status}");
    }
    json(&project, &["check"], 0, &["up_to_date", "pending"]);
    json(&project, &["stamp", "head"], 0, &["stamped", "removed"]);
    json(&project, &["repair"], 0, &["changes", "problems"]);
    let schema = json(
        &project,
        &["schema"],
        0,
        &["tables", "views", "not_compared"],
    );
    assert_eq!(
        schema["tables"].as_array().map(Vec::len),
        Some(2),
        "{schema}"
    );
    let diff = json(
        &project,
        &["diff", "--to", "sqlite:app.db"],
        0,
        &["equal", "changes"],
    );
    assert_eq!(diff["equal"], true, "{diff}");
    json(
        &project,
        &["check", "--schema-file"],
        0,
        &["equal", "changes"],
    );
    json(&project, &["check", "--drift"], 0, &["equal", "changes"]);
    json(
        &project,
        &["emit", "--offline", "--dialect", "postgres"],
        0,
        &["dialect", "direction", "script"],
    );
    json(
        &project,
        &["downgrade", "-1"],
        0,
        &["direction", "revisions"],
    );
    json(&project, &["completions", "bash"], 0, &["shell", "script"]);
    json(&project, &["man"], 0, &["format", "page"]);

    // A fresh project: init, two roots from new, their merge.
    let fresh = Project::new();
    json(&fresh, &["init"], 0, &["config", "directory"]);
    json(&fresh, &["new", "-m", "one"], 0, &["path", "revision"]);
    json(
        &fresh,
        &["new", "-m", "two", "--revises", "base"],
        0,
        &["path", "revision"],
    );
    json(&fresh, &["merge", "-m", "both"], 0, &["path", "revision"]);

    // import, from a dbmate directory.
    fresh.write(
        "db/migrations/20240101000000_users.sql",
        "-- migrate:up\nCREATE TABLE users (id INTEGER);\n-- migrate:down\nDROP TABLE users;\n",
    );
    json(
        &fresh,
        &[
            "import",
            "--from",
            "dbmate",
            "db/migrations",
            "--dir",
            "imported",
            "--dry-run",
        ],
        0,
        &["revisions"],
    );
}

#[test]
fn every_command_prints_an_error_object_on_failure() {
    let project = project();
    // Failures that need a valid project.
    error(&project, &["init"], 1);
    error(&project, &["new", "-m", "x", "--revises", "nope"], 1);
    error(&project, &["show", "nope"], 1);
    error(&project, &["merge", "-m", "x"], 1);
    error(&project, &["upgrade", "nope"], 1);
    error(&project, &["downgrade", "nope"], 1);
    error(&project, &["stamp", "nope"], 1);
    error(&project, &["repair", "--clear-failed", "nope"], 1);
    error(
        &project,
        &["emit", "--offline", "--dialect", "sqlite", "nope"],
        1,
    );
    error(&project, &["diff", "--to", "app.db"], 1);
    error(&project, &["import", "--from", "dbmate", "no/such/dir"], 1);
    for command in [
        &["current"][..],
        &["status"],
        &["check"],
        &["schema"],
        &["check", "--drift"],
    ] {
        let mut args = command.to_vec();
        args.extend(["--database-url", "nosuch://host/db"]);
        error(&project, &args, 1);
    }
    // Bad usage: exit 2, the object still on stdout.
    error(&project, &["completions", "fsh"], 2);
    error(&project, &["man", "extra"], 2);
    error(&project, &["heads", "--bogus"], 2);

    // A revision file that does not parse: every reading command names it.
    project.revision(
        "003_broken",
        "-- revision: c\n-- revises: b\n-- bogus: key\n\n-- up\nSELECT 1;\n",
    );
    for command in [
        &["heads"][..],
        &["branches"],
        &["history"],
        &["hash"],
        &["lint"],
        &["test"],
        &["upgrade"],
        &["check", "--schema-file"],
    ] {
        let value = error(&project, command, 1);
        assert!(
            value["error"]["file"]
                .as_str()
                .is_some_and(|file| file.ends_with("003_broken.sql")),
            "sqlmig {command:?}: {value}"
        );
        assert_eq!(value["error"]["line"], 3, "sqlmig {command:?}: {value}");
    }
    // verify is a check: its report, with the problem, and exit 1.
    let verify = json(&project, &["verify"], 1, &["ok", "problems"]);
    assert_eq!(verify["ok"], false);
    assert!(
        verify["problems"][0]
            .as_str()
            .is_some_and(|problem| problem.contains("003_broken.sql:3:")),
        "{verify}"
    );
}

#[test]
fn a_failed_statement_names_its_revision_file_and_line() {
    let project = project();
    project.revision(
        "003_c",
        &revision_text(
            "c",
            &["b"],
            "CREATE TABLE c (z INTEGER);\nSELECT * FROM missing;",
            None,
        ),
    );
    project.sqlmig().args(["hash"]).run().success();
    let value = error(&project, &["upgrade"], 1);
    assert_eq!(value["error"]["revision"], "c", "{value}");
    assert!(
        value["error"]["file"]
            .as_str()
            .is_some_and(|file| file.ends_with("003_c.sql")),
        "{value}"
    );
    assert!(value["error"]["line"].as_u64().is_some(), "{value}");
}
