//! `sqlmig schema`: the canonical dump read from each server's catalog.
//! The same objects created in different orders dump the same bytes, and a
//! dump applied to an empty database dumps the same again (a fixpoint).

use crate::support::Project;
use crate::support::database::{Kind, TestDb};

/// The objects of one test schema, in the order of one build and of
/// another (which also adds a column with `ALTER TABLE` instead of creating
/// it with its table); and what only one dialect has.
struct Case {
    first: &'static [&'static str],
    second: &'static [&'static str],
}

fn case(kind: Kind) -> Case {
    match kind {
        Kind::Postgres => Case {
            first: &[
                "CREATE SCHEMA billing",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE SEQUENCE invoice_numbers START 1000",
                "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, name text COLLATE \"C\", mood mood DEFAULT 'ok', created_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE billing.invoices (number bigint PRIMARY KEY DEFAULT nextval('invoice_numbers'), customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE, total numeric(12,2) NOT NULL CHECK (total >= 0), cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED)",
                "CREATE TABLE audit (id serial PRIMARY KEY, note text)",
                "CREATE INDEX customers_lower_email ON customers (lower(email))",
                "CREATE INDEX invoices_open ON billing.invoices (customer_id) WHERE total > 0",
                "CREATE INDEX audit_note_hash ON audit USING hash (note)",
                "CREATE VIEW big_invoices AS SELECT number, total FROM billing.invoices WHERE total > 100",
                "CREATE VIEW a_top AS SELECT max(total) AS total FROM big_invoices",
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'x; y'); RETURN NEW; END $$",
                "CREATE TRIGGER audit_touch BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION touch()",
                "COMMENT ON TABLE customers IS 'who pays'",
                "COMMENT ON COLUMN customers.email IS 'the login; unique'",
                "CREATE MATERIALIZED VIEW totals AS SELECT 1 AS one",
            ],
            second: &[
                "CREATE TABLE audit (id serial PRIMARY KEY, note text)",
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'x; y'); RETURN NEW; END $$",
                "CREATE TRIGGER audit_touch BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION touch()",
                "CREATE INDEX audit_note_hash ON audit USING hash (note)",
                "CREATE MATERIALIZED VIEW totals AS SELECT 1 AS one",
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, name text COLLATE \"C\", mood mood DEFAULT 'ok')",
                "COMMENT ON COLUMN customers.email IS 'the login; unique'",
                "ALTER TABLE customers ADD COLUMN created_at timestamptz NOT NULL DEFAULT now()",
                "CREATE INDEX customers_lower_email ON customers (lower(email))",
                "CREATE SEQUENCE invoice_numbers START 1000",
                "CREATE SCHEMA billing",
                "CREATE TABLE billing.invoices (number bigint PRIMARY KEY DEFAULT nextval('invoice_numbers'), customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE, total numeric(12,2) NOT NULL CHECK (total >= 0), cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED)",
                "CREATE VIEW big_invoices AS SELECT number, total FROM billing.invoices WHERE total > 100",
                "CREATE VIEW a_top AS SELECT max(total) AS total FROM big_invoices",
                "CREATE INDEX invoices_open ON billing.invoices (customer_id) WHERE total > 0",
                "COMMENT ON TABLE customers IS 'who pays'",
            ],
        },
        Kind::Mysql => Case {
            first: &[
                "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, name VARCHAR(50) COLLATE utf8mb4_bin, doc JSON, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, UNIQUE KEY customers_email (email), CONSTRAINT name_not_empty CHECK (name <> ''))",
                "CREATE TABLE invoices (number INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(12,2) NOT NULL DEFAULT 0, cents INT AS (total * 100) VIRTUAL, note TEXT, CONSTRAINT invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE)",
                "CREATE INDEX invoices_total ON invoices (total DESC)",
                "CREATE INDEX invoices_note ON invoices (note(20))",
                "CREATE VIEW big_invoices AS SELECT number, total FROM invoices WHERE total > 100",
                "CREATE VIEW a_top AS SELECT MAX(total) AS total FROM big_invoices",
                "CREATE FUNCTION cents(amount DECIMAL(12,2)) RETURNS INT DETERMINISTIC RETURN amount * 100",
                "CREATE PROCEDURE clean_up() BEGIN DELETE FROM invoices WHERE total = 0; SELECT 'purged; done'; END",
                "CREATE TRIGGER invoices_guard BEFORE INSERT ON invoices FOR EACH ROW BEGIN IF NEW.total < 0 THEN SET NEW.total = 0; END IF; END",
            ],
            second: &[
                "CREATE PROCEDURE clean_up() BEGIN DELETE FROM invoices WHERE total = 0; SELECT 'purged; done'; END",
                "CREATE FUNCTION cents(amount DECIMAL(12,2)) RETURNS INT DETERMINISTIC RETURN amount * 100",
                "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, name VARCHAR(50) COLLATE utf8mb4_bin, doc JSON, UNIQUE KEY customers_email (email), CONSTRAINT name_not_empty CHECK (name <> ''))",
                "ALTER TABLE customers ADD COLUMN created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP",
                "CREATE TABLE invoices (number INT PRIMARY KEY, customer_id INT NOT NULL, total DECIMAL(12,2) NOT NULL DEFAULT 0, cents INT AS (total * 100) VIRTUAL, note TEXT, CONSTRAINT invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE)",
                "CREATE TRIGGER invoices_guard BEFORE INSERT ON invoices FOR EACH ROW BEGIN IF NEW.total < 0 THEN SET NEW.total = 0; END IF; END",
                "CREATE VIEW big_invoices AS SELECT number, total FROM invoices WHERE total > 100",
                "CREATE INDEX invoices_note ON invoices (note(20))",
                "CREATE VIEW a_top AS SELECT MAX(total) AS total FROM big_invoices",
                "CREATE INDEX invoices_total ON invoices (total DESC)",
            ],
        },
        Kind::Sqlite => Case {
            first: &[
                "CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT COLLATE NOCASE CHECK (length(name) > 0), created_at TEXT NOT NULL DEFAULT 'never')",
                "CREATE TABLE invoices (number INTEGER NOT NULL, customer_id INTEGER NOT NULL REFERENCES customers ON DELETE CASCADE, total REAL NOT NULL DEFAULT 0, cents INTEGER GENERATED ALWAYS AS (total * 100) STORED, PRIMARY KEY (number, customer_id), CONSTRAINT positive CHECK (total >= 0)) STRICT",
                "CREATE INDEX invoices_open ON invoices (customer_id) WHERE total > 0",
                "CREATE INDEX customers_lower ON customers (lower(email))",
                "CREATE VIEW big_invoices AS SELECT number, total FROM invoices WHERE total > 100",
                "CREATE VIEW a_top AS SELECT max(total) AS total FROM big_invoices",
                "CREATE TRIGGER invoices_guard BEFORE INSERT ON invoices BEGIN SELECT RAISE(ABORT, 'negative; total') WHERE NEW.total < 0; END",
            ],
            second: &[
                "CREATE TABLE customers (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, name TEXT COLLATE NOCASE CHECK (length(name) > 0))",
                "CREATE TABLE invoices (number INTEGER NOT NULL, customer_id INTEGER NOT NULL REFERENCES customers ON DELETE CASCADE, total REAL NOT NULL DEFAULT 0, cents INTEGER GENERATED ALWAYS AS (total * 100) STORED, PRIMARY KEY (number, customer_id), CONSTRAINT positive CHECK (total >= 0)) STRICT",
                "CREATE TRIGGER invoices_guard BEFORE INSERT ON invoices BEGIN SELECT RAISE(ABORT, 'negative; total') WHERE NEW.total < 0; END",
                "CREATE VIEW big_invoices AS SELECT number, total FROM invoices WHERE total > 100",
                "CREATE VIEW a_top AS SELECT max(total) AS total FROM big_invoices",
                "ALTER TABLE customers ADD COLUMN created_at TEXT NOT NULL DEFAULT 'never'",
                "CREATE INDEX customers_lower ON customers (lower(email))",
                "CREATE INDEX invoices_open ON invoices (customer_id) WHERE total > 0",
            ],
        },
    }
}

/// A project whose one revision runs `up` on `database`.
fn project_for(database_url: &str, up: &str) -> Project {
    let project = Project::new();
    project
        .revision("1", &format!("-- revision: build\n\n-- up\n{up}\n"))
        .write(
            "sqlmig.toml",
            format!("database_url = \"{database_url}\"\n"),
        );
    project
}

fn build(database: &TestDb, statements: &[&str]) -> String {
    let up: Vec<String> = statements.iter().map(|sql| format!("{sql};")).collect();
    let project = project_for(database.url(), &up.join("\n"));
    project.sqlmig().args(["upgrade"]).run().success();
    project.sqlmig().args(["schema"]).run().success().stdout()
}

fn database(kind: Kind, project: &Project) -> Option<TestDb> {
    match kind {
        Kind::Postgres => TestDb::postgres(),
        Kind::Mysql => TestDb::mysql(),
        Kind::Sqlite => Some(TestDb::sqlite(project)),
    }
}

fn dumps_are_canonical_and_a_fixpoint(kind: Kind) {
    let files = [Project::new(), Project::new(), Project::new()];
    let (Some(first), Some(second), Some(replayed)) = (
        database(kind, &files[0]),
        database(kind, &files[1]),
        database(kind, &files[2]),
    ) else {
        return;
    };
    let case = case(kind);
    let dump = build(&first, case.first);
    assert_eq!(
        dump,
        build(&second, case.second),
        "{kind:?}: the same objects built in another order dump differently"
    );
    assert!(
        !dump.contains("sqlmig_revisions"),
        "the state table is left out:\n{dump}"
    );
    // Every object is there, a view after the view it reads.
    for name in ["customers", "invoices", "big_invoices", "a_top"] {
        assert!(dump.contains(name), "{kind:?}: {name} missing:\n{dump}");
    }
    let view = |name: &str| {
        dump.find(&format!("VIEW {}", quoted(kind, name)))
            .or_else(|| dump.find(&format!("VIEW {name}")))
            .unwrap_or_else(|| panic!("view {name} in:\n{dump}"))
    };
    assert!(view("big_invoices") < view("a_top"), "{dump}");

    // The dump applied to an empty database dumps the same again (the
    // objects it does not compare aside: they are listed, not created).
    let compared: String = dump
        .lines()
        .filter(|line| !line.starts_with("-- not compared"))
        .map(|line| format!("{line}\n"))
        .collect();
    let again = build(&replayed, &[compared.trim_end().trim_end_matches(';')]);
    let again_compared: String = again
        .lines()
        .filter(|line| !line.starts_with("-- not compared"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(
        compared, again_compared,
        "{kind:?}: dump, apply, dump is not a fixpoint"
    );
}

fn quoted(kind: Kind, name: &str) -> String {
    match kind {
        Kind::Mysql => format!("`{name}`"),
        Kind::Postgres => format!("\"public\".\"{name}\""),
        Kind::Sqlite => format!("\"{name}\""),
    }
}

#[test]
fn postgres_dumps_are_canonical_and_a_fixpoint() {
    dumps_are_canonical_and_a_fixpoint(Kind::Postgres);
}

#[test]
fn mysql_dumps_are_canonical_and_a_fixpoint() {
    dumps_are_canonical_and_a_fixpoint(Kind::Mysql);
}

#[test]
fn sqlite_dumps_are_canonical_and_a_fixpoint() {
    dumps_are_canonical_and_a_fixpoint(Kind::Sqlite);
}

#[test]
fn what_the_model_does_not_cover_is_listed_and_json_prints_the_model() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    let dump = build(&database, case(Kind::Postgres).first);
    assert!(
        dump.ends_with("-- not compared: materialized view public.totals\n"),
        "{dump}"
    );
    let project = project_for(database.url(), "SELECT 1;");
    let json = project
        .sqlmig()
        .args(["schema", "--json"])
        .run()
        .success()
        .json();
    let tables: Vec<&str> = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|table| table["name"].as_str().unwrap())
        .collect();
    // By schema, then name: billing before public.
    assert_eq!(tables, ["invoices", "audit", "customers"]);
    assert_eq!(
        json["enums"][0]["values"],
        serde_json::json!(["sad", "ok", "happy"])
    );
    assert_eq!(
        json["not_compared"],
        serde_json::json!(["materialized view public.totals"])
    );
    let customers = &json["tables"][2];
    assert_eq!(customers["columns"][2]["collation"], "pg_catalog.\"C\"");
    project
        .sqlmig()
        .args(["schema", "--output", "schema.sql"])
        .run()
        .success();
    assert_eq!(project.read("schema.sql"), dump);
}

#[test]
#[cfg(feature = "postgres")]
fn schema_of_an_unreachable_database_fails_clearly() {
    let project = Project::new();
    project
        .sqlmig()
        .args([
            "--database-url",
            "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=1",
            "schema",
        ])
        .run()
        .failure()
        .stderr_has("cannot connect");
}

/// Pitfall 1 (SCHEMA-DESIGN §8): the server prints expressions in the
/// session's settings. A database whose own settings are odd (DateStyle,
/// IntervalStyle, TimeZone, extra_float_digits, search_path) dumps exactly
/// what one with the defaults dumps, and its drift check against a replay
/// on a scratch database with the defaults is clean.
#[test]
fn postgres_odd_database_settings_give_the_pinned_model() {
    let (Some(plain), Some(odd), Some(dev)) =
        (TestDb::postgres(), TestDb::postgres(), TestDb::postgres())
    else {
        return;
    };
    for setting in [
        "DateStyle = 'SQL, DMY'",
        "IntervalStyle = 'sql_standard'",
        "TimeZone = 'Asia/Kolkata'",
        "extra_float_digits = 0",
        "search_path = other, public",
    ] {
        odd.execute(&format!("ALTER DATABASE {} SET {setting}", odd.name()));
    }
    let up = [
        "CREATE SCHEMA other",
        "CREATE TABLE other.items (id int PRIMARY KEY, due date DEFAULT '2024-01-31', ratio float8 DEFAULT '0.3333333333333333', wait interval DEFAULT '1 day 02:00:00', at timestamptz DEFAULT '2024-01-31 10:00:00+00')",
        "CREATE VIEW public.due_items AS SELECT id, due, ratio FROM other.items WHERE due > '2024-01-01' AND at < '2025-06-30 12:00:00+00'",
    ];
    let dump = build(&plain, &up);
    assert_eq!(
        build(&odd, &up),
        dump,
        "the database's own settings leak into the model"
    );
    // The pinned session's text, not the odd one's.
    for text in [
        "'2024-01-31'::date",
        "'0.3333333333333333'::double precision",
        "'1 day 02:00:00'::interval",
        "'2024-01-31 10:00:00+00'::timestamp with time zone",
        "other.items",
    ] {
        assert!(dump.contains(text), "{text} in:\n{dump}");
    }
    // The revision `build` applied to `odd`, replayed beside `dev`.
    let statements: Vec<String> = up.iter().map(|sql| format!("{sql};")).collect();
    let project = project_for(odd.url(), &statements.join("\n"));
    project.write(
        "sqlmig.toml",
        crate::diff::workflow_config(Kind::Postgres, &odd, Some(&dev)),
    );
    let run = project.sqlmig().args(["check", "--drift"]).run();
    assert_eq!(run.code(), Some(0), "{}\n{}", run.stdout(), run.stderr());
}

/// Pitfall 8: tables inherit the database's collation (and on MariaDB its
/// character set). A live database whose collation is not the server's
/// default gives a clean `check --drift` and a clean `diff --from
/// migrations --to` it, though the replay runs on a scratch database with
/// the server's default.
fn a_database_with_its_own_collation_has_no_drift(kind: Kind) {
    let (live, dev, up) = match kind {
        Kind::Postgres => (
            TestDb::postgres_with("TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'"),
            TestDb::postgres(),
            "CREATE TABLE a (id int PRIMARY KEY, name varchar(40) NOT NULL, note text COLLATE \"C\");\nCREATE INDEX a_name ON a (name);\nCREATE INDEX a_lower ON a (lower(name) text_pattern_ops);\nCREATE VIEW v AS SELECT name FROM a WHERE name > 'm' ORDER BY name;",
        ),
        _ => (
            TestDb::mysql_with("CHARACTER SET latin1 COLLATE latin1_swedish_ci"),
            TestDb::mysql(),
            "CREATE TABLE a (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, note TEXT, code CHAR(3) COLLATE latin1_bin);\nCREATE TABLE b (id INT PRIMARY KEY, tag VARCHAR(10)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\nCREATE INDEX a_name ON a (name);\nCREATE VIEW v AS SELECT name FROM a WHERE name > 'm' ORDER BY name;",
        ),
    };
    let (Some(live), Some(dev)) = (live, dev) else {
        return;
    };
    let project = Project::new();
    project
        .revision("1", &format!("-- revision: collated\n\n-- up\n{up}\n"))
        .write(
            "sqlmig.toml",
            crate::diff::workflow_config(kind, &live, Some(&dev)),
        );
    project.sqlmig().args(["hash"]).run().success();
    project.sqlmig().args(["upgrade"]).run().success();
    for args in [
        vec!["check", "--drift"],
        vec!["diff", "--from", "migrations", "--to", live.url()],
    ] {
        let run = project.sqlmig().args(&args).run();
        assert_eq!(
            run.code(),
            Some(0),
            "{kind:?} {args:?}:\n{}\n{}",
            run.stdout(),
            run.stderr()
        );
        assert!(
            run.stdout().trim().is_empty() || args[0] == "check",
            "{kind:?} {args:?}: {}",
            run.stdout()
        );
    }
}

#[test]
fn postgres_a_database_with_its_own_collation_has_no_drift() {
    a_database_with_its_own_collation_has_no_drift(Kind::Postgres);
}

#[test]
fn mysql_a_database_with_its_own_collation_has_no_drift() {
    a_database_with_its_own_collation_has_no_drift(Kind::Mysql);
}

/// Dumps `statements` built on `database`, applies the dump to `fresh`,
/// and checks it dumps the same bytes again; returns the dump.
fn fixpoint(database: &TestDb, fresh: &TestDb, statements: &[&str]) -> String {
    let dump = build(database, statements);
    let again = build(fresh, &[dump.trim_end().trim_end_matches(';')]);
    assert_eq!(dump, again, "dump, apply, dump is not a fixpoint");
    dump
}

/// Pitfalls 3 and 4 on PostgreSQL: a serial's sequence keeps its name when
/// its table is renamed, and the dump of that is a fixpoint; defaults are
/// compared as the server's text: the same `'x'`, `now()` and
/// `gen_random_uuid()` give no difference, `'x'` against `'y'` gives one.
#[test]
fn postgres_renamed_serials_and_volatile_defaults() {
    let (Some(first), Some(fresh), Some(same), Some(other)) = (
        TestDb::postgres(),
        TestDb::postgres(),
        TestDb::postgres(),
        TestDb::postgres(),
    ) else {
        return;
    };
    let dump = fixpoint(
        &first,
        &fresh,
        &[
            "CREATE TABLE a (id serial PRIMARY KEY, note text DEFAULT 'x', at timestamptz DEFAULT now(), uid uuid DEFAULT gen_random_uuid())",
            "ALTER TABLE a RENAME TO b",
        ],
    );
    assert!(dump.contains("\"a_id_seq\""), "{dump}");
    build(
        &same,
        &[
            "CREATE TABLE b (id serial PRIMARY KEY, note text DEFAULT 'x', at timestamptz DEFAULT now(), uid uuid DEFAULT gen_random_uuid())",
        ],
    );
    build(
        &other,
        &[
            "CREATE TABLE b (id serial PRIMARY KEY, note text DEFAULT 'y', at timestamptz DEFAULT now(), uid uuid DEFAULT gen_random_uuid())",
        ],
    );
    let project = Project::new();
    let diff = |to: &TestDb| {
        project
            .sqlmig()
            .args([
                "--dir",
                "none",
                "diff",
                "--from",
                fresh.url(),
                "--to",
                to.url(),
            ])
            .run()
    };
    // Only the names of the sequence and of the key tell the renamed table
    // from a new one: the volatile defaults compare equal.
    let renamed = diff(&same);
    assert_eq!(renamed.code(), Some(1), "{}", renamed.stderr());
    for column in ["note", "at", "uid"] {
        assert!(
            !renamed.stdout().contains(&format!("\"{column}\"")),
            "{}",
            renamed.stdout()
        );
    }
    assert!(
        renamed.stdout().contains("\"a_id_seq\""),
        "{}",
        renamed.stdout()
    );
    let changed = diff(&other);
    assert_eq!(changed.code(), Some(1), "{}", changed.stderr());
    assert!(
        changed.stdout().contains("SET DEFAULT 'y'::text"),
        "{}",
        changed.stdout()
    );
}

/// Pitfalls 5 and 6 on MariaDB: defaults read from `COLUMN_DEFAULT` (none,
/// `NULL`, the string `'NULL'`, a quote, an expression, `CURRENT_TIMESTAMP`)
/// and a JSON column beside two checks survive dump, apply, dump.
#[test]
fn mysql_defaults_and_json_checks_are_a_fixpoint() {
    let (Some(first), Some(fresh)) = (TestDb::mysql(), TestDb::mysql()) else {
        return;
    };
    let dump = fixpoint(
        &first,
        &fresh,
        &[
            "CREATE TABLE a (none_set INT, null_default INT DEFAULT NULL, null_text VARCHAR(10) DEFAULT 'NULL', quoted VARCHAR(10) DEFAULT 'it''s', uid CHAR(36) DEFAULT (uuid()), at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP, j JSON, n INT, CONSTRAINT n_positive CHECK (n > 0), CONSTRAINT n_small CHECK (n < 100))",
        ],
    );
    for text in [
        "`null_text` varchar(10) DEFAULT 'NULL'",
        "DEFAULT 'it''s'",
        "uuid()",
        "current_timestamp()",
        "`j` json",
    ] {
        assert!(
            dump.to_lowercase().contains(&text.to_lowercase()),
            "{text} in:\n{dump}"
        );
    }
    assert_eq!(dump.matches("CHECK").count(), 2, "{dump}");
    assert!(!dump.contains("json_valid"), "{dump}");
}
