//! `sqlmig lint` through the binary: every rule's positive and safe negative
//! fixture per dialect (rule id, `file:line:col`, exit code), allow
//! comments and config, the example project, a false-positive fixture of
//! safe statements, and `--trace` facts checked against PostgreSQL itself.

use crate::support::Project;
use crate::support::database::TestDb;

/// The case revision's file, relative to the project.
const CASE: &str = "migrations/002_case.sql";

/// A project of `dialect` with a root creating `t` and `p`, and a case
/// revision whose up section starts on line 6 (with `header` on line 3).
fn project(dialect: &str, header: &str, up: &str, down: &str) -> Project {
    let project = Project::new();
    project.write("sqlmig.toml", format!("dialect = \"{dialect}\"\n"));
    project.revision(
        "001_base",
        "-- revision: root0\n\n-- up\nCREATE TABLE t (id INT PRIMARY KEY, a INT, b VARCHAR(10));\nCREATE TABLE p (id INT PRIMARY KEY);\n\n-- down\nDROP TABLE p;\nDROP TABLE t;\n",
    );
    let header = if header.is_empty() {
        "-- message: case"
    } else {
        header
    };
    project.revision(
        "002_case",
        &format!(
            "-- revision: case\n-- revises: root0\n{header}\n\n-- up\n{up}\n\n-- down\n{down}\n"
        ),
    );
    project
}

/// Lints and returns (exit code, stdout, findings as (rule, line, column)).
fn lint(project: &Project, args: &[&str]) -> (i32, String, Vec<(String, u64, u64)>) {
    let text = project.sqlmig().args(["lint"]).args(args).run().no_panic();
    let json = project
        .sqlmig()
        .args(["lint", "--json"])
        .args(args)
        .run()
        .no_panic();
    let findings = json.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(text.code(), json.code());
    (text.code().unwrap(), text.stdout(), findings)
}

/// One rule's fixtures: the positive must report `rule` at `line:1` with
/// `exit`; the negative must report nothing and exit 0.
struct Case {
    dialect: &'static str,
    rule: &'static str,
    header: &'static str,
    positive: &'static str,
    line: u64,
    exit: i32,
    negative_header: &'static str,
    negative: &'static str,
}

fn cases() -> Vec<Case> {
    let case = |dialect, rule, positive, line, exit, negative_header, negative| Case {
        dialect,
        rule,
        header: "",
        positive,
        line,
        exit,
        negative_header,
        negative,
    };
    vec![
        case(
            "postgres",
            "create-index-blocking",
            "CREATE INDEX t_a ON t (a);",
            6,
            1,
            "-- transaction: false",
            "CREATE INDEX CONCURRENTLY t_a ON t (a);",
        ),
        case(
            "postgres",
            "add-column-rewrite",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c UUID DEFAULT gen_random_uuid();",
            7,
            1,
            "",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c UUID;\nALTER TABLE t ALTER COLUMN c SET DEFAULT gen_random_uuid();",
        ),
        case(
            "postgres",
            "add-column-rewrite",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c INT GENERATED ALWAYS AS (a * 2) STORED;",
            7,
            1,
            "",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c INT DEFAULT 0;",
        ),
        case(
            "postgres",
            "alter-column-type",
            "SET lock_timeout = '5s';\nALTER TABLE t ALTER COLUMN a TYPE BIGINT;",
            7,
            1,
            "",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN a_big BIGINT;",
        ),
        case(
            "postgres",
            "set-not-null-scan",
            "SET lock_timeout = '5s';\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            7,
            1,
            "",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_a_nn;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        ),
        case(
            "postgres",
            "constraint-not-valid",
            "ALTER TABLE t ADD CONSTRAINT t_p FOREIGN KEY (a) REFERENCES p (id);",
            6,
            1,
            "",
            "ALTER TABLE t ADD CONSTRAINT t_p FOREIGN KEY (a) REFERENCES p (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_p;",
        ),
        case(
            "postgres",
            "constraint-not-valid",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0);",
            7,
            1,
            "",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID;",
        ),
        case(
            "postgres",
            "unique-without-index",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);",
            7,
            1,
            "",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;",
        ),
        case(
            "postgres",
            "missing-lock-timeout",
            "ALTER TABLE t ADD COLUMN c INT;",
            6,
            1,
            "",
            "SET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c INT;",
        ),
        case(
            "postgres",
            "concurrently-in-transaction",
            "CREATE INDEX CONCURRENTLY t_a ON t (a);",
            6,
            1,
            "-- transaction: false",
            "CREATE INDEX CONCURRENTLY t_a ON t (a);",
        ),
        case(
            "postgres",
            "drop-data",
            "SET lock_timeout = '5s';\nDROP TABLE p;",
            7,
            0,
            "",
            "SET lock_timeout = '5s';\n-- sqlmig:allow drop-data because p was never written to\nDROP TABLE p;",
        ),
        case(
            "postgres",
            "drop-data",
            "DELETE FROM t;",
            6,
            0,
            "",
            "DELETE FROM t WHERE a IS NULL;",
        ),
        case(
            "postgres",
            "rename-breaks-clients",
            "SET lock_timeout = '5s';\nALTER TABLE t RENAME COLUMN a TO c;",
            7,
            0,
            "",
            "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c INT;",
        ),
        case(
            "mysql",
            "add-column-rewrite",
            "ALTER TABLE t ADD COLUMN c INT AS (a * 2) STORED;",
            6,
            1,
            "",
            "ALTER TABLE t ADD COLUMN c INT AS (a * 2) VIRTUAL;",
        ),
        case(
            "mysql",
            "alter-column-type",
            "ALTER TABLE t MODIFY COLUMN b VARCHAR(200);",
            6,
            1,
            "",
            "ALTER TABLE t ADD COLUMN b2 VARCHAR(200);",
        ),
        case(
            "mysql",
            "drop-data",
            "ALTER TABLE t DROP COLUMN b;",
            6,
            0,
            "",
            "-- sqlmig:allow drop-data because b was never read\nALTER TABLE t DROP COLUMN b;",
        ),
        case(
            "mysql",
            "rename-breaks-clients",
            "RENAME TABLE p TO parents;",
            6,
            0,
            "",
            "CREATE VIEW parents AS SELECT * FROM p;",
        ),
        case(
            "mysql",
            "mixed-ddl-dml",
            "ALTER TABLE t ADD COLUMN c INT;\nUPDATE t SET c = a;",
            7,
            0,
            "",
            "UPDATE t SET a = 1 WHERE a IS NULL;\nINSERT INTO p (id) VALUES (1);",
        ),
        case(
            "sqlite",
            "sqlite-unsupported-alter",
            "ALTER TABLE t ADD COLUMN c TEXT NOT NULL;",
            6,
            1,
            "",
            "ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT '';",
        ),
        case(
            "sqlite",
            "sqlite-unsupported-alter",
            "ALTER TABLE t ADD COLUMN c TEXT DEFAULT CURRENT_TIMESTAMP;",
            6,
            1,
            "",
            "ALTER TABLE t ADD COLUMN c TEXT;",
        ),
        case(
            "sqlite",
            "pragma-in-transaction",
            "PRAGMA foreign_keys = OFF;",
            6,
            1,
            "-- transaction: false",
            "PRAGMA foreign_keys = OFF;",
        ),
        case(
            "sqlite",
            "drop-data",
            "DROP TABLE p;",
            6,
            0,
            "",
            "CREATE TABLE q (id INTEGER PRIMARY KEY);\nDROP TABLE q;",
        ),
        case(
            "sqlite",
            "rename-breaks-clients",
            "ALTER TABLE t RENAME TO t2;",
            6,
            0,
            "",
            "ALTER TABLE t ADD COLUMN c INT;",
        ),
    ]
}

#[test]
fn lint_every_rule_has_a_positive_and_a_safe_negative_per_dialect() {
    for case in cases() {
        let what = format!("{} {}", case.dialect, case.rule);
        let positive = project(
            case.dialect,
            case.header,
            case.positive,
            "-- nothing to undo",
        );
        let (code, stdout, findings) = lint(&positive, &[]);
        assert!(
            findings.contains(&(case.rule.to_owned(), case.line, 1)),
            "{what}: {findings:?}\n{stdout}"
        );
        let severity = if case.exit == 1 { "error" } else { "warning" };
        let prefix = format!("{CASE}:{}:1: {severity}[{}]: ", case.line, case.rule);
        assert!(stdout.contains(&prefix), "{what}: {stdout}");
        assert!(stdout.contains("\n  help: "), "{what}: {stdout}");
        assert_eq!(code, case.exit, "{what}: {stdout}");

        let negative = project(
            case.dialect,
            case.negative_header,
            case.negative,
            "-- nothing to undo",
        );
        let (code, stdout, findings) = lint(&negative, &[]);
        assert!(
            findings.is_empty(),
            "{what} negative: {findings:?}\n{stdout}"
        );
        assert_eq!(code, 0, "{what} negative: {stdout}");
    }
}

#[test]
fn lint_empty_down_on_every_dialect() {
    for dialect in ["postgres", "mysql", "sqlite"] {
        let positive = project(dialect, "", "CREATE TABLE c (id INT);", "");
        let (code, _, findings) = lint(&positive, &[]);
        assert_eq!(findings, [("empty-down".to_owned(), 8, 1)], "{dialect}");
        assert_eq!(code, 0);
        for down in ["-- nothing to undo", "DROP TABLE c;"] {
            let negative = project(dialect, "", "CREATE TABLE c (id INT);", down);
            let (code, _, findings) = lint(&negative, &[]);
            assert!(findings.is_empty(), "{dialect} {down}: {findings:?}");
            assert_eq!(code, 0);
        }
    }
}

#[test]
fn lint_allow_comments_config_since_and_explain() {
    let risky = "CREATE INDEX t_a ON t (a);";
    // An allow comment without a reason silences nothing and is an error itself.
    let project_ = project(
        "postgres",
        "",
        &format!("-- sqlmig:allow create-index-blocking\n{risky}"),
        "-- nothing to undo",
    );
    let (code, _, findings) = lint(&project_, &[]);
    assert!(
        findings.contains(&("invalid-allow".to_owned(), 6, 1)),
        "{findings:?}"
    );
    assert!(
        findings.contains(&("create-index-blocking".to_owned(), 7, 1)),
        "{findings:?}"
    );
    assert_eq!(code, 1);
    let allowed = project(
        "postgres",
        "",
        &format!("-- sqlmig:allow create-index-blocking because t holds ten rows\n{risky}"),
        "-- nothing to undo",
    );
    assert_eq!(lint(&allowed, &[]).2, []);

    // lint.allow turns a rule off, lint.deny raises a warning to an error.
    let configured = project(
        "postgres",
        "",
        "DELETE FROM t;\nCREATE INDEX t_a ON t (a);",
        "-- nothing to undo",
    );
    configured.write(
        "sqlmig.toml",
        "dialect = \"postgres\"\n[lint]\ndeny = [\"drop-data\"]\nallow = [\"create-index-blocking\"]\n",
    );
    let (code, stdout, findings) = lint(&configured, &[]);
    assert_eq!(findings, [("drop-data".to_owned(), 6, 1)]);
    assert!(stdout.contains("error[drop-data]"), "{stdout}");
    assert_eq!(code, 1);
    configured.write(
        "sqlmig.toml",
        "dialect = \"postgres\"\n[lint]\ndeny = [\"drop-date\"]\n",
    );
    configured
        .sqlmig()
        .args(["lint"])
        .run()
        .failure()
        .stderr_has("`drop-date`");

    // init_sql with lock_timeout satisfies missing-lock-timeout.
    let with_init = project(
        "postgres",
        "",
        "ALTER TABLE t ADD COLUMN c INT;",
        "-- nothing to undo",
    );
    assert_eq!(
        lint(&with_init, &[]).2,
        [("missing-lock-timeout".to_owned(), 6, 1)]
    );
    with_init.write(
        "sqlmig.toml",
        "dialect = \"postgres\"\ninit_sql = [\"SET lock_timeout = '5s'\"]\n",
    );
    assert_eq!(lint(&with_init, &[]).2, []);

    // --since: only descendants; ids: only those.
    let (_, _, findings) = lint(&configured_since(), &["--since", "case"]);
    assert!(findings.is_empty(), "{findings:?}");
    let (_, _, findings) = lint(&configured_since(), &["--since", "root0"]);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let (_, _, findings) = lint(&configured_since(), &["root0"]);
    assert!(findings.is_empty());

    // Not analysed is reported with its line, never passed silently.
    let unknown = project("postgres", "", "FROBNICATE t;", "-- nothing to undo");
    assert_eq!(lint(&unknown, &[]).2, [("not-analysed".to_owned(), 6, 1)]);

    let explain = unknown
        .sqlmig()
        .args(["lint", "--explain", "constraint-not-valid"])
        .run()
        .success();
    assert!(explain.stdout().contains("VALIDATE CONSTRAINT"));
    assert!(!explain.stdout().contains("http"));
    let list = unknown.sqlmig().args(["lint", "--explain"]).run().success();
    for rule in [
        "create-index-blocking",
        "empty-down",
        "pragma-in-transaction",
        "mixed-ddl-dml",
    ] {
        assert!(list.stdout().contains(rule), "{rule}");
    }
    unknown
        .sqlmig()
        .args(["lint", "--explain", "nope"])
        .run()
        .failure()
        .stderr_has("unknown rule");
}

fn configured_since() -> Project {
    project(
        "postgres",
        "",
        "CREATE INDEX t_a ON t (a);",
        "-- nothing to undo",
    )
}

#[test]
fn lint_the_example_project_has_no_errors() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // Its own dialect (sqlite.toml says SQLite), and MySQL, which reads the
    // same files. On PostgreSQL its ALTER TABLEs would need lock_timeout,
    // which SQLite does not know.
    for dialect in ["sqlite", "mysql"] {
        let project = Project::new();
        project.write(
            "sqlmig.toml",
            format!(
                "dialect = \"{dialect}\"\ndirectory = \"{}\"\n",
                root.join("migrations").display()
            ),
        );
        let run = project.sqlmig().args(["lint", "--json"]).run().no_panic();
        let json = run.json();
        let errors: Vec<_> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(run.code(), Some(0));
    }
}

#[test]
fn lint_has_no_false_positives_on_a_hundred_safe_statements() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint/safe-postgres");
    let statements: usize = std::fs::read_dir(fixture.join("migrations"))
        .unwrap()
        .map(|entry| {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let up = text.split("-- down").next().unwrap();
            up.lines()
                .filter(|line| line.trim_end().ends_with(';'))
                .count()
        })
        .sum();
    assert!(statements >= 100, "{statements}");
    let run = Project::new()
        .sqlmig()
        .current_dir(&fixture)
        .args(["lint", "--json"])
        .run()
        .success();
    assert_eq!(run.json()["findings"], serde_json::json!([]));
    // They are real PostgreSQL, written the way it accepts.
    if let Some(db) = TestDb::postgres() {
        Project::new()
            .sqlmig()
            .current_dir(&fixture)
            .args(["--database-url", db.url(), "upgrade"])
            .run()
            .success();
    }
}

fn scratch_databases(db: &TestDb) -> Vec<String> {
    db.column("SELECT datname::text FROM pg_database WHERE datname LIKE 'sqlmig\\_scratch\\_%' ORDER BY 1")
}

#[test]
fn lint_trace_reports_the_locks_postgres_takes() {
    let Some(db) = TestDb::postgres() else { return };
    let project = Project::new();
    project.write("sqlmig.toml", "dialect = \"postgres\"\n");
    project.chain(&[
        (
            "root0",
            "CREATE TABLE t (id INT PRIMARY KEY, a INT);\nINSERT INTO t VALUES (1, 1);",
        ),
        ("retype", "ALTER TABLE t ALTER COLUMN a TYPE BIGINT;"),
        ("addnull", "ALTER TABLE t ADD COLUMN c TEXT NULL;"),
    ]);
    project.revision(
        "004_cic",
        "-- revision: cic\n-- revises: addnull\n-- transaction: false\n\n-- up\nCREATE INDEX CONCURRENTLY t_c ON t (c);\n",
    );
    let run = project
        .sqlmig()
        .args(["lint", "--trace", "--json", "--dev-url", db.url()])
        .run()
        .no_panic();
    let json = run.json();
    let trace = json["trace"].as_array().expect("trace");
    let statement = |revision: &str| {
        trace
            .iter()
            .find(|r| r["revision"] == revision)
            .expect(revision)["statements"][0]
            .clone()
    };
    let has_lock = |s: &serde_json::Value, relation: &str, mode: &str| {
        s["locks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["relation"] == relation && l["mode"] == mode)
    };
    let retype = statement("retype");
    assert!(has_lock(&retype, "t", "AccessExclusiveLock"), "{retype}");
    assert!(
        retype["rewritten"]
            .as_array()
            .unwrap()
            .contains(&"t".into()),
        "{retype}"
    );
    let addnull = statement("addnull");
    assert!(has_lock(&addnull, "t", "AccessExclusiveLock"), "{addnull}");
    assert_eq!(addnull["rewritten"], serde_json::json!([]), "{addnull}");
    let cic = statement("cic");
    assert!(has_lock(&cic, "t", "ShareUpdateExclusiveLock"), "{cic}");
    assert_eq!(cic["traced"], true);
    let text = project
        .sqlmig()
        .args(["lint", "--trace", "--dev-url", db.url()])
        .run()
        .no_panic();
    assert!(
        text.stdout().contains("lock AccessExclusiveLock on t"),
        "{}",
        text.stdout()
    );
    assert!(text.stdout().contains("rewrote t "), "{}", text.stdout());
    let scratch = json["scratch_database"].as_str().unwrap().to_owned();
    assert!(scratch.starts_with("sqlmig_scratch_"), "{scratch}");
    assert!(
        !scratch_databases(&db).contains(&scratch),
        "{scratch} was left behind"
    );

    // A failing revision: an error naming file and line, and still no scratch database left.
    project.revision(
        "005_bad",
        "-- revision: bad\n-- revises: cic\n\n-- up\nALTER TABLE missing ADD COLUMN x INT;\n",
    );
    let failed = project
        .sqlmig()
        .args(["lint", "--trace", "--dev-url", db.url()])
        .run()
        .failure()
        .stderr_has("005_bad.sql:5");
    let stderr = failed.stderr();
    let scratch = stderr
        .split_whitespace()
        .find(|word| word.starts_with("sqlmig_scratch_"))
        .expect("the error names the scratch database");
    assert!(
        !scratch_databases(&db).contains(&scratch.to_owned()),
        "{scratch} was left behind"
    );
}
