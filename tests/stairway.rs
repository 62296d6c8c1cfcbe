//! `sqlmig test` (SPEC §8) through the binary on every dialect: a good
//! history passes; a down section that forgets a table, an index, a column
//! default, a trigger or a foreign key is caught, naming the revision and
//! the object; irreversible revisions are stepped over and fail with
//! `--strict`; `--json`; an empty down section is refused by `downgrade`
//! before anything is reverted; no scratch database is left behind.

use crate::support::database::{Kind, TestDb};
use crate::support::{Project, Run, revision_text};

/// One object a revision adds, with the statements that undo it.
struct Object {
    /// What it is, as the test's name says it.
    what: &'static str,
    up: &'static str,
    down: &'static str,
    /// Text naming the object in the difference printed when it is forgotten.
    named: &'static str,
}

/// A dialect's history: a base revision, then one revision per object.
struct History {
    kind: Kind,
    base_up: &'static str,
    base_down: &'static str,
    objects: [Object; 5],
}

/// The index revision of PostgreSQL and SQLite (MySQL names the table in
/// `DROP INDEX`).
const INDEX: Object = Object {
    what: "index",
    up: "CREATE INDEX pets_name_ix ON pets (name);",
    down: "DROP INDEX pets_name_ix;",
    named: "pets_name_ix",
};

const POSTGRES: History = History {
    kind: Kind::Postgres,
    base_up: "CREATE TABLE owners (id int PRIMARY KEY);\nCREATE TABLE pets (id int PRIMARY KEY, owner_id int, name text);\nCREATE FUNCTION pets_lower() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := lower(NEW.name); RETURN NEW; END $$;",
    base_down: "DROP FUNCTION pets_lower();\nDROP TABLE pets;\nDROP TABLE owners;",
    objects: [
        Object {
            what: "table",
            up: "CREATE TABLE visits (id int PRIMARY KEY);",
            down: "DROP TABLE visits;",
            named: "\"visits\"",
        },
        INDEX,
        Object {
            what: "column default",
            up: "ALTER TABLE pets ALTER COLUMN name SET DEFAULT 'rex';",
            down: "ALTER TABLE pets ALTER COLUMN name DROP DEFAULT;",
            named: "\"name\" DROP DEFAULT",
        },
        Object {
            what: "trigger",
            up: "CREATE TRIGGER pets_lower BEFORE INSERT ON pets FOR EACH ROW EXECUTE FUNCTION pets_lower();",
            down: "DROP TRIGGER pets_lower ON pets;",
            named: "pets_lower",
        },
        Object {
            what: "foreign key",
            up: "ALTER TABLE pets ADD CONSTRAINT pets_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id);",
            down: "ALTER TABLE pets DROP CONSTRAINT pets_owner_fk;",
            named: "pets_owner_fk",
        },
    ],
};

const MYSQL: History = History {
    kind: Kind::Mysql,
    // The index on owner_id is the one the foreign key uses: without it
    // MySQL would create one, which the foreign key's down must drop too.
    base_up: "CREATE TABLE owners (id int PRIMARY KEY);\nCREATE TABLE pets (id int PRIMARY KEY, owner_id int, name varchar(50));\nCREATE INDEX pets_owner_ix ON pets (owner_id);",
    base_down: "DROP TABLE pets;\nDROP TABLE owners;",
    objects: [
        Object {
            what: "table",
            up: "CREATE TABLE visits (id int PRIMARY KEY);",
            down: "DROP TABLE visits;",
            named: "`visits`",
        },
        Object {
            what: "index",
            up: "CREATE INDEX pets_name_ix ON pets (name);",
            down: "DROP INDEX pets_name_ix ON pets;",
            named: "pets_name_ix",
        },
        Object {
            what: "column default",
            up: "ALTER TABLE pets ALTER COLUMN name SET DEFAULT 'rex';",
            down: "ALTER TABLE pets ALTER COLUMN name DROP DEFAULT;",
            named: "`name`",
        },
        Object {
            what: "trigger",
            up: "CREATE TRIGGER pets_lower BEFORE INSERT ON pets FOR EACH ROW SET NEW.name = LOWER(NEW.name);",
            down: "DROP TRIGGER pets_lower;",
            named: "pets_lower",
        },
        Object {
            what: "foreign key",
            up: "ALTER TABLE pets ADD CONSTRAINT pets_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id);",
            down: "ALTER TABLE pets DROP FOREIGN KEY pets_owner_fk;",
            named: "pets_owner_fk",
        },
    ],
};

// SQLite changes a default or adds a foreign key by rebuilding the table.
const SQLITE: History = History {
    kind: Kind::Sqlite,
    base_up: "CREATE TABLE owners (id INTEGER PRIMARY KEY);\nCREATE TABLE pets (id INTEGER PRIMARY KEY, owner_id INTEGER, name TEXT);",
    base_down: "DROP TABLE pets;\nDROP TABLE owners;",
    objects: [
        Object {
            what: "table",
            up: "CREATE TABLE visits (id INTEGER PRIMARY KEY);",
            down: "DROP TABLE visits;",
            named: "\"visits\"",
        },
        Object {
            what: "column default",
            up: "CREATE TABLE pets_new (id INTEGER PRIMARY KEY, owner_id INTEGER, name TEXT DEFAULT 'rex');\nINSERT INTO pets_new SELECT id, owner_id, name FROM pets;\nDROP TABLE pets;\nALTER TABLE pets_new RENAME TO pets;",
            down: "CREATE TABLE pets_old (id INTEGER PRIMARY KEY, owner_id INTEGER, name TEXT);\nINSERT INTO pets_old SELECT id, owner_id, name FROM pets;\nDROP TABLE pets;\nALTER TABLE pets_old RENAME TO pets;",
            named: "\"name\" TEXT",
        },
        Object {
            what: "foreign key",
            up: "CREATE TABLE pets_new (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES owners (id), name TEXT DEFAULT 'rex');\nINSERT INTO pets_new SELECT id, owner_id, name FROM pets;\nDROP TABLE pets;\nALTER TABLE pets_new RENAME TO pets;",
            down: "CREATE TABLE pets_old (id INTEGER PRIMARY KEY, owner_id INTEGER, name TEXT DEFAULT 'rex');\nINSERT INTO pets_old SELECT id, owner_id, name FROM pets;\nDROP TABLE pets;\nALTER TABLE pets_old RENAME TO pets;",
            named: "\"owner_id\" INTEGER,",
        },
        INDEX,
        Object {
            what: "trigger",
            up: "CREATE TRIGGER pets_lower AFTER INSERT ON pets BEGIN UPDATE pets SET name = lower(NEW.name) WHERE id = NEW.id; END;",
            down: "DROP TRIGGER pets_lower;",
            named: "pets_lower",
        },
    ],
};

const HISTORIES: [&History; 3] = [&POSTGRES, &MYSQL, &SQLITE];

/// Every revision but the base also creates a side table that its down
/// section drops, so a down section that forgets the object is not empty.
fn side_table(kind: Kind, number: usize) -> String {
    let int = if kind == Kind::Sqlite {
        "INTEGER"
    } else {
        "int"
    };
    format!("CREATE TABLE side_{number} (id {int});")
}

/// The history in `project`; the down section of revision `broken` (1-based
/// over the objects) forgets its object. Returns the revision ids.
fn write_history(project: &Project, history: &History, broken: Option<usize>) -> Vec<String> {
    project.revision(
        "000_root",
        &revision_text("root", &[], history.base_up, Some(history.base_down)),
    );
    let mut ids = vec![String::from("root")];
    for (index, object) in history.objects.iter().enumerate() {
        let number = index + 1;
        let id = format!("r{number}_{}", object.what.replace(' ', "_"));
        let up = format!("{}\n{}", side_table(history.kind, number), object.up);
        let drop_side = format!("DROP TABLE side_{number};");
        let down = if broken == Some(number) {
            drop_side
        } else {
            format!("{}\n{drop_side}", object.down)
        };
        let parent = ids.last().cloned().unwrap_or_default();
        project.revision(
            &format!("{number:03}_{id}"),
            &revision_text(&id, &[&parent], &up, Some(&down)),
        );
        ids.push(id);
    }
    ids
}

/// A database of `kind` beside which scratch databases are made (SQLite:
/// a file the test never uses, since SQLite replays in memory).
fn database(kind: Kind, project: &Project) -> Option<TestDb> {
    match kind {
        Kind::Postgres => TestDb::postgres(),
        Kind::Mysql => TestDb::mysql(),
        Kind::Sqlite => Some(TestDb::sqlite(project)),
    }
}

/// A project configured for a database of `kind`, or `None` when the
/// server is not there.
fn configured(kind: Kind) -> Option<(Project, TestDb)> {
    let project = Project::new();
    let db = database(kind, &project)?;
    configure(&project, &db);
    Some((project, db))
}

fn configure(project: &Project, db: &TestDb) {
    let mut config = format!(
        "dialect = \"{}\"\ndatabase_url = \"{}\"\n",
        db.kind.dialect_name(),
        db.url()
    );
    if db.kind != Kind::Sqlite {
        config.push_str(&format!("dev_url = \"{}\"\n", db.url()));
    }
    project.write("sqlmig.toml", config);
}

/// Runs `sqlmig test ARGS` and checks that no scratch database of that
/// process is left on the server.
fn test_run(project: &Project, db: &TestDb, args: &[&str]) -> Run {
    let child = project.sqlmig().args(["test"]).args(args).spawn();
    let pid = child.id();
    let output = child.wait_with_output().expect("sqlmig test finishes");
    let left_behind = format!("sqlmig_scratch_%\\_{pid}\\_%");
    let query = match db.kind {
        Kind::Sqlite => return Run { output },
        Kind::Postgres => {
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{left_behind}'")
        }
        Kind::Mysql => format!(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '{left_behind}'"
        ),
    };
    assert_eq!(
        db.column(&query),
        Vec::<String>::new(),
        "scratch databases left"
    );
    Run { output }
}

/// A configured project on `history`'s dialect holding its root revision
/// and revision `id` (file `002_<id>`) on top, or `None` when the server is
/// not there.
fn root_and(
    history: &History,
    id: &str,
    up: &str,
    down: Option<&str>,
) -> Option<(Project, TestDb)> {
    let (project, db) = configured(history.kind)?;
    project.revision(
        "001_root",
        &revision_text("root", &[], history.base_up, Some(history.base_down)),
    );
    project.revision(
        &format!("002_{id}"),
        &revision_text(id, &["root"], up, down),
    );
    Some((project, db))
}

#[test]
fn a_good_history_passes_on_every_dialect() {
    for history in HISTORIES {
        let Some((project, db)) = configured(history.kind) else {
            continue;
        };
        let ids = write_history(&project, history, None);
        let run = test_run(&project, &db, &[]).success();
        for id in &ids {
            assert!(
                run.stdout().contains(&format!("ok {id}\n")),
                "{:?}: {id} not ok\n{}",
                history.kind,
                run.stdout()
            );
        }
        run.stdout_has("6 revisions tested");
        // The test database itself was never touched.
        assert!(db.applied().is_empty(), "{:?}", history.kind);
    }
}

#[test]
fn a_down_that_forgets_an_object_is_caught_naming_revision_and_object() {
    for history in HISTORIES {
        for (index, object) in history.objects.iter().enumerate() {
            let Some((project, db)) = configured(history.kind) else {
                continue;
            };
            let ids = write_history(&project, history, Some(index + 1));
            let broken = &ids[index + 1];
            let run = test_run(&project, &db, &[]).failure();
            let context = format!("{:?} {}", history.kind, object.what);
            assert!(
                run.stderr().contains(&format!("revision {broken} (")),
                "{context}: revision not named\n{}",
                run.stderr()
            );
            assert!(
                run.stderr().contains(&format!("{broken}.sql")),
                "{context}: file not named\n{}",
                run.stderr()
            );
            assert!(
                run.stdout().contains(object.named),
                "{context}: object not named ({})\n{}",
                object.named,
                run.stdout()
            );
            // The revisions before it passed; the walk stopped at it.
            for id in &ids[..=index] {
                assert!(run.stdout().contains(&format!("ok {id}\n")), "{context}");
            }
            assert!(!run.stdout().contains(&format!("ok {broken}")), "{context}");
        }
    }
}

#[test]
fn json_reports_every_revision_and_goes_on_past_failures() {
    for history in HISTORIES {
        let Some((project, db)) = configured(history.kind) else {
            continue;
        };
        // The index revision forgets its index.
        let broken = history
            .objects
            .iter()
            .position(|object| object.what == "index")
            .unwrap()
            + 1;
        let ids = write_history(&project, history, Some(broken));
        let run = test_run(&project, &db, &["--json"]).failure();
        let json = run.json();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["failed", "passed", "revisions"],
            "{:?}",
            history.kind
        );
        assert_eq!(json["passed"], 5);
        assert_eq!(json["failed"], 1);
        let revisions = json["revisions"].as_array().unwrap();
        let listed: Vec<&str> = revisions
            .iter()
            .map(|entry| entry["revision"].as_str().unwrap())
            .collect();
        assert_eq!(listed, ids, "{:?}", history.kind);
        for (number, entry) in revisions.iter().enumerate() {
            let (result, difference) = (&entry["result"], entry["difference"].as_array().unwrap());
            if number == broken {
                assert_eq!(result, "failed");
                assert_eq!(difference.len(), 1, "{entry}");
                assert_eq!(difference[0]["kind"], "index");
                assert!(
                    difference[0]["object"]
                        .as_str()
                        .unwrap()
                        .contains("pets_name_ix")
                );
            } else {
                assert_eq!(result, "ok", "{entry}");
                assert!(difference.is_empty());
            }
        }
    }
}

#[test]
fn irreversible_revisions_are_stepped_over_and_fail_with_strict() {
    for history in HISTORIES {
        let Some((project, db)) = root_and(
            history,
            "backfill",
            "INSERT INTO owners (id) VALUES (1);",
            None,
        ) else {
            continue;
        };
        test_run(&project, &db, &[])
            .success()
            .stdout_has("ok root\n")
            .stdout_has("irreversible backfill (")
            .stdout_has("1 irreversible, stepped over");
        test_run(&project, &db, &["--strict"])
            .failure()
            .stderr_has("revision backfill (")
            .stderr_has("no `-- down` section");
        let json = test_run(&project, &db, &["--json"]).success().json();
        assert_eq!(json["revisions"][1]["result"], "irreversible");
        assert_eq!(json["failed"], 0);
    }
}

#[test]
fn an_empty_down_fails_test_and_downgrade_refuses_it_reverting_nothing() {
    for history in HISTORIES {
        // Revision `visits` has `-- down` on line 8 and nothing under it.
        let Some((project, db)) =
            root_and(history, "visits", &side_table(history.kind, 1), Some(""))
        else {
            continue;
        };
        test_run(&project, &db, &[])
            .failure()
            .stderr_has("002_visits.sql:8:1: the down section of revision visits is empty")
            .stderr_has("-- nothing to undo");
        project.sqlmig().args(["upgrade"]).run().success();
        project
            .sqlmig()
            .args(["downgrade", "base"])
            .run()
            .failure()
            .stderr_has("nothing was reverted")
            .stderr_has("002_visits.sql:8:1");
        assert_eq!(db.applied(), ["root", "visits"], "{:?}", history.kind);
        assert!(db.table_exists("side_1"), "{:?}", history.kind);
        // The offline script is refused the same way.
        project
            .sqlmig()
            .args(["emit", "--offline", "--down", "--from", "visits", "base"])
            .run()
            .failure()
            .stderr_has("002_visits.sql:8:1");
        project.sqlmig().args(["hash"]).run().success();
        project
            .sqlmig()
            .args(["verify"])
            .run()
            .success()
            .stderr_has("the down section of revision visits is empty");
    }
}

#[test]
fn nothing_to_undo_marks_an_intentional_no_op_down() {
    for history in HISTORIES {
        let Some((project, db)) = root_and(
            history,
            "seed",
            "UPDATE pets SET name = lower(name);",
            Some("-- nothing to undo"),
        ) else {
            continue;
        };
        test_run(&project, &db, &["--strict"])
            .success()
            .stdout_has("ok seed\n");
        project.sqlmig().args(["upgrade"]).run().success();
        project.sqlmig().args(["downgrade", "base"]).run().success();
        assert!(db.applied().is_empty(), "{:?}", history.kind);
    }
}

/// fixtures/histories/postgres-stairway: 152 revisions written the way a
/// real project grows; `test --json` goes on past failures and finds
/// exactly the broken down sections that `broken.txt` lists, and steps over
/// the two irreversible revisions.
#[test]
fn a_long_postgres_history_finds_exactly_its_broken_downs() {
    let Some(dev) = TestDb::postgres() else {
        return;
    };
    let project = Project::new();
    project.write("sqlmig.toml", "dialect = \"postgres\"\n");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/histories/postgres-stairway");
    let broken: Vec<String> = std::fs::read_to_string(fixture.join("broken.txt"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert_eq!(broken.len(), 6);
    let dir = fixture.join("migrations");
    let run = test_run(
        &project,
        &dev,
        &[
            "--json",
            "--dev-url",
            dev.url(),
            "--dir",
            dir.to_str().unwrap(),
        ],
    )
    .failure();
    let json = run.json();
    let revisions = json["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 152);
    let with = |result: &str| -> Vec<String> {
        revisions
            .iter()
            .filter(|entry| entry["result"] == result)
            .map(|entry| entry["revision"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(with("failed"), broken);
    assert_eq!(with("irreversible").len(), 2);
    assert_eq!(json["failed"], 6);
    assert_eq!(json["passed"], 146);
}

/// `sqlmig new` writes a down section that asks for a decision: untouched,
/// with an empty up section, the revision is a no-op both ways; once the up
/// section has statements, `test` and `downgrade` refuse it until the down
/// section undoes them or says `-- nothing to undo`.
#[test]
fn a_new_revision_down_placeholder_is_refused_once_the_up_is_written() {
    let (project, db) = configured(Kind::Sqlite).unwrap();
    let created = project
        .sqlmig()
        .args(["new", "-m", "add notes", "--json"])
        .run()
        .success();
    let path = created.json()["path"].as_str().unwrap().to_owned();
    project.sqlmig().args(["upgrade"]).run().success();
    project.sqlmig().args(["downgrade", "-1"]).run().success();
    let file = project.root().join(&path);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("-- down\n-- TODO"), "{text}");
    let written = text.replacen("-- up\n", "-- up\nCREATE TABLE notes (id INTEGER);\n", 1);
    std::fs::write(&file, &written).unwrap();
    project.sqlmig().args(["hash"]).run().success();
    project.sqlmig().args(["upgrade"]).run().success();
    test_run(&project, &db, &[])
        .failure()
        .stderr_has("is empty while its up section is not");
    project
        .sqlmig()
        .args(["downgrade", "-1"])
        .run()
        .failure()
        .stderr_has("nothing was reverted");
    assert!(db.table_exists("notes"));
    std::fs::write(
        &file,
        written.replace("-- TODO", "DROP TABLE notes;\n-- TODO"),
    )
    .unwrap();
    project.sqlmig().args(["hash"]).run().success();
    test_run(&project, &db, &[]).success();
}
