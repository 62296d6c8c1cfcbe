//! MySQL/MariaDB-only behaviour: DDL that cannot be rolled back, bodies with
//! `;`, MySQL lexical rules, `GET_LOCK`, connection failures, TLS and
//! `LOAD DATA LOCAL`. Each test owns a fresh database on the local server.

use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;

use crate::support::database::{TestDb, TestUser};
use crate::support::figures;
use crate::support::{Project, Run, revision_text};

fn configure(project: &Project, database: &TestDb, extra: &str) {
    project.write(
        "sqlmig.toml",
        format!("database_url = \"{}\"\n{extra}", database.url()),
    );
}

/// The name sqlmig locks for the default state table of `database`.
fn lock_name(database: &TestDb) -> String {
    sqlmig::backend::MysqlBackend::lock_name(database.name(), "`sqlmig_revisions`")
}

fn lock_is_free(database: &TestDb) -> bool {
    database.column(&format!("SELECT IS_FREE_LOCK('{}')", lock_name(database))) == ["1"]
}

/// One row of the state table: state, statements_run, failed_statement, failed_line.
fn state_row(database: &TestDb, revision: &str) -> Vec<Option<String>> {
    database
        .query(&format!(
            "SELECT state, statements_run, failed_statement, failed_line FROM sqlmig_revisions WHERE revision = '{revision}'"
        ))
        .into_iter()
        .next()
        .unwrap_or_default()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A connection of the test's own, kept open across sqlmig runs.
struct Session {
    runtime: tokio::runtime::Runtime,
    connection: Option<mysql_async::Conn>,
}

impl Session {
    fn open(database: &TestDb) -> Session {
        let runtime = runtime();
        let opts = mysql_async::Opts::from_url(database.url()).expect("test URL");
        let connection = runtime
            .block_on(mysql_async::Conn::new(opts))
            .expect("connect");
        Session {
            runtime,
            connection: Some(connection),
        }
    }

    fn value(&mut self, sql: &str) -> Option<String> {
        let connection = self.connection.as_mut().expect("open session");
        let row: Option<mysql_async::Row> = self
            .runtime
            .block_on(connection.query_first(sql))
            .expect(sql);
        row.and_then(|row| row.unwrap_raw().into_iter().next().flatten())
            .map(|value| match value {
                mysql_async::Value::Bytes(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                mysql_async::Value::NULL => String::from("NULL"),
                other => other.as_sql(true),
            })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            let _ = self.runtime.block_on(connection.disconnect());
        }
    }
}

#[test]
fn ddl_failure_is_recorded_refused_and_repaired() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project
        .revision("1", &revision_text("one", &[], "CREATE TABLE one (x INTEGER);", None))
        .revision(
            "2",
            "-- revision: two\n-- revises: one\n\n-- up\nCREATE TABLE two_a (x INTEGER);\nCREATE TABLE two_b (\n    x INTEGER,\n    y INTEGER COMMENT 'é' NOT NOT NULL\n);\nCREATE TABLE two_c (x INTEGER);\n",
        )
        .revision("3", &revision_text("three", &["two"], "CREATE TABLE three (x INTEGER);", None));
    configure(&project, &database, "");

    // The exact line and column: the second NOT, after a 2-byte character.
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/2.sql:8:31: revision two failed (applying), statement 2 of 3")
        .stderr_has("1064 (42000)")
        .stderr_has("1 statement(s) before the failing one stay applied");
    assert!(database.table_exists("two_a") && !database.table_exists("two_b"));
    assert_eq!(database.applied(), ["one"]);
    let [state, run, statement, line] = state_row(&database, "two")
        .try_into()
        .expect("a row for two");
    assert_eq!(state.as_deref(), Some("failed"));
    assert_eq!(run.as_deref(), Some("1"), "statements that ran");
    assert_eq!(statement.as_deref(), Some("2"), "failing statement");
    assert_eq!(line.as_deref(), Some("8"), "failing line");
    assert!(lock_is_free(&database), "released after a failure");

    // Nothing runs until a human acts; the refusal says how.
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/2.sql:8: revision two failed while applying at statement 2 (1 of its statements had run)")
        .stderr_has("sqlmig repair --clear-failed two");
    assert!(!database.table_exists("three"));
    project.sqlmig().args(["check"]).run().failure();

    // Fixed file, cleaned-up database, cleared row: the revision runs again.
    project.write(
        "migrations/2.sql",
        project
            .read("migrations/2.sql")
            .replace("NOT NOT NULL", "NOT NULL"),
    );
    database.execute("DROP TABLE two_a");
    project
        .sqlmig()
        .args(["repair", "--clear-failed", "two"])
        .run()
        .success();
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied(), ["one", "three", "two"]);
    assert!(database.table_exists("two_c") && database.table_exists("three"));
    project.sqlmig().args(["check"]).run().success();
}

#[test]
fn a_failed_procedure_resumes_at_the_failing_statement() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    let text = "-- revision: one\n\n-- up\nCREATE TABLE log (n INTEGER);\nINSERT INTO log VALUES (1);\n\n-- statement-begin\nCREATE PROCEDURE add_two()\nBEGIN\n    INSERT INTO log VALUES (2);\n    INSERT INTO log VALUES (3) WHERE;\nEND\n-- statement-end\n\nCALL add_two();\n";
    project.revision("1", text);
    configure(&project, &database, "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/1.sql:11:32: revision one failed (applying), statement 3 of 4");
    assert_eq!(database.column("SELECT n FROM log"), ["1"]);

    project.revision("1", &text.replace(" WHERE;", ";"));
    project
        .sqlmig()
        .args(["repair", "--resume", "one"])
        .run()
        .success()
        .stdout_has("resumed revision one at statement 3 of 4");
    // Statements 1 and 2 did not run again.
    assert_eq!(
        database.column("SELECT n FROM log ORDER BY n"),
        ["1", "2", "3"]
    );
    project.sqlmig().args(["check"]).run().success();
}

#[test]
fn a_dml_only_revision_is_atomic() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project
        .revision("1", &revision_text("one", &[], "CREATE TABLE t (x INTEGER);", None))
        .revision(
            "2",
            &revision_text(
                "two",
                &["one"],
                "INSERT INTO t VALUES (1);\nUPDATE t SET x = 2;\nINSERT INTO missing VALUES (3);\nINSERT INTO t VALUES (4);",
                None,
            ),
        );
    configure(&project, &database, "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("statement 3 of 4")
        .stderr_has("1146 (42S02)")
        .stderr_has("the revision was rolled back: nothing of it was applied");
    assert!(
        database.column("SELECT x FROM t").is_empty(),
        "statements 1 and 2 were rolled back"
    );
    assert_eq!(database.applied(), ["one"]);
    assert!(
        state_row(&database, "two").is_empty(),
        "not marked failed: nothing is left to repair"
    );

    project.write(
        "migrations/2.sql",
        project.read("migrations/2.sql").replace("missing", "t"),
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        database.column("SELECT x FROM t ORDER BY x"),
        ["2", "3", "4"]
    );
}

#[test]
fn procedures_and_triggers_run_as_one_statement() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project
        .revision(
            "1",
            "-- revision: objects\n\n-- up\nCREATE TABLE counters (name VARCHAR(20) PRIMARY KEY, n INTEGER NOT NULL);\nCREATE TABLE events (name VARCHAR(20));\n\n-- statement-begin\nCREATE PROCEDURE bump(IN which VARCHAR(20), IN times INTEGER)\nBEGIN\n    DECLARE i INTEGER DEFAULT 0;\n    INSERT IGNORE INTO counters VALUES (which, 0);\n    WHILE i < times DO\n        UPDATE counters SET n = n + 1 WHERE name = which;\n        SET i = i + 1;\n    END WHILE;\nEND\n-- statement-end\n\n-- statement-begin\nCREATE TRIGGER events_count AFTER INSERT ON events\nFOR EACH ROW\nBEGIN\n    INSERT IGNORE INTO counters VALUES (NEW.name, 0);\n    UPDATE counters SET n = n + 10 WHERE name = NEW.name;\nEND\n-- statement-end\n\nCALL bump('a', 3);\n\n-- down\nDROP TRIGGER events_count;\nDROP PROCEDURE bump;\nDROP TABLE events;\nDROP TABLE counters;\n",
        )
        .revision(
            "2",
            &revision_text("use", &["objects"], "CALL bump('a', 2);\nINSERT INTO events VALUES ('b');", Some("DELETE FROM counters;")),
        );
    configure(&project, &database, "");
    project
        .sqlmig()
        .args(["upgrade", "objects"])
        .run()
        .success();
    assert_eq!(
        database.column("SELECT n FROM counters WHERE name = 'a'"),
        ["3"]
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        database.query("SELECT name, n FROM counters ORDER BY name"),
        [
            [Some(String::from("a")), Some(String::from("5"))],
            [Some(String::from("b")), Some(String::from("10"))]
        ]
    );
    project.sqlmig().args(["downgrade", "base"]).run().success();
    let routines = format!(
        "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '{}'",
        database.name()
    );
    assert!(database.column(&routines).is_empty());
    assert!(!database.table_exists("counters"));
}

#[test]
fn unmarked_procedures_triggers_and_events_run_as_written() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    // As MySQL tools write them: no DELIMITER, no statement markers.
    project.revision(
        "1",
        "-- revision: unmarked\n\n-- up\n\
         CREATE TABLE tallies (name VARCHAR(20) PRIMARY KEY, n INTEGER NOT NULL, begin_date DATE NULL);\n\
         CREATE TABLE event (name VARCHAR(20));\n\
         CREATE DEFINER = CURRENT_USER PROCEDURE tally(IN which VARCHAR(20), IN times INTEGER)\n\
         body: BEGIN\n\
         \x20   DECLARE i INTEGER DEFAULT 0;\n\
         \x20   -- a comment; with END; inside\n\
         \x20   INSERT IGNORE INTO tallies (name, n) VALUES (which, 0); # and another; END\n\
         \x20   IF times < 0 THEN LEAVE body; END IF;\n\
         \x20   counting: WHILE i < times DO\n\
         \x20       BEGIN\n\
         \x20           UPDATE tallies SET n = n + CASE WHEN i % 2 = 0 THEN 1 ELSE 2 END WHERE name = which;\n\
         \x20       END;\n\
         \x20       SET i = i + 1;\n\
         \x20   END WHILE counting;\n\
         \x20   CASE which WHEN 'x' THEN SET i = 0; ELSE BEGIN SET i = 1; END; END CASE;\n\
         END body;\n\
         CREATE TRIGGER event_tally AFTER INSERT ON event FOR EACH ROW\n\
         BEGIN\n\
         \x20   INSERT IGNORE INTO tallies (name, n) VALUES (NEW.name, 0);\n\
         \x20   UPDATE tallies SET n = n + 10, begin_date = '2000-01-01' WHERE name = NEW.name AND 'END;' <> '';\n\
         END;\n\
         CREATE EVENT tally_nightly ON SCHEDULE EVERY 1 DAY DISABLE DO\n\
         BEGIN\n\
         \x20   CALL tally('nightly', 1);\n\
         END;\n\
         CALL tally('a', 3);\n\
         INSERT INTO event VALUES ('b');\n\n\
         -- down\n\
         DROP EVENT tally_nightly;\nDROP TRIGGER event_tally;\nDROP PROCEDURE tally;\nDROP TABLE event;\nDROP TABLE tallies;\n",
    );
    configure(&project, &database, "");
    // Each compound statement is one statement of the plan.
    let plan = project
        .sqlmig()
        .args(["upgrade", "--dry-run"])
        .run()
        .success()
        .stdout();
    for boundary in [
        "END body;\nCREATE TRIGGER event_tally",
        "END;\nCREATE EVENT tally_nightly",
        "END;\nCALL tally('a', 3);\nINSERT",
    ] {
        assert!(plan.contains(boundary), "{boundary:?} in {plan}");
    }
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        database.query("SELECT name, n FROM tallies ORDER BY name"),
        [
            [Some(String::from("a")), Some(String::from("4"))],
            [Some(String::from("b")), Some(String::from("10"))]
        ]
    );
    let events = format!(
        "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{}'",
        database.name()
    );
    assert_eq!(database.column(&events), ["tally_nightly"]);
    // The procedure works when called later, from another connection.
    let mut session = Session::open(&database);
    session.value("CALL tally('c', 2)");
    assert_eq!(
        database.column("SELECT n FROM tallies WHERE name = 'c'"),
        ["3"]
    );
    project.sqlmig().args(["downgrade", "base"]).run().success();
    assert!(database.column(&events).is_empty());
    assert!(!database.table_exists("tallies"));
}

#[test]
fn backslash_escapes_and_hash_comments_split_correctly() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        "-- revision: notes\n\n-- up\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\nINSERT INTO notes VALUES (1, 'it\\'s; fine'); # a comment; with an 'odd quote\nINSERT INTO notes VALUES (2, \"a \\\"double\\\"; quoted\"); -- another; comment '\n# INSERT INTO notes VALUES (99, 'commented out');\nINSERT INTO notes VALUES (3, 'back\\\\slash; ''doubled''');\n/* a block; comment ' */ INSERT INTO notes VALUES (4, '#not a comment; -- nor this');\n",
    );
    configure(&project, &database, "");
    let plan = project
        .sqlmig()
        .args(["upgrade", "--dry-run"])
        .run()
        .success()
        .stdout();
    // Five statements: the create and four inserts (the fifth is commented out).
    assert_eq!(
        plan.matches("INSERT INTO notes VALUES (").count(),
        4,
        "{plan}"
    );
    assert!(!plan.contains("99"), "{plan}");
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(
        database.column("SELECT body FROM notes ORDER BY id"),
        [
            "it's; fine",
            "a \"double\"; quoted",
            "back\\slash; 'doubled'",
            "#not a comment; -- nor this"
        ]
    );
}

#[test]
fn a_held_lock_times_out_naming_its_holder() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        &revision_text("one", &[], "CREATE TABLE one (x INTEGER);", None),
    );
    configure(&project, &database, "");
    let name = lock_name(&database);
    assert!(name.len() <= 64);

    let mut holder = Session::open(&database);
    assert_eq!(
        holder
            .value(&format!("SELECT GET_LOCK('{name}', 0)"))
            .as_deref(),
        Some("1")
    );
    let id = holder
        .value("SELECT CONNECTION_ID()")
        .expect("connection id");
    let started = Instant::now();
    let run = project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "1s"])
        .run()
        .failure()
        .stderr_has("waiting for another sqlmig migrating database")
        .stderr_has(&format!("held by connection {id}"))
        .stderr_has("timed out after 1.");
    let elapsed = started.elapsed();
    eprintln!("lock timeout 1s: sqlmig exited after {elapsed:.2?}");
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_millis(2500),
        "{elapsed:?}\n{}",
        run.stderr()
    );
    assert!(database.applied().is_empty(), "nothing applied");
    assert!(!database.table_exists("one"));

    // `--lock-timeout 0` fails at once.
    let started = Instant::now();
    project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "0"])
        .run()
        .failure()
        .stderr_has("timed out");
    assert!(started.elapsed() < Duration::from_secs(1));

    assert_eq!(
        holder
            .value(&format!("SELECT RELEASE_LOCK('{name}')"))
            .as_deref(),
        Some("1")
    );
    project
        .sqlmig()
        .args(["upgrade", "--lock-timeout", "0"])
        .run()
        .success();
    assert_eq!(database.applied(), ["one"]);
    assert!(lock_is_free(&database), "released after a normal run");
}

/// Asserts that no part of the password shows in what sqlmig printed.
#[track_caller]
fn assert_no_secret(run: &Run) {
    for output in [run.stdout(), run.stderr()] {
        for secret in ["s3cret", "CANARY", "%2F%40%25"] {
            assert!(!output.contains(secret), "`{secret}` shows in:\n{output}");
        }
    }
}

#[test]
fn connection_failures_are_clear_and_never_show_the_password() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        &revision_text("one", &[], "CREATE TABLE one (x INTEGER);", None),
    );
    let password = "Cx7-s3cret/@%-CANARY";
    let encoded = "Cx7-s3cret%2F%40%25-CANARY";
    let user = TestUser::create(&database, password);
    let url = |credentials: &str, address: &str| {
        format!(
            "mysql://{}:{credentials}@{address}/{}",
            user.name,
            database.name()
        )
    };
    let status = |url: &str, by_env: bool| {
        let command = project.sqlmig();
        let command = if by_env {
            command.env("DATABASE_URL", url).args(["status", "--json"])
        } else {
            command.args(["status", "--database-url", url])
        };
        let started = Instant::now();
        let run = command.run();
        (run, started.elapsed())
    };

    // The right password, percent-encoded, connects (with either scheme).
    for by_env in [false, true] {
        let (run, _) = status(&url(encoded, "127.0.0.1:3306"), by_env);
        assert_no_secret(&run.success());
    }
    let mariadb = url(encoded, "127.0.0.1:3306").replacen("mysql://", "mariadb://", 1);
    assert_no_secret(&status(&mariadb, false).0.success());

    for by_env in [false, true] {
        // A wrong password: the server's message, a hint, no password.
        let (run, elapsed) = status(&url("Cx7-wrong-s3cret-CANARY", "127.0.0.1:3306"), by_env);
        let run = run
            .failure()
            .stderr_has(&format!("Access denied for user '{}'", user.name))
            .stderr_has("check the user name and password");
        assert_no_secret(&run);
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");

        // The password not encoded: refused before connecting, nothing echoed.
        let (run, _) = status(&url(password, "127.0.0.1:3306"), by_env);
        assert_no_secret(&run.failure().stderr_has("percent-encode"));

        // A closed port: refused at once, naming the address.
        let (run, elapsed) = status(&url(encoded, "127.0.0.1:1"), by_env);
        assert_no_secret(&run.failure().stderr_has("cannot reach 127.0.0.1:1"));
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }

    // An address that never answers: given up after connect_timeout.
    let (run, elapsed) = status(
        &format!("{}?connect_timeout=2", url(encoded, "10.255.255.1:3306")),
        false,
    );
    let run = run.failure();
    assert_no_secret(&run);
    assert!(
        run.stderr()
            .contains("no answer from 10.255.255.1:3306 within 2 s")
            || run.stderr().contains("cannot reach 10.255.255.1:3306"),
        "{}",
        run.stderr()
    );
    eprintln!("unreachable address, connect_timeout=2: exited after {elapsed:.2?}");
    assert!(elapsed < Duration::from_millis(3500), "{elapsed:?}");
}

#[test]
fn tls_follows_ssl_mode() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    // Records the session's cipher: empty without TLS.
    project.revision(
        "1",
        &revision_text(
            "one",
            &[],
            "CREATE TABLE tls AS SELECT VARIABLE_VALUE AS cipher FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher';",
            Some("DROP TABLE tls;"),
        ),
    );
    let with = |query: &str| format!("{}?{query}", database.url());
    let upgrade = |url: &str| {
        project
            .sqlmig()
            .args(["upgrade", "--database-url", url])
            .run()
    };
    let downgrade = |url: &str| {
        project
            .sqlmig()
            .args(["downgrade", "base", "--database-url", url])
            .run()
            .success()
    };
    let have_ssl = database
        .query("SHOW VARIABLES LIKE 'have_ssl'")
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().nth(1).flatten())
        .unwrap_or_default();

    // docs/RELIABILITY.md E3: the mode the server's TLS allows, the default and
    // DISABLED, then four malformed settings.
    let cases = if have_ssl == "YES" { 7 } else { 9 };
    figures::record(&[("e3.cases", cases)]);
    if have_ssl == "YES" {
        upgrade(&with("ssl-mode=REQUIRED")).success();
        assert_ne!(
            database.column("SELECT cipher FROM tls"),
            [""],
            "REQUIRED encrypts"
        );
        downgrade(&with("ssl-mode=REQUIRED"));
    } else {
        upgrade(&with("ssl-mode=REQUIRED"))
            .failure()
            .stderr_has("does not offer TLS, and ssl-mode=REQUIRED refuses to connect without it");
        upgrade(&with("sslmode=verify_identity"))
            .failure()
            .stderr_has("ssl-mode=VERIFY_IDENTITY refuses");
        assert!(database.applied().is_empty());
        upgrade(&with("ssl-mode=preferred"))
            .success()
            .stderr_has("warning: the server at 127.0.0.1:3306 does not offer TLS: connected without encryption");
        assert_eq!(database.column("SELECT cipher FROM tls"), [""]);
        downgrade(&with("ssl-mode=DISABLED"));
    }
    // The default mode stays quiet on loopback; DISABLED never tries TLS.
    for url in [database.url().to_owned(), with("ssl_mode=disabled")] {
        let run = upgrade(&url).success();
        assert!(!run.stderr().contains("warning"), "{}", run.stderr());
        downgrade(&url);
    }
    upgrade(&with("ssl-mode=verfy_ca"))
        .failure()
        .stderr_has("unknown ssl-mode `verfy_ca`: expected DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
    upgrade(&with("ssl-mode=VERIFY_CA&ssl-ca=/nonexistent/ca.pem"))
        .failure()
        .stderr_has("cannot read the ssl-ca file /nonexistent/ca.pem");
    upgrade(&with("sslrootcert=x"))
        .failure()
        .stderr_has("unknown parameter `sslrootcert`");
    upgrade(&with("enable_cleartext_plugin=true"))
        .failure()
        .stderr_has("needs ssl-mode=REQUIRED");
    figures::record(&[("e3.passed", cases)]);
}

#[test]
fn load_data_local_infile_is_refused() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    let file = project.path("rows.txt");
    std::fs::write(&file, "1\n2\n3\n").expect("write data file");
    project.revision(
        "1",
        &format!(
            "-- revision: one\n\n-- up\nCREATE TABLE t (x INTEGER);\nLOAD DATA LOCAL INFILE '{}' INTO TABLE t;\n",
            file.display()
        ),
    );
    configure(&project, &database, "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("migrations/1.sql:5:1: revision one failed (applying), statement 2 of 2")
        .stderr_has("LOAD DATA LOCAL INFILE is refused");
    assert!(
        database.column("SELECT x FROM t").is_empty(),
        "nothing loaded"
    );
    let row = state_row(&database, "one");
    assert_eq!(
        row.first().cloned().flatten().as_deref(),
        Some("failed"),
        "recorded: the connection stayed usable"
    );
}

#[test]
fn init_sql_lets_tables_reference_tables_created_later() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project
        .revision(
            "1",
            &revision_text(
                "child",
                &[],
                "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB;",
                None,
            ),
        )
        .revision(
            "2",
            &revision_text("parent", &["child"], "CREATE TABLE parent (id INTEGER PRIMARY KEY) ENGINE=InnoDB;", None),
        );
    configure(&project, &database, "");
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("(1005 (HY000))");
    project
        .sqlmig()
        .args(["repair", "--clear-failed", "child"])
        .run()
        .success();
    configure(
        &project,
        &database,
        "init_sql = [\"SET FOREIGN_KEY_CHECKS = 0\"]\n",
    );
    project.sqlmig().args(["upgrade"]).run().success();
    assert_eq!(database.applied(), ["child", "parent"]);
}

#[test]
fn a_killed_connection_leaves_a_visible_partial_state() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project.revision(
        "1",
        "-- revision: one\n\n-- up\nCREATE TABLE a (x INTEGER);\nSELECT SLEEP(5);\nCREATE TABLE b (x INTEGER);\n",
    );
    configure(&project, &database, "");
    let child = project.sqlmig().args(["upgrade"]).spawn();
    let find = format!(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '{}' AND INFO LIKE 'SELECT SLEEP%'",
        database.name()
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let id = loop {
        if let Some(id) = database.column(&find).into_iter().next() {
            break id;
        }
        assert!(Instant::now() < deadline, "sqlmig never reached its SLEEP");
        std::thread::sleep(Duration::from_millis(20));
    };
    let killed = Instant::now();
    database.execute(&format!("KILL {id}"));
    let output = child.wait_with_output().expect("wait for sqlmig");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(killed.elapsed() < Duration::from_secs(2), "{stderr}");
    assert!(
        stderr.contains("migrations/1.sql:5:1: revision one failed (applying), statement 2 of 3"),
        "{stderr}"
    );
    assert!(database.table_exists("a") && !database.table_exists("b"));
    // The progress written before the kill stays: one statement ran.
    let row = state_row(&database, "one");
    assert_eq!(
        row[..2],
        [Some(String::from("running")), Some(String::from("1"))]
    );
    project
        .sqlmig()
        .args(["upgrade"])
        .run()
        .failure()
        .stderr_has("revision one was interrupted while applying outside a transaction after 1 statement(s)");
    assert!(!database.table_exists("b"), "never re-run silently");
    assert!(
        lock_is_free(&database),
        "the server freed the lock with the connection"
    );
}

#[test]
fn statement_timeout_interrupts_a_long_statement() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    let project = Project::new();
    project.chain(&[("slow", "SELECT SLEEP(5);")]);
    configure(&project, &database, "statement_timeout = \"1s\"\n");
    let started = std::time::Instant::now();
    let run = project.sqlmig().args(["upgrade"]).run().failure();
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(4),
        "{elapsed:?}: {}",
        run.stderr()
    );
    // MariaDB's max_statement_time (MySQL's max_execution_time says
    // "maximum statement execution time exceeded").
    let stderr = run.stderr().to_lowercase();
    assert!(
        stderr.contains("max_statement_time") || stderr.contains("execution time exceeded"),
        "{stderr}"
    );
    assert!(database.applied().is_empty());
}
