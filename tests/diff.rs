//! `sqlmig diff`: the DDL between two schemas, proven on the real servers:
//! for each change of a corpus, the printed up script applied to the
//! FROM database makes it equal to TO (`diff` exits 0, the canonical dumps
//! match), and the `--down` script applied to TO makes it equal to FROM.

use crate::support::Project;
use crate::support::database::{Kind, TestDb};

/// One change: the schema before it and after it.
struct Scenario {
    name: &'static str,
    /// Whether the down script can be written (PostgreSQL cannot remove
    /// an enum value).
    reversible: bool,
    before: &'static [&'static str],
    after: &'static [&'static str],
}

const POSTGRES: &[Scenario] = &[
    Scenario {
        name: "drops and changes of every kind",
        reversible: true,
        before: &[
            "CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE)",
            "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id), qty int CHECK (qty > 0), note text DEFAULT 'n', flag boolean NOT NULL DEFAULT false)",
            "CREATE INDEX c_note ON c (note)",
            "CREATE INDEX c_qty ON c (qty DESC)",
            "CREATE VIEW cv AS SELECT id, qty FROM c",
            "CREATE VIEW pv AS SELECT id FROM p",
            "CREATE FUNCTION f1() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE FUNCTION f2(x int) RETURNS int LANGUAGE sql AS 'SELECT x'",
            "CREATE FUNCTION t1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "CREATE TRIGGER c_t1 BEFORE INSERT ON c FOR EACH ROW EXECUTE FUNCTION t1()",
            "CREATE TYPE old_kind AS ENUM ('x')",
            "CREATE SEQUENCE s1",
            "CREATE TABLE gone1 (a int)",
            "CREATE TABLE gone2 (a int)",
            "COMMENT ON TABLE c IS 'c table'",
            "COMMENT ON COLUMN c.qty IS 'how many'",
        ],
        after: &[
            "CREATE TABLE p (id int PRIMARY KEY, code text)",
            "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id) ON DELETE SET NULL, qty int CHECK (qty >= 0), note text DEFAULT 'note', flag boolean NOT NULL DEFAULT true)",
            "CREATE INDEX c_qty ON c (qty)",
            "CREATE VIEW cv AS SELECT id, qty, note FROM c",
            "CREATE FUNCTION f1() RETURNS int LANGUAGE sql AS 'SELECT 2'",
            "CREATE FUNCTION t1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "CREATE TRIGGER c_t1 AFTER INSERT ON c FOR EACH ROW EXECUTE FUNCTION t1()",
            "CREATE SEQUENCE s1 INCREMENT BY 5",
            "COMMENT ON TABLE c IS 'the c table'",
        ],
    },
    Scenario {
        name: "add a table",
        reversible: true,
        before: &["CREATE TABLE a (id int PRIMARY KEY)"],
        after: &[
            "CREATE TABLE a (id int PRIMARY KEY)",
            "CREATE TABLE b (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text NOT NULL DEFAULT 'x')",
        ],
    },
    Scenario {
        name: "add, drop and change columns",
        reversible: true,
        before: &[
            "CREATE TABLE a (id int PRIMARY KEY, name varchar(10), n int NOT NULL, gone text)",
        ],
        after: &[
            "CREATE TABLE a (id int PRIMARY KEY, name varchar(40) DEFAULT 'anon', n bigint, created timestamptz NOT NULL DEFAULT now())",
        ],
    },
    Scenario {
        name: "constraints",
        reversible: true,
        before: &[
            "CREATE TABLE p (id int PRIMARY KEY)",
            "CREATE TABLE a (id int PRIMARY KEY, p int, q int)",
        ],
        after: &[
            "CREATE TABLE p (id int PRIMARY KEY)",
            "CREATE TABLE a (id int PRIMARY KEY, p int REFERENCES p (id) ON DELETE CASCADE, q int CONSTRAINT q_positive CHECK (q > 0), CONSTRAINT a_q_unique UNIQUE (q))",
        ],
    },
    Scenario {
        name: "indexes",
        reversible: true,
        before: &[
            "CREATE TABLE a (id int PRIMARY KEY, v text, w int)",
            "CREATE INDEX a_v ON a (v)",
        ],
        after: &[
            "CREATE TABLE a (id int PRIMARY KEY, v text, w int)",
            "CREATE INDEX a_v ON a (lower(v))",
            "CREATE INDEX a_w ON a (w) WHERE w > 0",
        ],
    },
    Scenario {
        name: "views over a changed table",
        reversible: true,
        before: &[
            "CREATE TABLE a (id int PRIMARY KEY, v int)",
            "CREATE VIEW v1 AS SELECT id, v FROM a",
            "CREATE VIEW v2 AS SELECT id FROM v1",
        ],
        after: &[
            "CREATE TABLE a (id int PRIMARY KEY, v bigint)",
            "CREATE VIEW v1 AS SELECT id, v FROM a WHERE v > 0",
            "CREATE VIEW v2 AS SELECT id FROM v1",
        ],
    },
    Scenario {
        name: "enum values and types",
        reversible: false,
        before: &[
            "CREATE TYPE mood AS ENUM ('sad', 'happy')",
            "CREATE TABLE a (m mood)",
        ],
        after: &[
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
            "CREATE TYPE colour AS ENUM ('red')",
            "CREATE TABLE a (m mood, c colour)",
        ],
    },
    Scenario {
        name: "functions and triggers",
        reversible: true,
        before: &["CREATE TABLE a (id int, note text)"],
        after: &[
            "CREATE TABLE a (id int, note text)",
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'touched'; RETURN NEW; END $$",
            "CREATE TRIGGER a_touch BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION touch()",
        ],
    },
    Scenario {
        name: "schemas, sequences and comments",
        reversible: true,
        before: &["CREATE TABLE a (id int)"],
        after: &[
            "CREATE SCHEMA billing",
            "CREATE SEQUENCE billing.numbers START 100",
            "CREATE TABLE a (id int)",
            "CREATE TABLE billing.invoices (n bigint DEFAULT nextval('billing.numbers'))",
            "COMMENT ON TABLE a IS 'the a table'",
            "COMMENT ON COLUMN a.id IS 'its id'",
        ],
    },
    Scenario {
        name: "nullability and identity",
        reversible: true,
        before: &["CREATE TABLE a (id int NOT NULL, v int)"],
        after: &[
            "CREATE TABLE a (id int GENERATED BY DEFAULT AS IDENTITY NOT NULL, v int NOT NULL)",
        ],
    },
    // Pitfall 9: PostgreSQL refuses to drop a column a view reads.
    Scenario {
        name: "views over a dropped column",
        reversible: true,
        before: &[
            "CREATE TABLE a (id int PRIMARY KEY, w int, v int)",
            "CREATE VIEW v1 AS SELECT id, v FROM a",
            "CREATE VIEW v2 AS SELECT v FROM v1",
        ],
        after: &[
            "CREATE TABLE a (id int PRIMARY KEY, w int)",
            "CREATE VIEW v1 AS SELECT id, w FROM a",
            "CREATE VIEW v2 AS SELECT w FROM v1",
        ],
    },
    // Pitfall 10: a new enum value used by a default.
    Scenario {
        name: "an enum value and a default that uses it",
        reversible: false,
        before: &[
            "CREATE TYPE mood AS ENUM ('sad', 'happy')",
            "CREATE TABLE a (m mood)",
        ],
        after: &[
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
            "CREATE TABLE a (m mood DEFAULT 'ok')",
        ],
    },
];

const MYSQL: &[Scenario] = &[
    Scenario {
        name: "drops and changes of every kind",
        reversible: true,
        before: &[
            "CREATE TABLE p (id INT PRIMARY KEY, code VARCHAR(20), CONSTRAINT p_code UNIQUE (code))",
            "CREATE TABLE c (id INT PRIMARY KEY, p_id INT, qty INT, note VARCHAR(50) DEFAULT 'n', flag TINYINT NOT NULL DEFAULT 0, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id), CONSTRAINT qty_pos CHECK (qty > 0))",
            "CREATE INDEX c_note ON c (note)",
            "CREATE INDEX c_qty ON c (qty DESC)",
            "CREATE VIEW cv AS SELECT id, qty FROM c",
            "CREATE VIEW pv AS SELECT id FROM p",
            "CREATE FUNCTION f1() RETURNS INT DETERMINISTIC RETURN 1",
            "CREATE FUNCTION f2(x INT) RETURNS INT DETERMINISTIC RETURN x",
            "CREATE PROCEDURE p1() BEGIN SELECT 1; END",
            "CREATE TRIGGER c_t1 BEFORE INSERT ON c FOR EACH ROW SET NEW.note = 'x'",
            "CREATE TABLE gone1 (a INT)",
            "CREATE TABLE gone2 (a INT)",
        ],
        after: &[
            "CREATE TABLE p (id INT PRIMARY KEY, code VARCHAR(20))",
            "CREATE TABLE c (id INT PRIMARY KEY, p_id INT, qty INT, note VARCHAR(50) DEFAULT 'note', flag TINYINT NOT NULL DEFAULT 1, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE SET NULL, CONSTRAINT qty_pos CHECK (qty >= 0))",
            "CREATE INDEX c_qty ON c (qty)",
            "CREATE VIEW cv AS SELECT id, qty, note FROM c",
            "CREATE FUNCTION f1() RETURNS INT DETERMINISTIC RETURN 2",
            "CREATE PROCEDURE p1() BEGIN SELECT 2; END",
            "CREATE TRIGGER c_t1 AFTER INSERT ON c FOR EACH ROW SET @x = 1",
        ],
    },
    Scenario {
        name: "add a table",
        reversible: true,
        before: &["CREATE TABLE a (id INT PRIMARY KEY)"],
        after: &[
            "CREATE TABLE a (id INT PRIMARY KEY)",
            "CREATE TABLE b (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20) NOT NULL DEFAULT 'x')",
        ],
    },
    Scenario {
        name: "add, drop and change columns in place",
        reversible: true,
        before: &[
            "CREATE TABLE a (id INT PRIMARY KEY, name VARCHAR(10), gone TEXT, n INT NOT NULL)",
        ],
        after: &[
            "CREATE TABLE a (id INT PRIMARY KEY, first_col INT, name VARCHAR(40) DEFAULT 'anon', n BIGINT, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        ],
    },
    Scenario {
        name: "constraints",
        reversible: true,
        before: &[
            "CREATE TABLE p (id INT PRIMARY KEY)",
            "CREATE TABLE a (id INT PRIMARY KEY, p INT, q INT)",
        ],
        after: &[
            "CREATE TABLE p (id INT PRIMARY KEY)",
            "CREATE TABLE a (id INT PRIMARY KEY, p INT, q INT, CONSTRAINT a_p FOREIGN KEY (p) REFERENCES p (id) ON DELETE CASCADE, CONSTRAINT q_positive CHECK (q > 0), CONSTRAINT a_q_unique UNIQUE (q))",
        ],
    },
    Scenario {
        name: "indexes",
        reversible: true,
        before: &[
            "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(50), w INT)",
            "CREATE INDEX a_v ON a (v)",
        ],
        after: &[
            "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(50), w INT)",
            "CREATE INDEX a_v ON a (v(10))",
            "CREATE INDEX a_w ON a (w DESC, id)",
        ],
    },
    Scenario {
        name: "views, routines and triggers",
        reversible: true,
        before: &["CREATE TABLE a (id INT PRIMARY KEY, v INT)"],
        after: &[
            "CREATE TABLE a (id INT PRIMARY KEY, v INT)",
            "CREATE VIEW v1 AS SELECT id, v FROM a WHERE v > 0",
            "CREATE VIEW v2 AS SELECT id FROM v1",
            "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2",
            "CREATE PROCEDURE clear_a() BEGIN DELETE FROM a WHERE v = 0; SELECT 'done; ok'; END",
            "CREATE TRIGGER a_guard BEFORE INSERT ON a FOR EACH ROW BEGIN IF NEW.v < 0 THEN SET NEW.v = 0; END IF; END",
        ],
    },
    // Pitfall 15: MySQL makes an index for a foreign key that has none;
    // dropping the key drops the key first, then its index.
    Scenario {
        name: "a foreign key without an index of its own, dropped",
        reversible: true,
        before: &[
            "CREATE TABLE p (id INT PRIMARY KEY)",
            "CREATE TABLE c (id INT PRIMARY KEY, p_id INT, CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id))",
        ],
        after: &[
            "CREATE TABLE p (id INT PRIMARY KEY)",
            "CREATE TABLE c (id INT PRIMARY KEY, p_id INT)",
        ],
    },
];

const SQLITE: &[Scenario] = &[
    // Pitfall 12: renaming the rebuilt table fails on a view of it or a
    // trigger of another table that mentions it, unless handled.
    Scenario {
        name: "a rebuild under a view of it and another table's trigger",
        reversible: true,
        before: &[
            "CREATE TABLE x (id INTEGER PRIMARY KEY, v TEXT)",
            "CREATE TABLE y (id INTEGER PRIMARY KEY)",
            "CREATE VIEW xv AS SELECT v FROM x",
            "CREATE TRIGGER y_note AFTER INSERT ON y BEGIN INSERT INTO x (v) VALUES ('from y'); END",
            "INSERT INTO x VALUES (1, 'kept')",
        ],
        after: &[
            "CREATE TABLE x (id INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT '')",
            "CREATE TABLE y (id INTEGER PRIMARY KEY)",
            "CREATE VIEW xv AS SELECT v FROM x",
            "CREATE TRIGGER y_note AFTER INSERT ON y BEGIN INSERT INTO x (v) VALUES ('from y'); END",
        ],
    },
    Scenario {
        name: "more tables, columns, indexes, views and triggers",
        reversible: true,
        before: &[
            "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT)",
            "CREATE TABLE old1 (x INTEGER)",
            "CREATE TABLE old2 (x INTEGER)",
            "CREATE INDEX a_v ON a (v)",
            "CREATE VIEW old_view AS SELECT x FROM old1",
            "CREATE TRIGGER old_t AFTER INSERT ON old2 BEGIN SELECT 1; END",
            "INSERT INTO a VALUES (1, 'kept')",
        ],
        after: &[
            "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT COLLATE NOCASE, w INTEGER GENERATED ALWAYS AS (id * 2) VIRTUAL)",
            "CREATE TABLE t1 (a INTEGER) STRICT",
            "CREATE TABLE t2 (a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID",
            "CREATE TABLE t3 (a TEXT)",
            "CREATE INDEX a_v ON a (v COLLATE NOCASE)",
            "CREATE INDEX t3_a ON t3 (a)",
            "CREATE UNIQUE INDEX t1_a ON t1 (a)",
            "CREATE VIEW v1 AS SELECT a FROM t1",
            "CREATE VIEW v2 AS SELECT a FROM v1",
            "CREATE TRIGGER t3_t AFTER INSERT ON t3 BEGIN SELECT 2; END",
        ],
    },
    Scenario {
        name: "drops and changes of every kind",
        reversible: true,
        before: &[
            "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)",
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id), qty INTEGER CHECK (qty > 0), note TEXT DEFAULT 'n')",
            "CREATE INDEX c_note ON c (note)",
            "CREATE INDEX c_qty ON c (qty DESC)",
            "CREATE VIEW cv AS SELECT id, qty FROM c",
            "CREATE VIEW pv AS SELECT id FROM p",
            "CREATE TRIGGER c_t1 BEFORE INSERT ON c BEGIN SELECT 1; END",
            "CREATE TRIGGER c_t2 AFTER INSERT ON c BEGIN SELECT 2; END",
            "CREATE TABLE gone1 (a INTEGER)",
            "CREATE TABLE gone2 (a INTEGER)",
            "CREATE TABLE gone3 (a INTEGER)",
            "INSERT INTO p VALUES (1, 'one')",
            "INSERT INTO c VALUES (1, 1, 5, 'kept')",
        ],
        after: &[
            "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT)",
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE SET NULL, qty INTEGER CHECK (qty >= 0), note TEXT DEFAULT 'note')",
            "CREATE INDEX c_qty ON c (qty)",
            "CREATE VIEW cv AS SELECT id, qty, note FROM c",
            "CREATE TRIGGER c_t1 AFTER INSERT ON c BEGIN SELECT 1; END",
            "CREATE TABLE new1 (a INTEGER)",
            "CREATE TABLE new2 (a INTEGER, b TEXT)",
            "CREATE INDEX new2_b ON new2 (b)",
            "CREATE VIEW new_view AS SELECT a FROM new1",
            "CREATE TRIGGER new1_t AFTER INSERT ON new1 BEGIN SELECT 3; END",
        ],
    },
    Scenario {
        name: "add a table and columns ALTER TABLE can add",
        reversible: true,
        before: &["CREATE TABLE a (id INTEGER PRIMARY KEY)"],
        after: &[
            "CREATE TABLE a (id INTEGER PRIMARY KEY, note TEXT NOT NULL DEFAULT 'x', n INTEGER)",
            "CREATE TABLE b (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)",
        ],
    },
    Scenario {
        name: "a rebuild keeps the rows and the foreign keys",
        reversible: true,
        before: &[
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT)",
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE)",
            "CREATE INDEX p_name ON p (name)",
            "CREATE TRIGGER p_name_upper AFTER INSERT ON p BEGIN UPDATE p SET name = upper(name) WHERE id = NEW.id; END",
            "CREATE VIEW pv AS SELECT name FROM p",
            "INSERT INTO p VALUES (1, 'a'), (2, NULL)",
            "INSERT INTO c VALUES (10, 1), (20, 2)",
        ],
        after: &[
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'none', CHECK (length(name) > 0))",
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id) ON DELETE CASCADE)",
            "CREATE INDEX p_name ON p (name)",
            "CREATE TRIGGER p_name_upper AFTER INSERT ON p BEGIN UPDATE p SET name = upper(name) WHERE id = NEW.id; END",
            "CREATE VIEW pv AS SELECT name FROM p",
        ],
    },
    Scenario {
        name: "drop and retype columns",
        reversible: true,
        before: &["CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT, gone BLOB)"],
        after: &["CREATE TABLE a (id INTEGER PRIMARY KEY, v INTEGER)"],
    },
    Scenario {
        name: "indexes, views and triggers",
        reversible: true,
        before: &[
            "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT)",
            "CREATE INDEX a_v ON a (v)",
        ],
        after: &[
            "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT)",
            "CREATE UNIQUE INDEX a_v ON a (lower(v)) WHERE v IS NOT NULL",
            "CREATE VIEW av AS SELECT v FROM a",
            "CREATE TRIGGER a_guard BEFORE INSERT ON a BEGIN SELECT RAISE(ABORT, 'no; empty') WHERE NEW.v = ''; END",
        ],
    },
];

/// A database beside which scratch databases are made: none on SQLite,
/// which replays in memory.
pub(crate) fn dev_database(kind: Kind, project: &Project) -> Option<TestDb> {
    match kind {
        Kind::Sqlite => None,
        _ => database(kind, project, "unused.db"),
    }
}

/// `sqlmig.toml` of a project migrating `live`, wanting `schema.sql`, with
/// scratch databases beside `dev`.
pub(crate) fn workflow_config(kind: Kind, live: &TestDb, dev: Option<&TestDb>) -> String {
    let mut config = format!(
        "dialect = \"{}\"\ndatabase_url = \"{}\"\nschema_file = \"schema.sql\"\n",
        kind.dialect_name(),
        live.url()
    );
    if let Some(dev) = dev {
        config.push_str(&format!("dev_url = \"{}\"\n", dev.url()));
    }
    config
}

pub(crate) fn database(kind: Kind, project: &Project, name: &str) -> Option<TestDb> {
    match kind {
        Kind::Postgres => TestDb::postgres(),
        Kind::Mysql => TestDb::mysql(),
        Kind::Sqlite => Some(TestDb::sqlite_named(project, name)),
    }
}

/// Runs `statements` on `database` through a revision (outside a
/// transaction when the script says so).
fn apply(project: &Project, database: &TestDb, id: &str, statements: &str) {
    let header = if statements.starts_with("-- Run outside a transaction") {
        "-- transaction: false\n"
    } else {
        ""
    };
    let dir = format!("apply-{id}");
    project.write(
        &format!("{dir}/1.sql"),
        format!("-- revision: {id}\n{header}\n-- up\n{statements}\n"),
    );
    project
        .sqlmig()
        .args(["--dir", &dir, "--database-url", database.url(), "upgrade"])
        .run()
        .success();
    // The next build comes from another directory: start its state afresh.
    database.execute("DROP TABLE sqlmig_revisions");
}

fn build(project: &Project, database: &TestDb, id: &str, statements: &[&str]) {
    let up: Vec<String> = statements.iter().map(|sql| format!("{sql};")).collect();
    apply(project, database, id, &up.join("\n"));
}

fn diff(project: &Project, from: &TestDb, to: &TestDb, down: bool) -> (i32, String) {
    let mut args = vec![
        "--dir",
        "none",
        "diff",
        "--from",
        from.url(),
        "--to",
        to.url(),
    ];
    if down {
        args.push("--down");
    }
    let run = project.sqlmig().args(args).run().no_panic();
    assert!(run.stderr().is_empty(), "diff failed:\n{}", run.stderr());
    (run.code().unwrap_or(-1), run.stdout())
}

fn dump(project: &Project, database: &TestDb) -> String {
    project
        .sqlmig()
        .args(["--database-url", database.url(), "schema"])
        .run()
        .success()
        .stdout()
}

fn every_change_replays_up_and_down(kind: Kind, scenarios: &[Scenario]) {
    for (number, scenario) in scenarios.iter().enumerate() {
        let project = Project::new();
        let (Some(from), Some(to), Some(back)) = (
            database(kind, &project, "from.db"),
            database(kind, &project, "to.db"),
            database(kind, &project, "back.db"),
        ) else {
            return;
        };
        build(&project, &from, "before", scenario.before);
        build(&project, &back, "before", scenario.before);
        build(&project, &to, "after", scenario.after);
        let context = format!("{kind:?} #{number} {}", scenario.name);

        let (code, up) = diff(&project, &from, &to, false);
        assert_eq!(code, 1, "{context}: the schemas differ:\n{up}");
        if !scenario.reversible {
            project
                .sqlmig()
                .args([
                    "--dir",
                    "none",
                    "diff",
                    "--down",
                    "--from",
                    from.url(),
                    "--to",
                    to.url(),
                ])
                .run()
                .failure()
                .stderr_has("cannot be written as DDL");
        }
        let down = if scenario.reversible {
            let (code, down) = diff(&project, &from, &to, true);
            assert_eq!(code, 1, "{context}: the schemas differ:\n{down}");
            down
        } else {
            String::new()
        };

        apply(&project, &from, "up", &up);
        let (code, left) = diff(&project, &from, &to, false);
        assert_eq!(
            code, 0,
            "{context}: after the up script, left:\n{left}\nthe script was:\n{up}"
        );
        assert_eq!(dump(&project, &from), dump(&project, &to), "{context}");

        if !scenario.reversible {
            continue;
        }
        apply(&project, &to, "down", &down);
        let (code, left) = diff(&project, &to, &back, false);
        assert_eq!(
            code, 0,
            "{context}: after the down script, left:\n{left}\nthe script was:\n{down}"
        );
    }
}

#[test]
fn postgres_every_change_replays_up_and_down() {
    every_change_replays_up_and_down(Kind::Postgres, POSTGRES);
}

#[test]
fn mysql_every_change_replays_up_and_down() {
    every_change_replays_up_and_down(Kind::Mysql, MYSQL);
}

#[test]
fn sqlite_every_change_replays_up_and_down() {
    every_change_replays_up_and_down(Kind::Sqlite, SQLITE);
}

#[test]
fn a_sqlite_rebuild_keeps_rows_and_cascades_nothing() {
    let project = Project::new();
    let from = TestDb::sqlite_named(&project, "from.db");
    let to = TestDb::sqlite_named(&project, "to.db");
    build(&project, &from, "before", rebuild_scenario().before);
    build(&project, &to, "after", rebuild_scenario().after);
    let (_, up) = diff(&project, &from, &to, false);
    assert!(up.contains("PRAGMA foreign_keys = OFF"), "{up}");
    apply(&project, &from, "up", &up);
    assert_eq!(
        from.column("SELECT id || ':' || name FROM p ORDER BY id"),
        ["1:A", "2:none"]
    );
    assert_eq!(
        from.column("SELECT id FROM c ORDER BY id"),
        ["10", "20"],
        "the children survived the parent's rebuild"
    );
    // The foreign key still holds after the rebuild.
    assert!(
        from.try_execute("PRAGMA foreign_keys = ON; INSERT INTO c VALUES (30, 99)")
            .is_err()
    );
}

#[test]
fn equal_schemas_print_nothing_and_exit_0_and_json_lists_changes() {
    let project = Project::new();
    let (from, to) = (
        TestDb::sqlite_named(&project, "from.db"),
        TestDb::sqlite_named(&project, "to.db"),
    );
    build(&project, &from, "before", &["CREATE TABLE a (id INTEGER)"]);
    build(&project, &to, "before", &["CREATE TABLE a (id INTEGER)"]);
    assert_eq!(diff(&project, &from, &to, false), (0, String::new()));
    build(
        &project,
        &to,
        "after",
        &["DROP TABLE a", "CREATE TABLE b (id INTEGER)"],
    );
    let json = project
        .sqlmig()
        .args([
            "--dir",
            "none",
            "--json",
            "diff",
            "--from",
            from.url(),
            "--to",
            to.url(),
        ])
        .run()
        .json();
    assert_eq!(json["equal"], false);
    let changes = json["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{json}");
    assert_eq!(changes[0]["kind"], "table");
    assert_eq!(changes[0]["action"], "create");
    assert_eq!(changes[1]["action"], "drop");
    assert_eq!(changes[1]["destructive"], true);
    let (_, up) = diff(&project, &from, &to, false);
    assert!(
        up.contains("-- WARNING: destroys data\nDROP TABLE \"a\";"),
        "{up}"
    );
}

#[test]
fn sources_that_are_neither_a_url_nor_sql_are_refused() {
    let project = Project::new();
    project
        .sqlmig()
        .args(["diff", "--from", "schema.txt", "--to", "sqlite::memory:"])
        .run()
        .failure()
        .stderr_has("`schema.txt` is not a schema source");
    project
        .sqlmig()
        .args([
            "diff",
            "--from",
            "postgres://u:s3cret@h/db?bad=1x",
            "--to",
            "nonsense",
        ])
        .run()
        .failure()
        .stderr_has("is not a schema source");
}

#[test]
fn what_postgres_cannot_express_is_refused_naming_the_objects() {
    let project = Project::new();
    let (Some(from), Some(to)) = (TestDb::postgres(), TestDb::postgres()) else {
        return;
    };
    build(
        &project,
        &from,
        "before",
        &[
            "CREATE TYPE mood AS ENUM ('sad', 'happy')",
            "CREATE TABLE a (id int, v int)",
        ],
    );
    build(
        &project,
        &to,
        "after",
        &[
            "CREATE TYPE mood AS ENUM ('happy', 'sad')",
            "CREATE TABLE a (id int, inserted int, v int)",
        ],
    );
    project
        .sqlmig()
        .args([
            "--dir",
            "none",
            "diff",
            "--from",
            from.url(),
            "--to",
            to.url(),
        ])
        .run()
        .failure()
        .stderr_has("cannot be written as DDL for PostgreSQL")
        .stderr_has(
            "enum \"public\".\"mood\": values removed or reordered (sad, happy -> happy, sad)",
        )
        .stderr_has(
            "column \"public\".\"a\".inserted: PostgreSQL cannot add a column before existing ones",
        );
}

/// The default sources: the migrations replayed (SQLite in memory, no
/// server) against `schema_file`; a `.sql` source applied the same way.
#[test]
fn migrations_against_the_schema_file_on_sqlite_need_no_server() {
    let project = Project::new();
    project
        .revision(
            "1",
            "-- revision: one\n\n-- up\nCREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\nCREATE INDEX a_v ON a (v);\n",
        )
        .write("schema.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\n-- the index\nCREATE INDEX a_v ON a (v);\n")
        .write("sqlmig.toml", "dialect = \"sqlite\"\nschema_file = \"schema.sql\"\n");
    let run = project.sqlmig().args(["diff"]).run().success();
    assert_eq!(run.stdout(), "");
    project.write(
        "schema.sql",
        "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT, w INTEGER);\nCREATE INDEX a_v ON a (v);\nCREATE TABLE b (id INTEGER);\n",
    );
    let run = project.sqlmig().args(["diff"]).run().failure();
    assert_eq!(
        run.stdout(),
        "ALTER TABLE \"a\" ADD COLUMN \"w\" INTEGER;\nCREATE TABLE \"b\" (\n    \"id\" INTEGER\n);\n"
    );
    // A mistake in the file is reported at its line, from the server.
    project.write(
        "broken.sql",
        "CREATE TABLE a (id INTEGER);\n\nCREATE TABLE oops (;\n",
    );
    project
        .sqlmig()
        .args(["diff", "--to", "broken.sql"])
        .run()
        .failure()
        .stderr_has("broken.sql:3:1:")
        .stderr_has("incomplete input");
}

/// On PostgreSQL the replays run on scratch databases beside `--dev-url`.
#[test]
fn migrations_against_a_schema_file_on_postgres_replay_on_scratch_databases() {
    let Some(dev) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project
        .revision(
            "1",
            "-- revision: one\n\n-- up\nCREATE TABLE a (id int PRIMARY KEY, v text);\n",
        )
        .write(
            "schema.sql",
            "CREATE TABLE a (id int PRIMARY KEY, v text, w int);\n",
        )
        .write(
            "sqlmig.toml",
            "dialect = \"postgres\"\nschema_file = \"schema.sql\"\n",
        );
    let run = project
        .sqlmig()
        .args(["diff", "--dev-url", dev.url()])
        .run()
        .failure();
    assert_eq!(
        run.stdout(),
        "ALTER TABLE \"public\".\"a\" ADD COLUMN \"w\" integer;\n"
    );
    // Nothing was written into the dev database itself.
    assert!(!dev.table_exists("a"));
    project
        .sqlmig()
        .args(["diff"])
        .run()
        .failure()
        .stderr_has("needs a scratch database: set `dev_url`");
}

/// The schema changes of the `diff -m` and `check` tests, per dialect:
/// the first revision, the wanted schema, and what is added out of band.
struct Workflow {
    first: &'static str,
    wanted: &'static str,
    out_of_band: &'static str,
    names: [&'static str; 3],
}

fn workflow(kind: Kind) -> Workflow {
    match kind {
        Kind::Postgres => Workflow {
            first: "CREATE TABLE a (id int PRIMARY KEY, v text);",
            wanted: "CREATE TABLE a (id int PRIMARY KEY, v varchar(200) NOT NULL DEFAULT '', w int);\nCREATE INDEX a_w ON a (w);\nCREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n",
            out_of_band: "ALTER TABLE a ADD COLUMN sneaky int; CREATE INDEX sneaky_idx ON a (v); ALTER TABLE a ADD CONSTRAINT sneaky_check CHECK (id > 0);",
            names: ["sneaky", "sneaky_idx", "sneaky_check"],
        },
        Kind::Mysql => Workflow {
            first: "CREATE TABLE a (id INT PRIMARY KEY, v TEXT);",
            wanted: "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(200) NOT NULL DEFAULT '', w INT);\nCREATE INDEX a_w ON a (w);\nCREATE TABLE b (id INT PRIMARY KEY, a_id INT, CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id));\n",
            out_of_band: "ALTER TABLE a ADD COLUMN sneaky INT; CREATE INDEX sneaky_idx ON a (v(10)); ALTER TABLE a ADD CONSTRAINT sneaky_check CHECK (id > 0);",
            names: ["sneaky", "sneaky_idx", "sneaky_check"],
        },
        Kind::Sqlite => Workflow {
            first: "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO a VALUES (1, 'kept');",
            wanted: "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT NOT NULL DEFAULT '', w INTEGER);\nCREATE INDEX a_w ON a (w);\nCREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));\n",
            out_of_band: "ALTER TABLE a ADD COLUMN sneaky INTEGER; CREATE INDEX sneaky_idx ON a (v); CREATE TABLE sneaky_check (x INTEGER CHECK (x > 0));",
            names: ["sneaky", "sneaky_idx", "sneaky_check"],
        },
    }
}

fn writes_a_verified_revision_and_checks_pass(kind: Kind) {
    let project = Project::new();
    let Some(live) = database(kind, &project, "live.db") else {
        return;
    };
    let dev = dev_database(kind, &project);
    let flow = workflow(kind);
    let config = workflow_config(kind, &live, dev.as_ref());
    project
        .revision(
            "1",
            &format!(
                "-- revision: first\n\n-- up\n{}\n\n-- down\nDROP TABLE a;\n",
                flow.first
            ),
        )
        .write("schema.sql", flow.wanted)
        .write("sqlmig.toml", config);
    project.sqlmig().args(["hash"]).run().success();
    project.sqlmig().args(["upgrade"]).run().success();

    // The schema file wants more than the migrations give.
    project
        .sqlmig()
        .args(["check", "--schema-file"])
        .run()
        .failure()
        .stdout_has("CREATE TABLE");
    let written = project
        .sqlmig()
        .args(["--json", "diff", "-m", "grow the schema"])
        .run()
        .success()
        .json();
    let paths: Vec<String> = written["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|path| path.as_str().unwrap().to_owned())
        .collect();
    // PostgreSQL builds the index on the existing table concurrently, in a
    // second revision outside a transaction.
    assert_eq!(
        paths.len(),
        if kind == Kind::Postgres { 2 } else { 1 },
        "{written}"
    );
    let text = project.read(&paths[0]);
    assert!(
        text.contains("-- revises: first") && text.contains("-- down\n"),
        "{text}"
    );
    assert_eq!(
        text.contains("-- transaction: false"),
        kind == Kind::Sqlite,
        "only SQLite's rebuild runs outside a transaction:\n{text}"
    );
    if let Some(second) = paths.get(1) {
        let text = project.read(second);
        assert!(
            text.contains("-- transaction: false")
                && text.contains("CREATE INDEX CONCURRENTLY a_w ON public.a")
                && text.contains("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"a_w\""),
            "{text}"
        );
    }
    project.sqlmig().args(["verify"]).run().success();
    project
        .sqlmig()
        .args(["check", "--schema-file"])
        .run()
        .success();
    // Nothing left to write.
    project
        .sqlmig()
        .args(["diff", "-m", "again"])
        .run()
        .success()
        .stdout_has("no changes");
    assert_eq!(
        std::fs::read_dir(project.path("migrations"))
            .unwrap()
            .count(),
        2 + paths.len()
    );

    // On the live database: up, then down and up again.
    project.sqlmig().args(["upgrade"]).run().success();
    project.sqlmig().args(["check", "--drift"]).run().success();
    if kind == Kind::Sqlite {
        assert_eq!(
            live.column("SELECT v FROM a"),
            ["kept"],
            "rows survive the rebuild"
        );
    }
    project.sqlmig().args(["downgrade", "-1"]).run().success();
    project.sqlmig().args(["check", "--drift"]).run().success();
    project.sqlmig().args(["upgrade"]).run().success();

    // Changes made with the database's own client show as drift.
    live.execute(flow.out_of_band);
    let run = project.sqlmig().args(["check", "--drift"]).run().failure();
    for name in flow.names {
        assert!(
            run.stdout().contains(name),
            "{kind:?}: {name} not named:\n{}",
            run.stdout()
        );
    }
    run.stderr_has("changed out of band");
}

#[test]
fn postgres_diff_m_writes_a_verified_revision_and_checks_pass() {
    writes_a_verified_revision_and_checks_pass(Kind::Postgres);
}

#[test]
fn mysql_diff_m_writes_a_verified_revision_and_checks_pass() {
    writes_a_verified_revision_and_checks_pass(Kind::Mysql);
}

#[test]
fn sqlite_diff_m_writes_a_verified_revision_and_checks_pass() {
    writes_a_verified_revision_and_checks_pass(Kind::Sqlite);
}

#[test]
fn dump_schema_writes_the_schema_file_after_each_change() {
    let project = Project::new();
    let live = TestDb::sqlite(&project);
    project
        .revision(
            "1",
            "-- revision: one\n\n-- up\nCREATE TABLE a (id INTEGER);\n\n-- down\nDROP TABLE a;\n",
        )
        .write(
            "sqlmig.toml",
            format!(
                "database_url = \"{}\"\nschema_file = \"db/schema.sql\"\ndump_schema = true\n",
                live.url()
            ),
        );
    std::fs::create_dir(project.path("db")).unwrap();
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        project.read("db/schema.sql"),
        "CREATE TABLE \"a\" (\n    \"id\" INTEGER\n);\n"
    );
    project
        .sqlmig()
        .args(["check", "--schema-file"])
        .run()
        .success();
    project.sqlmig().args(["downgrade", "base"]).run().success();
    assert_eq!(project.read("db/schema.sql"), "");
    project.sqlmig().args(["stamp", "head"]).run().success();
    assert_eq!(project.read("db/schema.sql"), "");
}

/// The emit fixtures and the example project, replayed on a scratch
/// database, give exactly the schema an online upgrade leaves.
fn replay_equals_the_live_database(kind: Kind, dir: &str) {
    let project = Project::new();
    let (Some(live), dev) = (
        database(kind, &project, "live.db"),
        dev_database(kind, &project),
    ) else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let dir = dir.to_str().unwrap();
    project
        .sqlmig()
        .args(["--dir", dir, "--database-url", live.url(), "upgrade"])
        .run()
        .success();
    let mut args = vec![
        "--dir",
        dir,
        "diff",
        "--from",
        "migrations",
        "--to",
        live.url(),
    ];
    if let Some(dev) = &dev {
        args.extend(["--dev-url", dev.url()]);
    }
    let run = project.sqlmig().args(args).run().success();
    assert!(
        run.stdout()
            .lines()
            .all(|line| line.starts_with("-- not compared")),
        "{kind:?} {dir}:\n{}",
        run.stdout()
    );
}

#[test]
fn the_emit_fixtures_replay_to_their_live_databases() {
    replay_equals_the_live_database(Kind::Postgres, "fixtures/emit/postgres/migrations");
    replay_equals_the_live_database(Kind::Mysql, "fixtures/emit/mysql/migrations");
    replay_equals_the_live_database(Kind::Sqlite, "fixtures/emit/sqlite/migrations");
}

#[test]
fn the_example_project_replays_to_its_live_database_on_every_dialect() {
    replay_equals_the_live_database(Kind::Postgres, "migrations");
    replay_equals_the_live_database(Kind::Mysql, "migrations");
    replay_equals_the_live_database(Kind::Sqlite, "migrations");
    // And its schema.sql is what its migrations give.
    Project::new()
        .sqlmig()
        .args([
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/sqlmig.toml"),
            "check",
            "--schema-file",
        ])
        .run()
        .success();
}

/// Every reversible change of the corpus through the whole workflow:
/// `diff -m` writes it (verified by replay), `upgrade` reaches exactly the
/// target schema, `downgrade` of what it wrote returns exactly to the one before; the
/// corpus holds at least 40 changes.
fn every_change_through_diff_m(kind: Kind, scenarios: &[Scenario]) {
    let mut changes = 0;
    for (number, scenario) in scenarios.iter().enumerate().filter(|(_, s)| s.reversible) {
        let project = Project::new();
        let (Some(live), Some(to), Some(back)) = (
            database(kind, &project, "live.db"),
            database(kind, &project, "to.db"),
            database(kind, &project, "back.db"),
        ) else {
            return;
        };
        let dev = dev_database(kind, &project);
        build(&project, &to, "after", scenario.after);
        build(&project, &back, "before", scenario.before);
        let statements = |list: &[&str]| {
            list.iter()
                .map(|sql| format!("{sql};\n"))
                .collect::<String>()
        };
        let config = workflow_config(kind, &live, dev.as_ref());
        project
            .revision(
                "1",
                &format!(
                    "-- revision: before\n\n-- up\n{}",
                    statements(scenario.before)
                ),
            )
            .write("schema.sql", statements(scenario.after))
            .write("sqlmig.toml", config);
        project.sqlmig().args(["hash"]).run().success();
        project.sqlmig().args(["upgrade"]).run().success();
        let context = format!("{kind:?} #{number} {}", scenario.name);
        let written = project
            .sqlmig()
            .args(["--json", "diff", "-m", scenario.name])
            .run()
            .success()
            .json();
        changes += usize::try_from(written["changes"].as_u64().unwrap_or_default()).unwrap();
        let revisions = written["revisions"].as_array().map_or(0, Vec::len);
        project.sqlmig().args(["upgrade"]).run().success();
        assert_eq!(
            dump(&project, &live),
            dump(&project, &to),
            "{context}: upgrade"
        );
        project
            .sqlmig()
            .args(["downgrade", &format!("-{revisions}")])
            .run()
            .success();
        assert_eq!(
            dump(&project, &live),
            dump(&project, &back),
            "{context}: downgrade -1"
        );
    }
    eprintln!("{kind:?}: {changes} changes written, upgraded and downgraded");
    assert!(
        changes >= 40,
        "{kind:?}: a corpus of at least 40 changes, not {changes}"
    );
}

#[test]
fn postgres_diff_m_upgrade_and_downgrade_reach_each_schema() {
    every_change_through_diff_m(Kind::Postgres, POSTGRES);
}

#[test]
fn mysql_diff_m_upgrade_and_downgrade_reach_each_schema() {
    every_change_through_diff_m(Kind::Mysql, MYSQL);
}

#[test]
fn sqlite_diff_m_upgrade_and_downgrade_reach_each_schema() {
    every_change_through_diff_m(Kind::Sqlite, SQLITE);
}

#[test]
fn a_possible_rename_is_written_as_drop_and_add_with_a_hint() {
    let project = Project::new();
    let (from, to) = (
        TestDb::sqlite_named(&project, "from.db"),
        TestDb::sqlite_named(&project, "to.db"),
    );
    build(
        &project,
        &from,
        "before",
        &["CREATE TABLE people (id INTEGER, name TEXT)"],
    );
    build(
        &project,
        &to,
        "after",
        &["CREATE TABLE persons (id INTEGER, name TEXT)"],
    );
    let (_, up) = diff(&project, &from, &to, false);
    assert!(
        up.contains("-- a rename cannot be told from a drop and an add: if \"people\" became \"persons\", write ALTER TABLE \"people\" RENAME TO \"persons\" instead"),
        "{up}"
    );
    let Some((from, to)) = TestDb::postgres().zip(TestDb::postgres()) else {
        return;
    };
    build(
        &project,
        &from,
        "before",
        &["CREATE TABLE a (id int, full_name text)"],
    );
    build(
        &project,
        &to,
        "after",
        &["CREATE TABLE a (id int, name text)"],
    );
    let (_, up) = diff(&project, &from, &to, false);
    let hint = "-- a rename cannot be told from a drop and an add: if full_name became name, write ALTER TABLE \"public\".\"a\" RENAME COLUMN \"full_name\" TO \"name\" instead, which keeps its data";
    assert_eq!(
        up.matches(hint).count(),
        2,
        "before the drop and before the add:\n{up}"
    );
}

#[test]
#[cfg(feature = "postgres")]
fn an_unreachable_dev_url_and_a_user_who_may_not_create_databases_fail_clearly() {
    let project = Project::new();
    project
        .revision("1", "-- revision: one\n\n-- up\nCREATE TABLE a (id int);\n")
        .write("schema.sql", "CREATE TABLE a (id int);\n")
        .write(
            "sqlmig.toml",
            "dialect = \"postgres\"\nschema_file = \"schema.sql\"\n",
        );
    project
        .sqlmig()
        .args([
            "diff",
            "--dev-url",
            "postgres://u:s3cret@127.0.0.1:1/dev?connect_timeout=1",
        ])
        .run()
        .failure()
        .stderr_has("cannot connect");
    // A MariaDB user who may use its own database but create none.
    let Some(dev) = TestDb::mysql() else {
        return;
    };
    let _user = crate::support::database::TestUser::create(&dev, "Pw-s3cret-9");
    let url = format!(
        "mysql://sqlmig_t_{0}:Pw-s3cret-9@127.0.0.1:3306/{0}",
        dev.name()
    );
    project.write(
        "sqlmig.toml",
        "dialect = \"mysql\"\nschema_file = \"schema.sql\"\n",
    );
    let run = project
        .sqlmig()
        .args(["diff", "--dev-url", &url])
        .run()
        .failure()
        .stderr_has("cannot create scratch database");
    assert!(!run.stderr().contains("s3cret"), "{}", run.stderr());
    assert!(
        project.path("migrations").read_dir().unwrap().count() == 1,
        "nothing written"
    );
}

fn rebuild_scenario() -> &'static Scenario {
    SQLITE
        .iter()
        .find(|scenario| scenario.name == "a rebuild keeps the rows and the foreign keys")
        .expect("the rebuild scenario")
}

/// Two SQLite files of `project`, built from `first` and `second`.
fn sqlite_pair(project: &Project, first: &[&str], second: &[&str]) -> (TestDb, TestDb) {
    let pair = (
        TestDb::sqlite_named(project, "first.db"),
        TestDb::sqlite_named(project, "second.db"),
    );
    build(project, &pair.0, "first", first);
    build(project, &pair.1, "second", second);
    pair
}

/// Pitfall 13: a rebuilt AUTOINCREMENT table keeps its counter: with ids
/// 1-3 used and 3 deleted, the next row after the rebuild gets 4, not 3.
#[test]
fn a_sqlite_rebuild_keeps_the_autoincrement_counter() {
    let project = Project::new();
    let (from, to) = sqlite_pair(
        &project,
        &[
            "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)",
            "INSERT INTO a (v) VALUES ('1'), ('2'), ('3')",
            "DELETE FROM a WHERE id = 3",
        ],
        &["CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL DEFAULT '')"],
    );
    let (_, up) = diff(&project, &from, &to, false);
    assert!(up.contains("PRAGMA foreign_keys = OFF"), "a rebuild:\n{up}");
    apply(&project, &from, "up", &up);
    from.execute("INSERT INTO a (v) VALUES ('4')");
    assert_eq!(from.column("SELECT id FROM a ORDER BY id"), ["1", "2", "4"]);
}

/// Pitfall 14: what SQLite keeps only as text compares by meaning:
/// `REFERENCES p` is `REFERENCES p (id)`, a re-spaced CHECK is the same.
#[test]
fn sqlite_facts_kept_as_text_compare_by_meaning() {
    let project = Project::new();
    let (terse, spelled) = sqlite_pair(
        &project,
        &[
            "CREATE TABLE p (id INTEGER PRIMARY KEY)",
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p, n INTEGER CHECK(n>0))",
        ],
        &[
            "CREATE TABLE p (id INTEGER PRIMARY KEY)",
            "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id), n INTEGER CHECK ( n > 0 ))",
        ],
    );
    let (code, left) = diff(&project, &terse, &spelled, false);
    assert_eq!((code, left.as_str()), (0, ""));
    assert_eq!(dump(&project, &terse), dump(&project, &spelled));
}
