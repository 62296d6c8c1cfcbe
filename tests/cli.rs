//! The commands that need no database, through the binary: init, new,
//! merge, hash, verify, heads, branches, history, show.

use crate::support::Project;

fn new_revision(project: &Project, args: &[&str]) -> (String, String) {
    let json = project
        .sqlmig()
        .args(["new", "--json"])
        .args(args)
        .run()
        .success()
        .json();
    (
        json["revision"].as_str().unwrap().to_owned(),
        json["path"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn init_new_merge_and_verify_from_scratch() {
    let project = Project::new();
    std::fs::remove_dir(project.path("migrations")).unwrap();
    project
        .sqlmig()
        .args(["init"])
        .run()
        .success()
        .stdout_has("created");
    assert!(project.path("sqlmig.toml").exists() && project.path("migrations").is_dir());
    project
        .sqlmig()
        .args(["init"])
        .run()
        .failure()
        .stderr_has("already exists");

    let (first, first_path) = new_revision(&project, &["-m", "create users"]);
    assert_eq!(first.len(), 12);
    assert!(first_path.ends_with("_create_users.sql"), "{first_path}");
    let text = project.read(&first_path);
    assert!(
        text.starts_with(&format!("-- revision: {first}\n")),
        "{text}"
    );
    assert!(!text.contains("-- revises:"), "a first revision is a root");
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .success()
        .stdout_has("ok: 1 revision, head");

    // Names sort by creation, even within one second.
    let (second, second_path) = new_revision(&project, &["-m", "add posts"]);
    let (third, third_path) = new_revision(&project, &["-m", "add tags", "--branch", "tags"]);
    let mut names = vec![first_path.clone(), second_path.clone(), third_path.clone()];
    names.sort();
    assert_eq!(names, [first_path, second_path.clone(), third_path]);
    assert!(
        project
            .read(&second_path)
            .contains(&format!("-- revises: {first}\n"))
    );
    assert_ne!(first, second);

    // A second head from an older parent: `new` then needs --revises.
    let (fork, _) = new_revision(&project, &["-m", "fork", "--revises", &second[..6]]);
    project
        .sqlmig()
        .args(["new", "-m", "x"])
        .run()
        .failure()
        .stderr_has("several heads");
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("multiple heads:")
        .stderr_has("sqlmig merge -m");
    let heads = project
        .sqlmig()
        .args(["heads", "--json"])
        .run()
        .success()
        .json();
    let mut expected = vec![third.clone(), fork.clone()];
    expected.sort();
    assert_eq!(heads["heads"], serde_json::json!(expected));

    let merged = project
        .sqlmig()
        .args(["merge", "-m", "join", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(merged["revises"], serde_json::json!(expected));
    project.sqlmig().args(["verify"]).run().success();
    project
        .sqlmig()
        .args(["merge", "-m", "again"])
        .run()
        .failure()
        .stderr_has("nothing to merge");

    // An explicit id is checked.
    project
        .sqlmig()
        .args(["new", "-m", "x", "--id", "bad id"])
        .run()
        .failure()
        .stderr_has("invalid revision id `bad id`");
    project
        .sqlmig()
        .args(["new", "-m", "x", "--id", &first])
        .run()
        .failure()
        .stderr_has("already used");
    let (custom, _) = new_revision(
        &project,
        &["-m", "custom", "--id", "v2.0_custom", "--no-transaction"],
    );
    assert_eq!(custom, "v2.0_custom");
    project.sqlmig().args(["verify"]).run().success();
}

fn sample_project() -> Project {
    let project = Project::new();
    project
        .revision("1", "-- revision: aaaa1111\n-- message: root\n\n-- up\nCREATE TABLE a (x INTEGER);\n\n-- down\nDROP TABLE a;\n")
        .revision("2", "-- revision: bbbb2222\n-- revises: aaaa1111\n-- branch: left\n-- message: left\n\n-- up\nSELECT 1;\n")
        .revision("3", "-- revision: cccc3333\n-- revises: aaaa1111\n-- message: right\n\n-- up\nSELECT 2;\n")
        .revision(
            "4",
            "-- revision: dddd4444\n-- revises: bbbb2222, cccc3333\n-- message: merge\n\n-- up\n\n-- down\n",
        );
    project.sqlmig().args(["hash"]).run().success();
    project
}

#[test]
fn graph_commands_print_branches_and_merges() {
    let project = sample_project();
    let history = project.sqlmig().args(["history"]).run().success().stdout();
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(
        lines[0],
        "(bbbb2222, cccc3333) -> dddd4444 (head) (mergepoint), merge"
    );
    assert_eq!(
        lines.last().copied(),
        Some("<base> -> aaaa1111 (branchpoint), root")
    );
    assert!(history.contains("aaaa1111 -> bbbb2222 (left), left"));

    let json = project
        .sqlmig()
        .args(["history", "--json"])
        .run()
        .success()
        .json();
    let revisions = json["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 4);
    assert_eq!(revisions[0]["revision"], "dddd4444");
    assert_eq!(
        revisions[0]["revises"],
        serde_json::json!(["bbbb2222", "cccc3333"])
    );
    assert_eq!(revisions[0]["message"], "merge");
    assert_eq!(revisions[0]["path"], "migrations/4.sql");

    let range = project
        .sqlmig()
        .args(["history", "-r", "bbbb:", "--json"])
        .run()
        .success()
        .json();
    let ids: Vec<&str> = range["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["dddd4444", "bbbb2222"]);
    project
        .sqlmig()
        .args(["history", "-r", "aaaa1111:cccc3333", "--verbose"])
        .run()
        .success()
        .stdout_has("Revision: cccc3333")
        .stdout_has("Path: migrations/3.sql");
    project
        .sqlmig()
        .args(["history", "-r", "nope"])
        .run()
        .failure()
        .stderr_has("FROM:TO");

    project
        .sqlmig()
        .args(["branches"])
        .run()
        .success()
        .stdout_has("aaaa1111 (branchpoint) root")
        .stdout_has("-> bbbb2222 (left) left")
        .stdout_has("-> cccc3333 right");
    project
        .sqlmig()
        .args(["show", "left@head"])
        .run()
        .success()
        .stdout_has("Revision: dddd4444");
    let show = project
        .sqlmig()
        .args(["show", "aaaa", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(show["up"][0]["sql"], "CREATE TABLE a (x INTEGER)");
    assert_eq!(show["up"][0]["line"], 5);
    assert_eq!(show["down"][0]["sql"], "DROP TABLE a");
    project
        .sqlmig()
        .args(["show", "cccc3333", "--json"])
        .run()
        .success()
        .json()["down"]
        .is_null()
        .then_some(())
        .unwrap();
    project
        .sqlmig()
        .args(["show", "zzzz"])
        .run()
        .failure()
        .stderr_has("unknown revision `zzzz`");
}

#[test]
fn verify_catches_every_kind_of_difference() {
    let project = sample_project();
    project.sqlmig().args(["verify"]).run().success();

    // An edited revision.
    let original = project.read("migrations/2.sql");
    project.write(
        "migrations/2.sql",
        original.replace("SELECT 1", "SELECT 10"),
    );
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("modified: 2.sql (revision bbbb2222)");
    project.write("migrations/2.sql", &original);

    // A CRLF or BOM copy of a clean file is not an edit.
    project.write("migrations/2.sql", original.replace('\n', "\r\n"));
    project.sqlmig().args(["verify"]).run().success();
    project.write("migrations/2.sql", format!("\u{feff}{original}"));
    project.sqlmig().args(["verify"]).run().success();
    project.write("migrations/2.sql", &original);

    // A file added without `hash`.
    project.revision(
        "5",
        "-- revision: eeee5555\n-- revises: dddd4444\n\n-- up\nSELECT 5;\n",
    );
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("added without hash: 5.sql (revision eeee5555)");
    project.sqlmig().args(["hash"]).run().success();
    project.sqlmig().args(["verify"]).run().success();

    // A missing file.
    std::fs::remove_file(project.path("migrations/5.sql")).unwrap();
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("missing: 5.sql (revision eeee5555)");
    project.sqlmig().args(["hash"]).run().success();

    // Two heads, with the command that fixes them.
    project.revision(
        "6",
        "-- revision: ffff6666\n-- revises: cccc3333\n\n-- up\nSELECT 6;\n",
    );
    project.sqlmig().args(["hash"]).run().success();
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("multiple heads: dddd4444, ffff6666")
        .stderr_has("sqlmig merge -m \"merge heads\" dddd4444 ffff6666");
    project.write("sqlmig.toml", "allow_multiple_heads = true\n");
    project.sqlmig().args(["verify"]).run().success();

    // A sum file merged by hand, or with conflict markers.
    let sum = project.read("migrations/sqlmig.sum");
    project.write("migrations/sqlmig.sum", sum.replace("6.sql", "7.sql"));
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("header does not match");
    project.write(
        "migrations/sqlmig.sum",
        format!("<<<<<<< HEAD\n{sum}=======\n{sum}>>>>>>> other\n"),
    );
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("merge conflict");
    std::fs::remove_file(project.path("migrations/sqlmig.sum")).unwrap();
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("run `sqlmig hash`");
}

#[test]
fn configuration_errors_name_the_file_and_line() {
    let project = sample_project();
    project.write(
        "sqlmig.toml",
        "directory = \"migrations\"\ndatbase_url = \"postgres://u:Cx7-CANARY@h/db\"\n",
    );
    let run = project
        .sqlmig()
        .args(["heads"])
        .run()
        .failure()
        .stderr_has("sqlmig.toml:2:1")
        .stderr_has("datbase_url");
    assert!(!run.stderr().contains("Cx7-CANARY"));
    project.write("sqlmig.toml", "lock_timeout = \"soon\"\n");
    project
        .sqlmig()
        .args(["heads"])
        .run()
        .failure()
        .stderr_has("invalid duration `soon`");
    project.write("sqlmig.toml", "dialect = \"oracle\"\n");
    project
        .sqlmig()
        .args(["heads"])
        .run()
        .failure()
        .stderr_has("unknown dialect `oracle`");
    project
        .sqlmig()
        .args(["--config", "missing.toml", "heads"])
        .run()
        .failure()
        .stderr_has("cannot read missing.toml");
    assert_eq!(project.sqlmig().args(["bogus"]).run().code(), Some(2));
}

#[test]
fn the_example_project_verifies_and_migrates() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = Project::new();
    project
        .sqlmig()
        .current_dir(example)
        .args(["verify"])
        .run()
        .success()
        .stdout_has("7 revisions");
    let url = project.sqlite_url("demo.db");
    project
        .sqlmig()
        .current_dir(example)
        .args(["upgrade", "--database-url", &url])
        .run()
        .success();
    let status = project
        .sqlmig()
        .current_dir(example)
        .args(["status", "--json", "--database-url", &url])
        .run()
        .success()
        .json();
    assert_eq!(status["up_to_date"], true);
    assert!(
        status["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["state"] == "applied")
    );
    // The lower-casing revision has no down section: a downgrade stops before reverting anything.
    project
        .sqlmig()
        .current_dir(example)
        .args(["downgrade", "base", "--database-url", &url])
        .run()
        .failure()
        .stderr_has("no `-- down` section");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let project = Project::new();
    for number in 0..400 {
        let parent = if number == 0 {
            String::new()
        } else {
            format!("-- revises: r{:03}\n", number - 1)
        };
        project.revision(
            &format!("{number:03}"),
            &format!(
                "-- revision: r{number:03}\n{parent}-- message: {}\n\n-- up\nSELECT {number};\n",
                "x".repeat(200)
            ),
        );
    }
    for args in [
        &["history"][..],
        &["emit", "--offline", "--dialect", "sqlite"],
    ] {
        let mut child = project.sqlmig().args(args).spawn();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

/// The 32-revision fixture with five statements that PostgreSQL refuses in
/// a transaction block (fixtures/histories/postgres-no-transaction/README.md),
/// copied into a fresh project.
pub(crate) fn no_transaction_history() -> Project {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/histories/postgres-no-transaction/migrations");
    let project = Project::new();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        project.write(&format!("migrations/{name}"), std::fs::read(&path).unwrap());
    }
    project.write("sqlmig.toml", "dialect = \"postgres\"\n");
    project
}

/// Where the fixture's refused statements are, and for which versions.
const REFUSED_BEFORE_12: &str = "migrations/005_r05.sql:6:1";
const REFUSED_ALWAYS: [&str; 4] = [
    "migrations/009_r09.sql:6:1",
    "migrations/014_r14.sql:6:1",
    "migrations/020_r20.sql:7:1",
    "migrations/026_r26.sql:6:1",
];

#[test]
fn verify_names_every_statement_refused_in_a_transaction_in_one_run() {
    let project = no_transaction_history();
    let run = project.sqlmig().args(["verify"]).run().success();
    let stderr = run.stderr();
    for location in REFUSED_ALWAYS.iter().chain([&REFUSED_BEFORE_12]) {
        assert!(stderr.contains(location), "{location} missing:\n{stderr}");
    }
    assert_eq!(
        stderr
            .matches("cannot run inside a transaction block")
            .count(),
        5,
        "{stderr}"
    );
    assert!(
        stderr.contains("before PostgreSQL 12 (ALTER TYPE ... ADD VALUE)")
            && stderr.contains("checked for PostgreSQL 11.0"),
        "the version rule and the assumed version are named:\n{stderr}"
    );
    assert!(
        !stderr.contains("012_r12.sql"),
        "a `transaction: false` revision is fine:\n{stderr}"
    );
    run.stdout_has("ok: 32 revisions");

    // Servers from 12 on accept ADD VALUE in a transaction.
    let json = project
        .sqlmig()
        .args(["verify", "--server-version", "15", "--json"])
        .run()
        .success()
        .json();
    let warnings: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|warning| warning.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    for (warning, location) in warnings.iter().zip(REFUSED_ALWAYS) {
        assert!(warning.contains(location), "{warning}");
        assert!(warning.contains("add `-- transaction: false`"), "{warning}");
    }
    // The config's `server_version` says the same.
    project.write(
        "sqlmig.toml",
        "dialect = \"postgres\"\nserver_version = \"12\"\n",
    );
    let stderr = project.sqlmig().args(["verify"]).run().success().stderr();
    assert_eq!(
        stderr
            .matches("cannot run inside a transaction block")
            .count(),
        4,
        "{stderr}"
    );
    project.write(
        "sqlmig.toml",
        "dialect = \"postgres\"\nserver_version = \"twelve\"\n",
    );
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("invalid `server_version`");
}

#[test]
fn offline_scripts_refuse_every_statement_the_assumed_server_refuses_at_once() {
    let project = no_transaction_history();
    for (version, expected) in [("11", 5), ("15", 4)] {
        let run = project
            .sqlmig()
            .args(["emit", "--offline", "--server-version", version])
            .run()
            .failure();
        assert!(run.stdout().is_empty(), "no script: {}", run.stdout());
        let stderr = run.stderr();
        assert!(
            stderr.contains(&format!("on PostgreSQL {version}.0, so nothing was run")),
            "{stderr}"
        );
        for location in &REFUSED_ALWAYS {
            assert!(stderr.contains(location), "{location} missing:\n{stderr}");
        }
        assert_eq!(
            stderr.contains(REFUSED_BEFORE_12),
            expected == 5,
            "{stderr}"
        );
        assert_eq!(
            stderr.matches("add `-- transaction: false`").count(),
            expected,
            "{stderr}"
        );
    }
    // Without --server-version the oldest supported server is assumed.
    project
        .sqlmig()
        .args(["emit", "--offline", "r04"])
        .run()
        .success()
        .stdout_has("-- server:    PostgreSQL 11.0 or later");
    project
        .sqlmig()
        .args(["emit", "--offline", "--server-version", "x.1"])
        .run()
        .failure()
        .stderr_has("invalid server version");
}
