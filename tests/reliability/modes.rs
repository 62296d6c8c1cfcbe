//! F: session modes (docs/RELIABILITY.md §9 F2). sqlmig's own statements must
//! not depend on how the session reads SQL: MariaDB's `sql_mode` flags that
//! change string literals and strictness, PostgreSQL's `search_path`
//! pointing elsewhere. Each mode is set through `init_sql`, and the same
//! run of upgrade, failure, repair and downgrade must work and leave the
//! same state rows.

use crate::harness::{Kind, Project, TestDb, configure, fresh, record};

/// A message that a sqlmig statement quoting values itself would break in
/// one mode or another.
const MESSAGE: &str = r#"it's a "test" \ with a backslash \' and `ticks`"#;

/// The project: a revision with a hostile message, a revision that fails
/// part-way (recording an error that holds quotes), and one after it.
fn write_project(project: &Project, table_type: &str) {
    project
        .revision(
            "1",
            &format!(
                "-- revision: one\n-- message: {MESSAGE}\n\n-- up\nCREATE TABLE one (x {table_type});\n\n-- down\nDROP TABLE one;\n"
            ),
        )
        .revision(
            "2",
            "-- revision: two\n-- revises: one\n-- transaction: false\n-- message: fails once\n\n-- up\nINSERT INTO one (x) VALUES ('2');\nINSERT INTO \"no such 'table\" (x) VALUES (1);\n\n-- down\nDELETE FROM one;\n",
        );
}

/// Runs the scenario; returns what went wrong.
/// `state_table` and `data_table` are the tables' names for the test's own
/// session.
fn exercise(
    project: &Project,
    database: &TestDb,
    state_table: &str,
    data_table: &str,
) -> Vec<String> {
    let mut wrong = Vec::new();
    let expect = |args: &[&str], code: i32, what: &str, wrong: &mut Vec<String>| {
        let run = project.sqlmig().args(args).run();
        if run.code() != Some(code) {
            wrong.push(format!(
                "{what}: {args:?} exited {:?}\n{}",
                run.code(),
                run.stderr()
            ));
        }
        run
    };
    expect(&["upgrade"], 1, "the failing revision fails", &mut wrong);
    let status = expect(
        &["status", "--json"],
        0,
        "status reads the failure",
        &mut wrong,
    )
    .json();
    if status["revisions"][1]["state"] != "failed" {
        wrong.push(format!("the failure is not recorded: {status}"));
    }
    let message = database.column(&format!(
        "SELECT message FROM {state_table} WHERE revision = 'one'"
    ));
    if message != [MESSAGE] {
        wrong.push(format!("the message was stored as {message:?}"));
    }
    project.write(
        "migrations/2.sql",
        project
            .read("migrations/2.sql")
            .replace("\"no such 'table\"", "one"),
    );
    database.execute(&format!("DELETE FROM {data_table}"));
    expect(
        &["repair", "--clear-failed", "two"],
        0,
        "repair",
        &mut wrong,
    );
    expect(&["upgrade"], 0, "the fixed revision applies", &mut wrong);
    expect(&["check"], 0, "check", &mut wrong);
    expect(&["downgrade", "base"], 0, "downgrade", &mut wrong);
    let rows = database.column(&format!("SELECT COUNT(*) FROM {state_table}"));
    if rows != ["0"] {
        wrong.push(format!("{rows:?} state rows after downgrading to base"));
    }
    expect(&["upgrade"], 0, "upgrade again", &mut wrong);
    wrong
}

/// docs/RELIABILITY.md F2 on MariaDB: `ANSI_QUOTES` (a `"` delimits an
/// identifier), `NO_BACKSLASH_ESCAPES` (a `\` is a plain character),
/// `STRICT_ALL_TABLES`, and all of them together, set by `init_sql`.
#[test]
fn mariadb_sql_modes_change_nothing_sqlmig_writes() {
    let modes = [
        "",
        "ANSI_QUOTES",
        "NO_BACKSLASH_ESCAPES",
        "STRICT_ALL_TABLES",
        "ANSI_QUOTES,NO_BACKSLASH_ESCAPES,STRICT_ALL_TABLES",
    ];
    let mut problems = Vec::new();
    let mut passed = 0u64;
    for mode in modes {
        let project = Project::new();
        let Some(database) = fresh(Kind::Mysql, &project) else {
            return;
        };
        write_project(&project, "VARCHAR(10)");
        configure(
            &project,
            &database,
            &format!("init_sql = [\"SET SESSION sql_mode = CONCAT(@@sql_mode, ',{mode}')\"]\n"),
        );
        // The revision's own `"no such 'table"` is an identifier only under
        // ANSI_QUOTES; elsewhere it fails as a syntax error, also a failure.
        let wrong = exercise(&project, &database, "sqlmig_revisions", "one");
        passed += u64::from(wrong.is_empty());
        if !wrong.is_empty() {
            problems.push(format!("sql_mode +{mode}: {}", wrong.join("\n")));
        }
    }
    record(&[("f2.modes", modes.len() as u64), ("f2.passed", passed)]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// docs/RELIABILITY.md F2 on PostgreSQL: with `search_path` set to another
/// schema, the revisions' tables land there, while the state table stays
/// `public.sqlmig_revisions`: every state statement names its schema.
#[test]
fn postgres_search_path_elsewhere_keeps_the_state_table_in_its_schema() {
    let project = Project::new();
    let Some(database) = fresh(Kind::Postgres, &project) else {
        return;
    };
    database.execute("CREATE SCHEMA elsewhere");
    write_project(&project, "TEXT");
    configure(
        &project,
        &database,
        "init_sql = [\"SET search_path = elsewhere\"]\n",
    );
    let mut wrong = exercise(
        &project,
        &database,
        "public.sqlmig_revisions",
        "elsewhere.one",
    );
    let placed = database.column(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_name IN ('one', 'sqlmig_revisions') ORDER BY 1",
    );
    if placed != ["elsewhere.one", "public.sqlmig_revisions"] {
        wrong.push(format!("tables are at {placed:?}"));
    }
    record(&[("f2.modes", 1), ("f2.passed", u64::from(wrong.is_empty()))]);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
