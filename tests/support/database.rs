//! Test databases: a SQLite file, or a uniquely named PostgreSQL / MariaDB
//! database created on the machine's server and dropped afterwards, so tests
//! run in parallel and re-run cleanly.
//!
//! Servers come from `SQLMIG_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`) and `SQLMIG_TEST_MYSQL_URL`
//! (default `mysql://root@127.0.0.1:3306/test`). Without a server a test is
//! skipped with a loud line on stderr, except under `CI=true`, where a missing
//! server fails the test.

use std::sync::atomic::{AtomicUsize, Ordering};

use mysql_async::prelude::Queryable;

use super::Project;

/// Which server a test database lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Sqlite,
    Postgres,
    Mysql,
}

impl Kind {
    /// The dialect's name, as `--dialect` and `dialect` take it.
    pub(crate) fn dialect_name(self) -> &'static str {
        match self {
            Kind::Postgres => "postgres",
            Kind::Mysql => "mysql",
            Kind::Sqlite => "sqlite",
        }
    }
}

/// A database for one test.
pub(crate) struct TestDb {
    pub(crate) kind: Kind,
    url: String,
    admin_url: Option<String>,
    name: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "sqlmig_test_{}_{}_{nanos:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// Reports a backend that cannot run: a skip on a user's machine, a failure in CI.
fn unavailable(kind: &str, url: &str, error: &str) -> Option<TestDb> {
    assert!(
        !in_ci(),
        "{kind} server unavailable at {url} under CI=true: {error}"
    );
    eprintln!("SKIPPED: {kind} tests need a server at {url} ({error})");
    None
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl TestDb {
    /// A SQLite file inside the project.
    pub(crate) fn sqlite(project: &Project) -> TestDb {
        TestDb::sqlite_named(project, "app.db")
    }

    /// A SQLite file named `file` inside the project.
    pub(crate) fn sqlite_named(project: &Project, file: &str) -> TestDb {
        TestDb {
            kind: Kind::Sqlite,
            url: project.sqlite_url(file),
            admin_url: None,
            name: project.path(file).display().to_string(),
        }
    }

    /// A fresh PostgreSQL database, or `None` (skipped) without a server or
    /// in a build without the `postgres` feature.
    pub(crate) fn postgres() -> Option<TestDb> {
        TestDb::postgres_with("")
    }

    /// A fresh PostgreSQL database made with `CREATE DATABASE name options`
    /// (`TEMPLATE template0 LC_COLLATE 'C'`...).
    pub(crate) fn postgres_with(options: &str) -> Option<TestDb> {
        if !cfg!(feature = "postgres") {
            return None;
        }
        let admin_url = std::env::var("SQLMIG_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| String::from("postgres://postgres@127.0.0.1:5432/test"));
        let name = unique_name();
        if let Err(error) =
            postgres_execute(&admin_url, &format!("CREATE DATABASE {name} {options}"))
        {
            return unavailable("PostgreSQL", &admin_url, &error);
        }
        Some(TestDb {
            kind: Kind::Postgres,
            url: with_database(&admin_url, &name),
            admin_url: Some(admin_url),
            name,
        })
    }

    /// A fresh MariaDB/MySQL database, or `None` (skipped) without a server
    /// or in a build without the `mysql` feature.
    pub(crate) fn mysql() -> Option<TestDb> {
        TestDb::mysql_with("")
    }

    /// A fresh MariaDB/MySQL database made with `CREATE DATABASE name
    /// options` (`CHARACTER SET latin1`...).
    pub(crate) fn mysql_with(options: &str) -> Option<TestDb> {
        if !cfg!(feature = "mysql") {
            return None;
        }
        let admin_url = std::env::var("SQLMIG_TEST_MYSQL_URL")
            .unwrap_or_else(|_| String::from("mysql://root@127.0.0.1:3306/test"));
        let name = unique_name();
        if let Err(error) = mysql_execute(&admin_url, &format!("CREATE DATABASE {name} {options}"))
        {
            return unavailable("MariaDB", &admin_url, &error);
        }
        Some(TestDb {
            kind: Kind::Mysql,
            url: with_database(&admin_url, &name),
            admin_url: Some(admin_url),
            name,
        })
    }

    /// The database's URL, for `--database-url`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The database's name on its server.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Runs statements (no result).
    pub(crate) fn execute(&self, sql: &str) {
        self.try_execute(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    /// Runs statements (no result); the database's error if they fail.
    pub(crate) fn try_execute(&self, sql: &str) -> Result<(), String> {
        match self.kind {
            Kind::Sqlite => rusqlite::Connection::open(self.sqlite_path())
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            Kind::Postgres => postgres_execute(&self.url, sql),
            Kind::Mysql => mysql_execute(&self.url, sql),
        }
    }

    /// Runs a query; every value as text (NULL as `None`).
    pub(crate) fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let result = match self.kind {
            Kind::Sqlite => sqlite_query(&self.sqlite_path(), sql),
            Kind::Postgres => postgres_query(&self.url, sql),
            Kind::Mysql => mysql_query(&self.url, sql),
        };
        result.unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// The first column of every row, as text.
    pub(crate) fn column(&self, sql: &str) -> Vec<String> {
        self.query(sql)
            .into_iter()
            .map(|row| row.into_iter().next().flatten().unwrap_or_default())
            .collect()
    }

    /// Whether a table exists.
    pub(crate) fn table_exists(&self, table: &str) -> bool {
        let sql = match self.kind {
            Kind::Sqlite => {
                format!("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{table}'")
            }
            Kind::Postgres => format!(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{table}'"
            ),
            Kind::Mysql => format!(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{table}'"
            ),
        };
        !self.query(&sql).is_empty()
    }

    /// The revisions recorded as applied, sorted.
    pub(crate) fn applied(&self) -> Vec<String> {
        if !self.table_exists("sqlmig_revisions") {
            return Vec::new();
        }
        self.column(
            "SELECT revision FROM sqlmig_revisions WHERE state = 'applied' ORDER BY revision",
        )
    }

    pub(crate) fn sqlite_path(&self) -> String {
        self.url.trim_start_matches("sqlite:").to_owned()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(admin_url) = &self.admin_url else {
            return;
        };
        let sql = format!("DROP DATABASE IF EXISTS {}", self.name);
        let result = match self.kind {
            Kind::Postgres => postgres_execute(admin_url, &format!("{sql} WITH (FORCE)")),
            Kind::Mysql => mysql_execute(admin_url, &sql),
            Kind::Sqlite => Ok(()),
        };
        if let Err(error) = result {
            eprintln!("could not drop test database {}: {error}", self.name);
        }
    }
}

/// A MariaDB user that exists for one test.
pub(crate) struct TestUser<'a> {
    database: &'a TestDb,
    pub(crate) name: String,
}

impl<'a> TestUser<'a> {
    pub(crate) fn create(database: &'a TestDb, password: &str) -> TestUser<'a> {
        let name = format!("sqlmig_t_{}", database.name());
        database.execute(&format!(
            "CREATE USER '{name}'@'%' IDENTIFIED BY '{password}'"
        ));
        database.execute(&format!(
            "GRANT ALL PRIVILEGES ON `{}`.* TO '{name}'@'%'",
            database.name()
        ));
        TestUser { database, name }
    }
}

impl Drop for TestUser<'_> {
    fn drop(&mut self) {
        self.database
            .execute(&format!("DROP USER IF EXISTS '{}'@'%'", self.name));
    }
}

fn sqlite_query(path: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let connection = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
    let mut statement = connection.prepare(sql).map_err(|e| e.to_string())?;
    let columns = statement.column_count();
    let rows = statement
        .query_map([], |row| {
            (0..columns)
                .map(|index| {
                    Ok(match row.get_ref(index)? {
                        rusqlite::types::ValueRef::Null => None,
                        rusqlite::types::ValueRef::Integer(i) => Some(i.to_string()),
                        rusqlite::types::ValueRef::Real(r) => Some(r.to_string()),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            Some(String::from_utf8_lossy(t).into_owned())
                        }
                    })
                })
                .collect()
        })
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
}

async fn postgres_client(url: &str) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    Ok(client)
}

fn postgres_execute(url: &str, sql: &str) -> Result<(), String> {
    runtime().block_on(async {
        let client = postgres_client(url).await?;
        client.batch_execute(sql).await.map_err(|e| e.to_string())
    })
}

fn postgres_query(url: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    runtime().block_on(async {
        let client = postgres_client(url).await?;
        let messages = client.simple_query(sql).await.map_err(|e| e.to_string())?;
        Ok(messages
            .into_iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|index| row.get(index).map(str::to_owned))
                        .collect(),
                ),
                _ => None,
            })
            .collect())
    })
}

fn mysql_execute(url: &str, sql: &str) -> Result<(), String> {
    runtime().block_on(async {
        let opts = mysql_async::Opts::from_url(url).map_err(|e| e.to_string())?;
        let mut connection = mysql_async::Conn::new(opts)
            .await
            .map_err(|e| e.to_string())?;
        let result = connection.query_drop(sql).await.map_err(|e| e.to_string());
        let _ = connection.disconnect().await;
        result
    })
}

fn mysql_query(url: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    runtime().block_on(async {
        let opts = mysql_async::Opts::from_url(url).map_err(|e| e.to_string())?;
        let mut connection = mysql_async::Conn::new(opts)
            .await
            .map_err(|e| e.to_string())?;
        let rows: Vec<mysql_async::Row> = connection.query(sql).await.map_err(|e| e.to_string())?;
        let _ = connection.disconnect().await;
        Ok(rows
            .into_iter()
            .map(|row| {
                row.unwrap()
                    .into_iter()
                    .map(|value| match value {
                        mysql_async::Value::NULL => None,
                        mysql_async::Value::Bytes(bytes) => {
                            Some(String::from_utf8_lossy(&bytes).into_owned())
                        }
                        other => Some(other.as_sql(true).trim_matches('\'').to_owned()),
                    })
                    .collect()
            })
            .collect())
    })
}
