//! `sqlmig::asynchronous` (feature `tokio`): the blocking engine awaited from
//! a tokio application, on every backend, without blocking the runtime.

use std::sync::Arc;
use std::time::Duration;

use sqlmig::asynchronous::AsyncDatabase;
use sqlmig::{DatabaseOptions, Dialect, Migrations, RunOptions, Target};

use crate::support::database::{Kind, TestDb};
use crate::support::{Project, revision_text};

/// One thread for the whole runtime: an awaited call that blocked it would
/// block every other task.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Two revisions, `one` and `two`, each with a down section.
fn migrations(project: &Project, kind: Kind) -> Arc<Migrations> {
    project
        .revision(
            "1_one",
            &revision_text(
                "one",
                &[],
                "CREATE TABLE t (x INTEGER);",
                Some("DROP TABLE t;"),
            ),
        )
        .revision(
            "2_two",
            &revision_text(
                "two",
                &["one"],
                "INSERT INTO t VALUES (1);",
                Some("DELETE FROM t;"),
            ),
        );
    let dialect: Dialect = kind.dialect_name().parse().expect("a dialect");
    Arc::new(Migrations::load(project.path("migrations"), dialect).expect("the migrations"))
}

/// Upgrade, status and downgrade awaited; the network drivers start their
/// own runtime on the thread the call runs on.
fn upgrade_status_downgrade(project: &Project, database: &TestDb) {
    let migrations = migrations(project, database.kind);
    runtime().block_on(async {
        let connection = AsyncDatabase::connect(database.url(), &DatabaseOptions::default())
            .await
            .expect("connect");
        let report = connection.upgrade(&migrations).await.expect("upgrade");
        assert_eq!(report.steps.len(), 2);
        assert!(connection.is_up_to_date(&migrations).await.expect("status"));
        connection
            .downgrade(
                &migrations,
                &Target::Revision(String::from("one")),
                RunOptions::default(),
            )
            .await
            .expect("downgrade");
        let status = connection.status(&migrations).await.expect("status");
        assert_eq!(status.pending(), 1);
    });
    assert_eq!(database.applied(), ["one"]);
}

#[test]
fn sqlite_upgrade_status_downgrade() {
    let project = Project::new();
    upgrade_status_downgrade(&project, &TestDb::sqlite(&project));
}

#[test]
fn postgres_upgrade_status_downgrade() {
    let Some(database) = TestDb::postgres() else {
        return;
    };
    upgrade_status_downgrade(&Project::new(), &database);
}

#[test]
fn mysql_upgrade_status_downgrade() {
    let Some(database) = TestDb::mysql() else {
        return;
    };
    upgrade_status_downgrade(&Project::new(), &database);
}

/// The test holds the SQLite file's migration lock; the upgrade waits for
/// it on its own thread while the runtime's one thread goes on to release
/// it. Run on the runtime's thread, the upgrade would wait out its lock
/// timeout and fail.
#[test]
fn an_awaited_upgrade_leaves_the_runtime_free() {
    let project = Project::new();
    let database = TestDb::sqlite(&project);
    let migrations = migrations(&project, Kind::Sqlite);
    let options = DatabaseOptions {
        lock_timeout: Duration::from_secs(10),
        ..DatabaseOptions::default()
    };
    runtime().block_on(async {
        let connection = AsyncDatabase::connect(database.url(), &options)
            .await
            .expect("connect");
        let lock = std::fs::File::open(database.sqlite_path()).expect("the database file");
        lock.lock().expect("take the migration lock");
        let upgrade = tokio::spawn({
            let (connection, migrations) = (connection.clone(), Arc::clone(&migrations));
            async move { connection.upgrade(&migrations).await }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!upgrade.is_finished(), "the upgrade waits for the lock");
        lock.unlock().expect("release the lock");
        let report = upgrade.await.expect("the task").expect("upgrade");
        assert_eq!(report.steps.len(), 2);
    });
    assert_eq!(database.applied(), ["one", "two"]);
}
