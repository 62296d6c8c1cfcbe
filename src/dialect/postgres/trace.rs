//! PostgreSQL's tracer: relations and their file nodes from `pg_class`, the
//! session's relation locks from `pg_locks`, and `CONCURRENTLY` statements
//! observed from a second connection that makes them wait.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::backend::{self, Backend, ConnectOptions, DbError};
use crate::database_url::DatabaseUrl;
use crate::lint::statement::Kind;
use crate::lint::trace::{Lock, Relation, Tracer};
use crate::sql::{Sql, Value};

/// PostgreSQL's [`Tracer`].
pub(super) struct PostgresTracer;

const RELATIONS: &str = "SELECT c.oid::text, c.relname::text, c.relfilenode::text \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'i', 'm', 'p', 'I')";

/// The relation locks granted to backend `$1`.
const LOCKS: &str = "SELECT l.relation::text, COALESCE(c.relname::text, 'a relation dropped since (oid ' || l.relation::text || ')'), l.mode::text \
     FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation \
     WHERE l.locktype = 'relation' AND l.granted AND l.pid = $1::int";

/// Whether backend `$1` waits for a lock.
const WAITING: &str = "SELECT 1 FROM pg_locks WHERE pid = $1::int AND NOT granted";

/// How long the observer waits for a `CONCURRENTLY` statement to block.
const PATIENCE: Duration = Duration::from_secs(10);

fn text(row: &[Value], column: usize) -> String {
    row.get(column).and_then(Value::as_text).unwrap_or_default()
}

/// A query without values.
fn plain(text: &str) -> Sql {
    Sql {
        text: text.to_owned(),
        params: Vec::new(),
    }
}

fn pid(backend: &mut dyn Backend) -> Result<String, DbError> {
    let rows = backend.query(&plain("SELECT pg_backend_pid()::text"))?;
    Ok(rows.first().map(|row| text(row, 0)).unwrap_or_default())
}

fn locks_of(backend: &mut dyn Backend, pid: &str) -> Result<Vec<(String, Lock)>, DbError> {
    let rows = backend.query(&Sql {
        text: LOCKS.to_owned(),
        params: vec![Value::text(pid)],
    })?;
    Ok(rows
        .iter()
        .map(|row| {
            (
                text(row, 0),
                Lock {
                    relation: text(row, 1),
                    mode: text(row, 2),
                },
            )
        })
        .collect())
}

impl Tracer for PostgresTracer {
    fn relations(&self, backend: &mut dyn Backend) -> Result<Vec<Relation>, DbError> {
        Ok(backend
            .query(&plain(RELATIONS))?
            .iter()
            .map(|row| Relation {
                oid: text(row, 0),
                name: text(row, 1),
                file_node: text(row, 2),
            })
            .collect())
    }

    fn locks(&self, backend: &mut dyn Backend) -> Result<Vec<(String, Lock)>, DbError> {
        let pid = pid(backend)?;
        locks_of(backend, &pid)
    }

    /// A second connection opens a transaction holding ROW EXCLUSIVE on the
    /// table, so the concurrent build waits for it after taking its own
    /// lock; the second connection reads the builder's locks from
    /// `pg_locks` while it waits, then commits and lets it finish.
    fn run_outside(
        &self,
        backend: &mut dyn Backend,
        url: &DatabaseUrl,
        options: &ConnectOptions,
        sql: &str,
        kind: &Kind,
    ) -> Result<Result<Vec<(String, Lock)>, String>, DbError> {
        let table = match kind {
            Kind::CreateIndex { table, .. } | Kind::Concurrently { table: Some(table) } => {
                table.clone()
            }
            _ => {
                backend.execute(sql)?;
                return Ok(Err(String::from(
                    "not traced: it cannot run in a transaction and names no table to observe it on",
                )));
            }
        };
        let builder = pid(backend)?;
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        let url = url.clone();
        let options = options.clone();
        let observer =
            std::thread::spawn(move || observe(&url, &options, &table, &builder, &ready_tx));
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(String::from("the observer stopped")));
        let ran = backend.execute(sql);
        let observed = observer
            .join()
            .unwrap_or_else(|_| Err(String::from("the observer panicked")));
        ran?;
        Ok(ready.and(observed))
    }
}

/// The observer's side of [`PostgresTracer::run_outside`].
fn observe(
    url: &DatabaseUrl,
    options: &ConnectOptions,
    table: &str,
    builder: &str,
    ready: &mpsc::Sender<Result<(), String>>,
) -> Result<Vec<(String, Lock)>, String> {
    let started = (|| -> Result<Box<dyn Backend>, String> {
        let mut observer = backend::connect(url, options).map_err(|e| e.to_string())?;
        observer.execute("BEGIN").map_err(|e| e.to_string())?;
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        observer
            .execute(&format!("LOCK TABLE {quoted} IN ROW EXCLUSIVE MODE"))
            .map_err(|e| e.to_string())?;
        Ok(observer)
    })();
    let mut observer = match started {
        Ok(observer) => {
            let _ = ready.send(Ok(()));
            observer
        }
        Err(why) => {
            let _ = ready.send(Err(format!("not traced: {why}")));
            return Err(format!("not traced: {why}"));
        }
    };
    let deadline = Instant::now() + PATIENCE;
    let result = loop {
        let waiting = observer.query(&Sql {
            text: WAITING.to_owned(),
            params: vec![Value::text(builder)],
        });
        match waiting {
            Ok(rows) if !rows.is_empty() => {
                break locks_of(observer.as_mut(), builder).map_err(|e| e.to_string());
            }
            Ok(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Ok(_) => break Err(String::from("not traced: the statement never waited")),
            Err(error) => break Err(error.to_string()),
        }
    };
    let _ = observer.execute("COMMIT");
    result
}
