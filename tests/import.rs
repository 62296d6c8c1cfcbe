//! `sqlmig import`: each tool's fixture directory (`fixtures/import/<tool>/`,
//! written as the tool's documentation shows, edge cases included) is
//! imported, verified and upgraded on every dialect its SQL runs on, and
//! the schema compared with the tool's own SQL applied by the database's
//! client; `--adopt` from each tool's history table, created as the tool
//! creates it, on PostgreSQL and MariaDB; refusals name the migration and
//! leave nothing behind.

use std::path::{Path, PathBuf};

use crate::support::Project;
use crate::support::client::{clients_available, run_script, schema};
use crate::support::database::{Kind, TestDb};

/// One tool's fixture and how the tool itself reads it.
struct Case {
    format: &'static str,
    fixture: &'static str,
    /// The files holding the up SQL, in the tool's order.
    ups: &'static [&'static str],
    /// The up section inside each file, when it is not the whole file:
    /// from the line starting with the first marker to the one starting
    /// with the second.
    section: Option<(&'static str, &'static str)>,
    /// The revision ids, in the same order.
    ids: &'static [&'static str],
}

const DBMATE: Case = Case {
    format: "dbmate",
    fixture: "dbmate",
    ups: &[
        "20240101000001_create_users.sql",
        "20240101000002_index_users_email.sql",
        "20240101000003_create_posts.sql",
    ],
    section: Some(("-- migrate:up", "-- migrate:down")),
    ids: &["20240101000001", "20240101000002", "20240101000003"],
};

const GOOSE: Case = Case {
    format: "goose",
    fixture: "goose",
    ups: &[
        "00001_create_users.sql",
        "00002_seed_admin.sql",
        "00003_index_users_email.sql",
    ],
    section: Some(("-- +goose Up", "-- +goose Down")),
    ids: &["1", "2", "3"],
};

/// goose's documented PostgreSQL shapes: a plpgsql function in a statement
/// block, `CREATE INDEX CONCURRENTLY` under `NO TRANSACTION`.
const GOOSE_POSTGRES: Case = Case {
    fixture: "goose-postgres",
    ups: &[
        "00001_create_users.sql",
        "00002_touch_users.sql",
        "00003_index_users_email.sql",
    ],
    ..GOOSE
};

const GOLANG_MIGRATE: Case = Case {
    format: "golang-migrate",
    fixture: "golang-migrate",
    ups: &[
        "1_create_users.up.sql",
        "2_add_users_name.up.sql",
        "3_create_posts.up.sql",
    ],
    section: None,
    ids: &["1", "2", "3"],
};

const SQLX: Case = Case {
    format: "sqlx",
    fixture: "sqlx",
    ups: &[
        "20240101000001_create_users.up.sql",
        "20240101000002_index_users_email.sql",
        "20240101000003_create_posts.sql",
    ],
    section: None,
    ids: &["20240101000001", "20240101000002", "20240101000003"],
};

/// Versions 1, 1.1, 2 and 10 (in a subfolder): numeric order, not the names'.
const FLYWAY: Case = Case {
    format: "flyway",
    fixture: "flyway",
    ups: &[
        "sql/V1__create_users.sql",
        "sql/V1_1__add_users_name.sql",
        "sql/V2__create_posts.sql",
        "sql/more/V10__index_posts_author.sql",
    ],
    section: None,
    ids: &["1", "1.1", "2", "10"],
};

const DIESEL: Case = Case {
    format: "diesel",
    fixture: "diesel",
    ups: &[
        "2024-01-01-000001_create_users/up.sql",
        "2024-01-01-000002_index_users_email/up.sql",
        "2024-01-02-093000_create_posts/up.sql",
    ],
    section: None,
    ids: &["20240101000001", "20240101000002", "20240102093000"],
};

const REFINERY: Case = Case {
    format: "refinery",
    fixture: "refinery",
    ups: &[
        "V1__initial.sql",
        "V2__add_users_name.sql",
        "V3__create_posts.sql",
    ],
    section: None,
    ids: &["1", "2", "3"],
};

fn fixture(case: &Case) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/import")
        .join(case.fixture)
}

/// The up SQL of the tool's `number`th migration, as the tool runs it.
fn tool_up(case: &Case, number: usize) -> String {
    let text = std::fs::read_to_string(fixture(case).join(case.ups[number])).expect("fixture");
    let Some((start, end)) = case.section else {
        return text;
    };
    text.lines()
        .skip_while(|line| !line.starts_with(start))
        .skip(1)
        .take_while(|line| !line.starts_with(end))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Applies the tool's first `count` migrations with the database's client.
fn apply_with_client(project: &Project, database: &TestDb, case: &Case, count: usize) {
    for number in 0..count {
        let path = project.path(&format!("tool-{number}.sql"));
        std::fs::write(&path, tool_up(case, number)).expect("write the script");
        let output = run_script(database, &path);
        assert!(
            output.status.success(),
            "{} with the client: {}",
            case.ups[number],
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn database(kind: Kind, project: &Project) -> Option<TestDb> {
    match kind {
        Kind::Sqlite => Some(TestDb::sqlite(project)),
        Kind::Postgres => TestDb::postgres(),
        Kind::Mysql => TestDb::mysql(),
    }
}

/// Names of the files in the project's `migrations/`.
fn written(project: &Project) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project.path("migrations"))
        .expect("migrations directory")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------
// Import, verify, upgrade: the schema the tool's own SQL gives

macro_rules! same_schema {
    ($($test:ident: $case:expr, $kind:ident;)*) => {
        $(#[test]
        fn $test() {
            imported_upgrade_gives_the_schema_of_the_tools_sql(&$case, Kind::$kind);
        })*
    };
}

same_schema! {
    dbmate_on_postgres: DBMATE, Postgres;
    dbmate_on_mysql: DBMATE, Mysql;
    dbmate_on_sqlite: DBMATE, Sqlite;
    goose_on_postgres: GOOSE, Postgres;
    goose_on_mysql: GOOSE, Mysql;
    goose_on_sqlite: GOOSE, Sqlite;
    goose_postgres_functions_and_concurrent_index: GOOSE_POSTGRES, Postgres;
    golang_migrate_on_postgres: GOLANG_MIGRATE, Postgres;
    golang_migrate_on_mysql: GOLANG_MIGRATE, Mysql;
    golang_migrate_on_sqlite: GOLANG_MIGRATE, Sqlite;
    sqlx_on_postgres: SQLX, Postgres;
    sqlx_on_mysql: SQLX, Mysql;
    sqlx_on_sqlite: SQLX, Sqlite;
    flyway_on_postgres: FLYWAY, Postgres;
    flyway_on_mysql: FLYWAY, Mysql;
    flyway_on_sqlite: FLYWAY, Sqlite;
    diesel_on_postgres: DIESEL, Postgres;
    diesel_on_mysql: DIESEL, Mysql;
    diesel_on_sqlite: DIESEL, Sqlite;
    refinery_on_postgres: REFINERY, Postgres;
    refinery_on_mysql: REFINERY, Mysql;
    refinery_on_sqlite: REFINERY, Sqlite;
}

fn imported_upgrade_gives_the_schema_of_the_tools_sql(case: &Case, kind: Kind) {
    if !clients_available(kind) {
        return;
    }
    let (project, twin_project) = (Project::new(), Project::new());
    let (Some(database), Some(twin)) = (database(kind, &project), database(kind, &twin_project))
    else {
        return;
    };
    let sqlmig = |args: &[&str]| {
        project
            .sqlmig()
            .args(["--database-url", database.url()])
            .args(args)
            .run()
    };
    let source = fixture(case);
    sqlmig(&[
        "import",
        "--from",
        case.format,
        source.to_str().expect("path"),
    ])
    .success()
    .stdout_has(&format!("imported {} revisions", case.ids.len()));
    sqlmig(&["verify"]).success();
    sqlmig(&["upgrade"]).success();
    assert_eq!(database.applied(), sorted(case.ids));
    let history = sqlmig(&["history", "--json"]).success().json();
    let newest_first: Vec<&str> = history["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .map(|entry| entry["revision"].as_str().unwrap_or_default())
        .collect();
    let mut chain = case.ids.to_vec();
    chain.reverse();
    assert_eq!(newest_first, chain, "a linear chain in the tool's order");

    apply_with_client(&twin_project, &twin, case, case.ups.len());
    assert_eq!(
        schema(&database, &["sqlmig_revisions"]),
        schema(&twin, &[]),
        "catalog dumps differ (left: sqlmig upgrade, right: the tool's SQL by the client)"
    );
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    ids.sort();
    ids
}

// ---------------------------------------------------------------------------
// --adopt: stamp what the tool's history table says, run only the rest

/// The tool's history table as the tool creates it, with rows saying its
/// first `applied` migrations ran.
fn history_table(case: &Case, kind: Kind, applied: &[&str]) -> String {
    let postgres = kind == Kind::Postgres;
    let rows = |row: &dyn Fn(usize, &str) -> String| {
        applied
            .iter()
            .enumerate()
            .map(|(index, version)| row(index, version))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match case.format {
        "dbmate" => format!(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY);
             INSERT INTO schema_migrations (version) VALUES {};",
            rows(&|_, version| format!("('{version}')"))
        ),
        "golang-migrate" => format!(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null);
             INSERT INTO schema_migrations (version, dirty) VALUES ({}, false);",
            applied.last().expect("a version")
        ),
        // goose writes version 0 when it creates the table; version 3 was
        // applied and rolled back (its newest row decides).
        "goose" => format!(
            "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
             INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), {}, (3, true), (3, false);",
            rows(&|_, version| format!("({version}, true)"))
        ),
        "sqlx" if postgres => format!(
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL);
             INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES {};",
            rows(&|_, version| format!("({version}, 'm', TRUE, '\\x00'::bytea, 1)"))
        ),
        "sqlx" => format!(
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);
             INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES {};",
            rows(&|_, version| format!("({version}, 'm', TRUE, X'00', 1)"))
        ),
        "flyway" => {
            let create = if postgres {
                "CREATE TABLE \"flyway_schema_history\" (\"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER, \"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(), \"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL);
                 ALTER TABLE \"flyway_schema_history\" ADD CONSTRAINT \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");
                 CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" (\"success\");"
            } else {
                "CREATE TABLE `flyway_schema_history` (`installed_rank` INT NOT NULL, `version` VARCHAR(50), `description` VARCHAR(200) NOT NULL, `type` VARCHAR(20) NOT NULL, `script` VARCHAR(1000) NOT NULL, `checksum` INT, `installed_by` VARCHAR(100) NOT NULL, `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, `execution_time` INT NOT NULL, `success` BOOL NOT NULL, CONSTRAINT `flyway_schema_history_pk` PRIMARY KEY (`installed_rank`)) ENGINE=InnoDB;
                 CREATE INDEX `flyway_schema_history_s_idx` ON `flyway_schema_history` (`success`);"
            };
            format!(
                "{create}
                 INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES {};",
                rows(&|index, version| format!(
                    "({}, '{version}', 'm', 'SQL', 'V{version}__m.sql', 1, 'flyway', 1, TRUE)",
                    index + 1
                ))
            )
        }
        "diesel" => format!(
            "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
             INSERT INTO __diesel_schema_migrations (version) VALUES {};",
            rows(&|_, version| format!("('{version}')"))
        ),
        "refinery" => format!(
            "CREATE TABLE IF NOT EXISTS refinery_schema_history (version {} PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));
             INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES {};",
            if postgres { "INT4" } else { "INT" },
            rows(&|_, version| format!("({version}, 'm', '2024-01-01T00:00:00Z', '1')"))
        ),
        other => panic!("no history table for {other}"),
    }
}

macro_rules! adopt {
    ($($test:ident: $case:expr, $kind:ident;)*) => {
        $(#[test]
        fn $test() {
            adopt_stamps_what_the_tool_applied_and_upgrade_runs_the_rest(&$case, Kind::$kind);
        })*
    };
}

adopt! {
    adopt_dbmate_on_postgres: DBMATE, Postgres;
    adopt_dbmate_on_mysql: DBMATE, Mysql;
    adopt_goose_on_postgres: GOOSE, Postgres;
    adopt_goose_on_mysql: GOOSE, Mysql;
    adopt_golang_migrate_on_postgres: GOLANG_MIGRATE, Postgres;
    adopt_golang_migrate_on_mysql: GOLANG_MIGRATE, Mysql;
    adopt_sqlx_on_postgres: SQLX, Postgres;
    adopt_sqlx_on_mysql: SQLX, Mysql;
    adopt_flyway_on_postgres: FLYWAY, Postgres;
    adopt_flyway_on_mysql: FLYWAY, Mysql;
    adopt_diesel_on_postgres: DIESEL, Postgres;
    adopt_diesel_on_mysql: DIESEL, Mysql;
    adopt_refinery_on_postgres: REFINERY, Postgres;
    adopt_refinery_on_mysql: REFINERY, Mysql;
}

fn adopt_stamps_what_the_tool_applied_and_upgrade_runs_the_rest(case: &Case, kind: Kind) {
    if !clients_available(kind) {
        return;
    }
    let project = Project::new();
    let Some(database) = database(kind, &project) else {
        return;
    };
    let applied = &case.ids[..2];
    apply_with_client(&project, &database, case, applied.len());
    database.execute(&history_table(case, kind, applied));
    let sqlmig = |args: &[&str]| {
        project
            .sqlmig()
            .args(["--database-url", database.url()])
            .args(args)
            .run()
    };
    let source = fixture(case);
    let source = source.to_str().expect("path");
    sqlmig(&[
        "import",
        "--from",
        case.format,
        source,
        "--adopt",
        "--dry-run",
    ])
    .success()
    .stdout_has(&format!(
        "would stamp as applied (no SQL run): {}",
        applied.join(", ")
    ));
    assert!(written(&project).is_empty(), "a dry run writes nothing");
    assert!(!database.table_exists("sqlmig_revisions"));

    sqlmig(&["import", "--from", case.format, source, "--adopt"])
        .success()
        .stdout_has(&format!(
            "stamped 2 revisions as applied (no SQL run): {}",
            applied.join(", ")
        ));
    let status = sqlmig(&["status", "--json"]).success().json();
    let states: Vec<(String, String)> = status["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .map(|entry| {
            (
                entry["revision"].as_str().unwrap_or_default().to_owned(),
                entry["state"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = case
        .ids
        .iter()
        .enumerate()
        .map(|(index, id)| {
            let state = if index < applied.len() {
                "applied"
            } else {
                "pending"
            };
            ((*id).to_owned(), state.to_owned())
        })
        .collect();
    assert_eq!(states, expected);

    // Running the adopted revisions again would fail on their CREATE TABLE.
    let upgrade = sqlmig(&["upgrade", "--json"]).success().json();
    let ran: Vec<&str> = upgrade["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .map(|id| id.as_str().unwrap_or_default())
        .collect();
    assert_eq!(ran, case.ids[applied.len()..].to_vec(), "{upgrade}");
    assert_eq!(database.applied(), sorted(case.ids));
    // Adopting again is a no-op: the files are already there, the rows too.
    sqlmig(&["import", "--from", case.format, source, "--adopt"])
        .success()
        .stdout_has("nothing written")
        .stdout_has("stamped 0 revisions");
}

// ---------------------------------------------------------------------------
// Refusals name the migration and leave nothing behind

/// Imports `case` with `--adopt` after `history` set up the tool's table;
/// expects a refusal saying `message`, with nothing written or stamped.
fn adopt_is_refused(case: &Case, kind: Kind, history: &str, message: &str) {
    let project = Project::new();
    let Some(database) = database(kind, &project) else {
        return;
    };
    database.execute(history);
    let source = fixture(case);
    project
        .sqlmig()
        .args(["--database-url", database.url()])
        .args(["import", "--from", case.format])
        .args([&source])
        .args(["--adopt"])
        .run()
        .failure()
        .stderr_has("nothing was stamped")
        .stderr_has(message);
    assert!(written(&project).is_empty(), "nothing written");
    assert!(
        !database.table_exists("sqlmig_revisions"),
        "nothing stamped"
    );
}

#[test]
fn adopt_refuses_a_dirty_golang_migrate_version_on_postgres() {
    adopt_is_refused(
        &GOLANG_MIGRATE,
        Kind::Postgres,
        "CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null);
         INSERT INTO schema_migrations (version, dirty) VALUES (2, true);",
        "version 2 (2_add_users_name.up.sql) is recorded as dirty or failed",
    );
}

#[test]
fn adopt_refuses_a_failed_sqlx_migration_on_mysql() {
    adopt_is_refused(
        &SQLX,
        Kind::Mysql,
        &format!(
            "{}
             INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (20240101000002, 'm', FALSE, X'00', 1);",
            history_table(&SQLX, Kind::Mysql, &SQLX.ids[..1])
        ),
        "version 20240101000002 (20240101000002_index_users_email.sql) is recorded as dirty or failed",
    );
}

#[test]
fn adopt_refuses_a_failed_flyway_migration_on_postgres() {
    adopt_is_refused(
        &FLYWAY,
        Kind::Postgres,
        &history_table(&FLYWAY, Kind::Postgres, &["1", "1.1"]).replace("1, TRUE)", "1, FALSE)"),
        "version 1 (sql/V1__create_users.sql) is recorded as dirty or failed",
    );
}

#[test]
fn adopt_refuses_an_applied_dbmate_version_without_a_file_on_postgres() {
    adopt_is_refused(
        &DBMATE,
        Kind::Postgres,
        &history_table(
            &DBMATE,
            Kind::Postgres,
            &["20231231000000", "20240101000001"],
        ),
        "version 20231231000000 is recorded as applied but has no migration in the source directory",
    );
}

#[test]
fn adopt_refuses_a_goose_hole_on_mysql() {
    adopt_is_refused(
        &GOOSE,
        Kind::Mysql,
        "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id));
         INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (3, true);",
        "00002_seed_admin.sql is not applied but the later 00003_index_users_email.sql is",
    );
}

/// A copy of `case`'s fixture in the project's `source/`, plus `extra` files.
fn source_with(project: &Project, case: &Case, extra: &[(&str, &str)]) -> PathBuf {
    let from = fixture(case);
    for entry in walk(&from) {
        let relative = entry.strip_prefix(&from).expect("inside the fixture");
        project.write(
            &format!("source/{}", relative.display()),
            std::fs::read(&entry).expect("fixture file"),
        );
    }
    for (name, text) in extra {
        project.write(&format!("source/{name}"), text);
    }
    project.path("source")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read the fixture") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_goose_go_migration_is_refused_by_name_and_nothing_is_written() {
    let project = Project::new();
    let source = source_with(
        &project,
        &GOOSE,
        &[("00004_backfill.go", "package migrations\n")],
    );
    project
        .sqlmig()
        .args(["import", "--from", "goose"])
        .args([&source])
        .run()
        .failure()
        .stderr_has("nothing was written")
        .stderr_has("00004_backfill.go: a Go migration");
    assert!(written(&project).is_empty());
}

#[test]
fn flyway_repeatable_and_java_migrations_are_refused_by_name_and_nothing_is_written() {
    let project = Project::new();
    let source = source_with(
        &project,
        &FLYWAY,
        &[
            (
                "sql/R__active_users.sql",
                "CREATE VIEW active_users AS SELECT * FROM users;\n",
            ),
            ("java/V3__Backfill.java", "public class V3__Backfill {}\n"),
        ],
    );
    project
        .sqlmig()
        .args(["import", "--from", "flyway"])
        .args([&source])
        .run()
        .failure()
        .stderr_has("these migrations cannot be converted")
        .stderr_has("java/V3__Backfill.java: a Java migration")
        .stderr_has("sql/R__active_users.sql: a repeatable migration (R__)");
    assert!(written(&project).is_empty());
}

#[test]
fn dry_run_prints_the_files_and_writes_nothing() {
    let project = Project::new();
    let source = fixture(&GOOSE_POSTGRES);
    let run = project
        .sqlmig()
        .args(["import", "--from", "goose", "--dry-run"])
        .args([&source])
        .run()
        .success();
    let stdout = run.stdout();
    for expected in [
        "-- would write migrations/00002_touch_users.sql\n-- revision: 2\n-- revises: 1\n-- message: touch users\n",
        "-- up\n-- statement-begin\nCREATE FUNCTION touch_updated_at()",
        "$$ LANGUAGE plpgsql;\n-- statement-end\nCREATE TRIGGER",
        "-- revision: 3\n-- revises: 2\n-- message: index users email\n-- transaction: false\n",
        "-- would write migrations/sqlmig.sum (3 revisions)",
    ] {
        assert!(
            stdout.contains(expected),
            "stdout lacks {expected:?}\n{stdout}"
        );
    }
    assert!(written(&project).is_empty());
}

#[test]
fn import_into_a_directory_with_other_files_is_refused() {
    let project = Project::new();
    project.write("migrations/0001_mine.sql", "-- revision: mine\n\n-- up\n");
    let source = fixture(&REFINERY);
    project
        .sqlmig()
        .args(["import", "--from", "refinery"])
        .args([&source])
        .run()
        .failure()
        .stderr_has("already holds files that differ");
    assert_eq!(written(&project), ["0001_mine.sql"]);
}
