//! The first hour of a new user (issue 17): installing, the README's config,
//! mistyped flags, config discovery, completions and the man page.

use crate::support::Project;

/// A project whose `sqlmig.toml` names a SQLite file, with a chain of two
/// revisions `a` then `b`, each with a down section.
pub(crate) fn sqlite_project() -> Project {
    let project = Project::new();
    project.write(
        "sqlmig.toml",
        "directory = \"migrations\"\ndatabase_url = \"sqlite:app.db\"\n",
    );
    project.revision(
        "001_a",
        &crate::support::revision_text(
            "a",
            &[],
            "CREATE TABLE a (x INTEGER);",
            Some("DROP TABLE a;"),
        ),
    );
    project.revision(
        "002_b",
        &crate::support::revision_text(
            "b",
            &["a"],
            "CREATE TABLE b (x INTEGER);",
            Some("DROP TABLE b;"),
        ),
    );
    project.sqlmig().args(["hash"]).run().success();
    project
}

/// `sqlmig current --json`, which must succeed.
fn applied_heads(project: &Project) -> serde_json::Value {
    project
        .sqlmig()
        .args(["current", "--json"])
        .run()
        .success()
        .json()
}

#[test]
fn a_mistyped_flag_is_a_usage_error_not_a_target() {
    let project = sqlite_project();
    for (args, typo, suggestion) in [
        (
            &["downgrade", "--dryrun", "base"][..],
            "--dryrun",
            "--dry-run",
        ),
        (&["emit", "--ofline"][..], "--ofline", "--offline"),
        (
            &["upgrade", "--singletransaction"][..],
            "--singletransaction",
            "--single-transaction",
        ),
        (&["stamp", "--jsn", "head"][..], "--jsn", "--json"),
    ] {
        let run = project.sqlmig().args(args).run();
        assert_eq!(run.code(), Some(2), "{args:?}: {}", run.stderr());
        run.no_panic()
            .stderr_has(&format!("unexpected argument '{typo}'"))
            .stderr_has(&format!("'{suggestion}'"));
    }
    assert!(
        !project.path("app.db").exists(),
        "a usage error touches nothing"
    );

    // -N and +N are still targets.
    project.sqlmig().args(["upgrade", "+1"]).run().success();
    project.sqlmig().args(["upgrade"]).run().success();
    project
        .sqlmig()
        .args(["downgrade", "-1", "--dry-run"])
        .run()
        .success();
    let current = applied_heads(&project);
    assert_eq!(
        current["current"],
        serde_json::json!(["b"]),
        "a dry run changes nothing"
    );
    project.sqlmig().args(["downgrade", "-1"]).run().success();
    let current = applied_heads(&project);
    assert_eq!(current["current"], serde_json::json!(["a"]), "{current}");
    project
        .sqlmig()
        .args([
            "emit",
            "--offline",
            "--dialect",
            "sqlite",
            "--down",
            "--from",
            "b",
            "-1",
        ])
        .run()
        .success()
        .stdout_has("DROP TABLE b;");
    project.sqlmig().args(["stamp", "-1"]).run().success();
    let current = applied_heads(&project);
    assert_eq!(current["current"], serde_json::json!([]), "{current}");
}

#[test]
fn the_config_is_found_in_the_nearest_parent_directory() {
    let project = sqlite_project();
    let sub = project.path("migrations");
    project
        .sqlmig()
        .current_dir(&sub)
        .args(["heads"])
        .run()
        .success()
        .stdout_has("b");
    // Two levels down, and the SQLite file is the config's, not the cwd's.
    std::fs::create_dir_all(project.path("src/deep")).unwrap();
    project
        .sqlmig()
        .current_dir(project.path("src/deep"))
        .args(["upgrade"])
        .run()
        .success();
    assert!(project.path("app.db").is_file());
    assert!(!project.path("src/deep/app.db").exists());
    project
        .sqlmig()
        .current_dir(&sub)
        .args(["check"])
        .run()
        .success();

    // --config wins over the file found, and its paths are its own.
    project.write(
        "other/sqlmig.toml",
        "directory = \"missing-dir\"\ndatabase_url = \"sqlite:other.db\"\n",
    );
    project
        .sqlmig()
        .current_dir(&sub)
        .args(["--config", "../other/sqlmig.toml", "heads"])
        .run()
        .failure()
        .stderr_has("missing-dir");
    // An error in the found file names it by the path from the cwd.
    project.write("sqlmig.toml", "directory = \"migrations\"\ntypo = 1\n");
    project
        .sqlmig()
        .current_dir(&sub)
        .args(["heads"])
        .run()
        .failure()
        .stderr_has("../sqlmig.toml:2");
}

/// The ```toml blocks of the README's Configuration section.
fn readme_configs() -> Vec<String> {
    let readme = include_str!("../README.md");
    let start = readme
        .find("\n## Configuration")
        .expect("a Configuration section");
    let section = &readme[start + 1..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .split("```toml\n")
        .skip(1)
        .map(|block| block[..block.find("```").expect("closed block")].to_owned())
        .collect()
}

#[test]
fn the_readme_config_examples_work_when_pasted() {
    let configs = readme_configs();
    assert_eq!(configs.len(), 2, "a SQLite and a PostgreSQL example");
    for config in &configs {
        let project = sqlite_project();
        project.write("sqlmig.toml", config);
        project
            .sqlmig()
            .args(["verify"])
            .run()
            .success()
            .stdout_has("ok: 2 revisions");
        let dialect = if config.contains("dialect = \"postgres\"") {
            "postgres"
        } else {
            "sqlite"
        };
        project
            .sqlmig()
            .args(["emit", "--offline", "--dialect", dialect])
            .run()
            .success()
            .stdout_has("CREATE TABLE b");
    }
    // The SQLite example migrates as it stands.
    let project = sqlite_project();
    project.write("sqlmig.toml", &configs[0]);
    project.sqlmig().args(["upgrade"]).run().success();
    project
        .sqlmig()
        .args(["status"])
        .run()
        .success()
        .stdout_has("2 applied");
    assert!(project.path("app.db").is_file());
    // The PostgreSQL example's keys (init_sql, schema) hold on a real server.
    if let Some(database) = crate::support::database::TestDb::postgres() {
        let project = sqlite_project();
        project.write("sqlmig.toml", &configs[1]);
        project
            .sqlmig()
            .env("DATABASE_URL", database.url())
            .args(["upgrade"])
            .run()
            .success();
        assert_eq!(database.applied(), ["a", "b"]);
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_cli() {
    let project = Project::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = project
            .sqlmig()
            .args(["completions", shell])
            .run()
            .success();
        let script = run.stdout();
        assert!(script.contains("upgrade"), "{shell}: {script}");
        assert!(script.contains("dry-run"), "{shell}: no flags");
    }
    let run = project.sqlmig().args(["completions", "tcsh"]).run();
    assert_eq!(run.code(), Some(2));
    run.stderr_has("invalid value 'tcsh'");
    let page = project.sqlmig().args(["man"]).run().success().stdout();
    // After the preamble that defines roff's quote string, the title.
    let title = page
        .lines()
        .find(|line| !line.starts_with(".ie") && !line.starts_with(".el"));
    assert!(
        title.is_some_and(|line| line.starts_with(".TH sqlmig 1")),
        "{page}"
    );
    assert!(
        page.contains(".SH NAME") && page.contains(".SH SUBCOMMANDS"),
        "{page}"
    );
    assert!(
        page.contains("upgrade") && page.contains("sqlmig"),
        "{page}"
    );
}

const CANARY: &str = "Cx7-first-hour-CANARY";

#[track_caller]
fn assert_no_canary(run: &crate::support::Run) {
    assert!(
        !run.stdout().contains(CANARY) && !run.stderr().contains(CANARY),
        "the password shows\n{}{}",
        run.stdout(),
        run.stderr()
    );
}

#[test]
fn dotenv_and_a_url_file_supply_the_database_url() {
    let project = sqlite_project();
    project.write("sqlmig.toml", "directory = \"migrations\"\n");
    project.write(
        ".env",
        "# local settings\nDATABASE_URL=sqlite:from-dotenv.db\nOTHER=ignored\n",
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert!(project.path("from-dotenv.db").is_file());
    // The real environment wins over .env.
    project
        .sqlmig()
        .env("DATABASE_URL", "sqlite:from-env.db")
        .args(["upgrade"])
        .run()
        .success();
    assert!(project.path("from-env.db").is_file());
    // Only the current directory's .env.
    project
        .sqlmig()
        .current_dir(project.path("migrations"))
        .args(["status"])
        .run()
        .failure()
        .stderr_has("no database URL");
    // A broken .env is an error that does not quote it.
    project.write(
        ".env",
        format!("DATABASE_URL='postgres://u:{CANARY}@h/db\n"),
    );
    let run = project.sqlmig().args(["status"]).run().failure();
    assert_no_canary(&run);
    run.stderr_has(".env");
    std::fs::remove_file(project.path(".env")).unwrap();

    // --database-url-file: trimmed, never echoed.
    project.write("secrets/url", "sqlite:from-file.db\n\n");
    project
        .sqlmig()
        .args(["--database-url-file", "secrets/url", "upgrade"])
        .run()
        .success();
    assert!(project.path("from-file.db").is_file());
    project.write(
        "secrets/url",
        format!("postgres://app:{CANARY}@127.0.0.1:1/app?connect_timeout=2\n"),
    );
    let run = project
        .sqlmig()
        .args(["--database-url-file", "secrets/url", "status"])
        .run()
        .failure();
    assert_no_canary(&run);
    run.stderr_has("127.0.0.1:1");
    project
        .sqlmig()
        .args(["--database-url-file", "secrets/missing", "status"])
        .run()
        .failure()
        .stderr_has("cannot read the database URL file secrets/missing");
    project.write("secrets/empty", "  \n");
    project
        .sqlmig()
        .args(["--database-url-file", "secrets/empty", "status"])
        .run()
        .failure()
        .stderr_has("is empty");
    // `database_url_file` in the config, relative to the config.
    project.write("secrets/url", "sqlite:from-config-file.db");
    project.write(
        "sqlmig.toml",
        "directory = \"migrations\"\ndatabase_url_file = \"secrets/url\"\n",
    );
    project
        .sqlmig()
        .current_dir(project.path("migrations"))
        .args(["upgrade"])
        .run()
        .success();
    // The file is the config's; the SQLite path in it, like DATABASE_URL's,
    // is the current directory's.
    assert!(project.path("migrations/from-config-file.db").is_file());
    project.write(
        "sqlmig.toml",
        "database_url = \"sqlite:a.db\"\ndatabase_url_file = \"secrets/url\"\n",
    );
    project
        .sqlmig()
        .args(["status"])
        .run()
        .failure()
        .stderr_has("keep one");
}

#[test]
#[cfg(feature = "postgres")]
fn postgres_passwords_from_pgpassword_and_pgpass() {
    let Some(server) = crate::support::pg_server::Server::start(CANARY) else {
        return;
    };
    server.execute(
        CANARY,
        "CREATE ROLE odd LOGIN SUPERUSER PASSWORD 'p@ss/w:rd\\Cx7-first-hour-CANARY'",
    );
    let project = sqlite_project();
    std::fs::remove_file(project.path("sqlmig.toml")).unwrap();
    let home = project.path("home");
    std::fs::create_dir_all(&home).unwrap();
    let status = |user: &str, env: &[(&str, &str)]| {
        let mut command = project
            .sqlmig()
            .env_remove("PGPASSWORD")
            .env_remove("PGPASSFILE")
            .env("HOME", home.to_str().unwrap())
            .args([
                "status",
                "--database-url",
                &server.url(user, "", "sslmode=disable"),
            ]);
        for (key, value) in env {
            command = command.env(key, value);
        }
        let run = command.run();
        assert_no_canary(&run);
        run
    };
    status("postgres", &[]).failure().stderr_has("password");
    status("postgres", &[("PGPASSWORD", CANARY)])
        .success()
        .stdout_has("2 pending");

    let pgpass = home.join(".pgpass");
    std::fs::write(
        &pgpass,
        format!(
            "# hostname:port:database:username:password\n\
             127.0.0.1:{port}:*:postgres:wrong\\:{CANARY}\n\
             other:*:*:*:nope\n\
             *:*:*:odd:p@ss/w\\:rd\\\\{CANARY}\n",
            port = server.port + 1
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    // The first line names another port: no match, so no password.
    status("postgres", &[]).failure();
    // Wildcards and escapes.
    status("odd", &[]).success().stdout_has("2 pending");
    // A password in the URL wins over the file.
    let run = project
        .sqlmig()
        .env("HOME", home.to_str().unwrap())
        .args([
            "status",
            "--database-url",
            &server.url("odd", "wrong", "sslmode=disable"),
        ])
        .run()
        .failure();
    assert_no_canary(&run);
    // A file others may read is ignored, with a warning.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    status("odd", &[])
        .failure()
        .stderr_has("is ignored: its group or others may read it");
    // PGPASSFILE names another file.
    let elsewhere = project.path("pgpass");
    std::fs::write(
        &elsewhere,
        format!("127.0.0.1:{}:postgres:postgres:{CANARY}\n", server.port),
    )
    .unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o600)).unwrap();
    status("postgres", &[("PGPASSFILE", elsewhere.to_str().unwrap())])
        .success()
        .stdout_has("2 pending");
}

#[test]
fn mysql_password_from_mysql_pwd() {
    let Some(database) = crate::support::database::TestDb::mysql() else {
        return;
    };
    let user = crate::support::database::TestUser::create(&database, CANARY);
    let project = sqlite_project();
    std::fs::remove_file(project.path("sqlmig.toml")).unwrap();
    let address = database
        .url()
        .split('@')
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    let url = format!("mysql://{}@{address}/{}", user.name, database.name());
    let run = project
        .sqlmig()
        .env_remove("MYSQL_PWD")
        .args(["upgrade", "--database-url", &url])
        .run()
        .failure();
    assert_no_canary(&run);
    let run = project
        .sqlmig()
        .env("MYSQL_PWD", CANARY)
        .args(["upgrade", "--database-url", &url])
        .run()
        .success();
    assert_no_canary(&run);
    assert_eq!(database.applied(), ["a", "b"]);

    // Timestamps in UTC with `Z`, to the millisecond, as the other dialects
    // print them, whatever the session's time zone.
    let status = project
        .sqlmig()
        .args(["status", "--json", "--database-url", database.url()])
        .run()
        .success()
        .json();
    let applied_at = status["revisions"][0]["applied_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        applied_at.len(),
        "2026-01-01T00:00:00.000Z".len(),
        "{applied_at}"
    );
    assert!(
        applied_at.ends_with('Z') && applied_at.contains('T'),
        "{applied_at}"
    );
    let utc_now = database.query("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H')");
    assert_eq!(
        &applied_at[..13],
        utc_now[0][0].as_deref().unwrap(),
        "the hour is UTC's (fails only if the test straddles an hour)"
    );
}

#[test]
fn json_from_hash_init_repair_emit_and_after_errors() {
    let empty = Project::new();
    std::fs::remove_dir(empty.path("migrations")).unwrap();
    let init = empty
        .sqlmig()
        .args(["init", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(
        init,
        serde_json::json!({"config": "sqlmig.toml", "directory": "migrations"})
    );
    let error = empty
        .sqlmig()
        .args(["init", "--json"])
        .run()
        .failure()
        .json();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{error}"
    );
    assert_eq!(error["error"]["revision"], serde_json::Value::Null);

    let project = sqlite_project();
    let hash = project
        .sqlmig()
        .args(["hash", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(hash["revisions"], 2, "{hash}");
    assert!(hash["path"].as_str().unwrap().ends_with("sqlmig.sum"));

    let emit = project
        .sqlmig()
        .args(["emit", "--offline", "--dialect", "sqlite", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(emit["dialect"], "sqlite");
    assert_eq!(emit["direction"], "upgrade");
    assert!(emit["script"].as_str().unwrap().contains("CREATE TABLE b"));
    let emit = project
        .sqlmig()
        .args([
            "emit",
            "--offline",
            "--dialect",
            "sqlite",
            "--json",
            "-o",
            "up.sql",
        ])
        .run()
        .success()
        .json();
    assert_eq!(emit["script"], serde_json::Value::Null);
    assert_eq!(emit["output"], "up.sql");
    assert!(project.read("up.sql").contains("CREATE TABLE b"));
    // Without --json, the script alone.
    let plain = project
        .sqlmig()
        .args(["emit", "--offline", "--dialect", "sqlite"])
        .run()
        .success()
        .stdout();
    assert!(!plain.trim_start().starts_with('{'), "{plain}");

    project.sqlmig().args(["upgrade"]).run().success();
    let repair = project
        .sqlmig()
        .args(["repair", "--json"])
        .run()
        .success()
        .json();
    assert_eq!(repair, serde_json::json!({"problems": [], "changes": []}));

    // A failing statement: its revision, file and line.
    project.revision(
        "003_c",
        &crate::support::revision_text("c", &["b"], "SELECT 1;\nCREATE TABLE a (x INTEGER);", None),
    );
    project.sqlmig().args(["hash"]).run().success();
    let run = project.sqlmig().args(["upgrade", "--json"]).run().failure();
    let error = run.json()["error"].clone();
    assert_eq!(error["revision"], "c", "{error}");
    assert!(
        error["file"].as_str().unwrap().ends_with("003_c.sql"),
        "{error}"
    );
    assert_eq!(error["line"], 7, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("already exists")
    );
    run.stderr_has("error: ");

    // A file that does not parse: its file and line.
    project.write(
        "migrations/003_c.sql",
        "-- revision: c\n-- revises: b\n-- bogus: 1\n",
    );
    let error = project
        .sqlmig()
        .args(["heads", "--json"])
        .run()
        .failure()
        .json();
    assert!(
        error["error"]["file"]
            .as_str()
            .unwrap()
            .ends_with("003_c.sql"),
        "{error}"
    );
    assert_eq!(error["error"]["line"], 1, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("003_c.sql:3:4: unknown header key"),
        "{error}"
    );
    // Nothing known: nulls.
    let error = project
        .sqlmig()
        .args(["status", "--json", "--database-url", "nosuch://x"])
        .run()
        .failure()
        .json();
    assert_eq!(error["error"]["file"], serde_json::Value::Null, "{error}");
    assert_eq!(error["error"]["line"], serde_json::Value::Null, "{error}");
}

#[test]
fn new_revises_base_writes_a_new_root() {
    let project = sqlite_project();
    let json = project
        .sqlmig()
        .args([
            "new",
            "--json",
            "-m",
            "second root",
            "--revises",
            "base",
            "--branch",
            "other",
        ])
        .run()
        .success()
        .json();
    let path = json["path"].as_str().unwrap();
    let text = project.read(path);
    assert!(!text.contains("-- revises:"), "{text}");
    let heads = project.sqlmig().args(["heads"]).run().success().stdout();
    assert!(
        heads.contains('b') && heads.contains(json["revision"].as_str().unwrap()),
        "{heads}"
    );
    project
        .sqlmig()
        .args(["new", "-m", "x", "--revises", "base,a"])
        .run()
        .failure()
        .stderr_has("--revises base starts a new root");
}

#[test]
fn upgrade_in_an_empty_project_creates_no_database_file() {
    let project = Project::new();
    project.write("sqlmig.toml", "database_url = \"sqlite:app.db\"\n");
    for args in [&["upgrade"][..], &["stamp", "head"][..]] {
        project
            .sqlmig()
            .args(args)
            .run()
            .failure()
            .stderr_has("no revision files");
        assert!(
            !project.path("app.db").exists(),
            "{args:?} created the database"
        );
    }
}

#[test]
fn sqlite_errors_have_no_unknown_code_and_hints_read_hint() {
    let project = sqlite_project();
    project.revision(
        "003_c",
        &crate::support::revision_text("c", &["b"], "SELEC 1;", None),
    );
    project.sqlmig().args(["hash"]).run().success();
    let run = project.sqlmig().args(["upgrade"]).run().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("syntax error"), "{stderr}");
    assert!(!stderr.contains("(Unknown)"), "{stderr}");
    assert!(!stderr.contains("error: hint:"), "{stderr}");

    // A PostgreSQL hint is its own `hint:` line.
    let Some(database) = crate::support::database::TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.chain(&[("a", "SELECT no_such_function(1);")]);
    project.sqlmig().args(["hash"]).run().success();
    let run = project
        .sqlmig()
        .args(["upgrade", "--database-url", database.url()])
        .run()
        .failure();
    let stderr = run.stderr();
    assert!(stderr.contains("\nhint: No function matches"), "{stderr}");
    assert!(!stderr.contains("error: hint:"), "{stderr}");
}

#[test]
fn check_lists_pending_revisions_one_per_line() {
    let project = sqlite_project();
    let run = project.sqlmig().args(["check"]).run().failure();
    let stderr = run.stderr();
    assert!(
        stderr.contains("error: 2 revisions pending (run `sqlmig upgrade`):\n  a\n  b\n"),
        "{stderr}"
    );
    project.sqlmig().args(["upgrade", "+1"]).run().success();
    project
        .sqlmig()
        .args(["check"])
        .run()
        .failure()
        .stderr_has("error: 1 revision pending (run `sqlmig upgrade`):\n  b\n");
}

#[test]
fn verify_on_a_modified_file_warns_that_hash_does_not_cure_applied_drift() {
    let project = sqlite_project();
    project.sqlmig().args(["upgrade"]).run().success();
    let path = project.path("migrations/002_b.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("CREATE TABLE b", "CREATE TABLE bb")).unwrap();
    project
        .sqlmig()
        .args(["verify"])
        .run()
        .failure()
        .stderr_has("modified: 002_b.sql (revision b)")
        .stderr_has("restore the file and put the change in a new revision");
    // What the message says: hashing quiets verify, not the database checks.
    project.sqlmig().args(["hash"]).run().success();
    project.sqlmig().args(["verify"]).run().success();
    project
        .sqlmig()
        .args(["check"])
        .run()
        .failure()
        .stderr_has("b");
}

/// Runs `sqlmig ARGS` on a pseudo-terminal (util-linux `script`), in `dir`,
/// and returns what the terminal showed.
fn on_a_terminal(dir: &std::path::Path, args: &str, no_color: bool) -> String {
    let mut command = std::process::Command::new("script");
    command
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_sqlmig")),
            "/dev/null",
        ])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::null());
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command.output().expect("util-linux `script` runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn messages_are_coloured_only_on_a_terminal_without_no_color() {
    let project = Project::new();
    std::fs::remove_dir(project.path("migrations")).unwrap();
    let shown = on_a_terminal(project.root(), "heads", false);
    assert!(
        shown.contains("\x1b[1;31merror:\x1b[0m migrations directory"),
        "{shown:?}"
    );
    let shown = on_a_terminal(project.root(), "heads", true);
    assert!(shown.contains("error: migrations directory"), "{shown:?}");
    assert!(!shown.contains('\x1b'), "{shown:?}");
    // Not a terminal: plain, whatever NO_COLOR says.
    let run = project
        .sqlmig()
        .env_remove("NO_COLOR")
        .args(["heads"])
        .run()
        .failure();
    assert!(
        run.stderr().starts_with("error: migrations directory"),
        "{:?}",
        run.stderr()
    );
}

#[test]
fn new_called_quickly_in_a_row_never_names_a_file_in_the_future() {
    let project = Project::new();
    project.sqlmig().args(["init"]).run().success();
    for message in ["one", "two", "three"] {
        project
            .sqlmig()
            .args(["new", "-m", message])
            .run()
            .success();
    }
    let now = std::process::Command::new("date")
        .args(["-u", "+%Y%m%d%H%M%S"])
        .output()
        .expect("run date");
    let now = String::from_utf8_lossy(&now.stdout).trim().to_owned();
    let mut names: Vec<String> = std::fs::read_dir(project.path("migrations"))
        .expect("read migrations")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    names.sort();
    let stamps: Vec<&str> = names.iter().map(|name| &name[..14]).collect();
    assert!(
        names[0].ends_with("_one.sql") && names[2].ends_with("_three.sql"),
        "sorted by creation: {names:?}"
    );
    assert!(stamps.windows(2).all(|pair| pair[0] < pair[1]), "{names:?}");
    assert!(
        stamps.iter().all(|stamp| *stamp <= now.as_str()),
        "a name in the future (now {now}): {names:?}"
    );
}
