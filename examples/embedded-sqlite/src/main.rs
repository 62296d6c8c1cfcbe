//! An application that carries its migrations: `embed_migrations!` compiled
//! them in (verified against `sqlmig.sum` at compile time), and the tokio API
//! brings the database up to date at start-up without blocking the runtime.
//!
//! `cargo run -p embedded-sqlite -- PATH` migrates the SQLite file PATH
//! (default `notes.db`), inserts a note, reads it back and prints the status.

use std::sync::Arc;

use sqlmig::DatabaseOptions;
use sqlmig::asynchronous::AsyncDatabase;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| String::from("notes.db"));
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    runtime.block_on(run(&path))
}

async fn run(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    // No file is read at run time: the migrations are in the binary.
    let migrations = Arc::new(sqlmig::embed_migrations!("migrations"));
    let database =
        AsyncDatabase::connect(&format!("sqlite:{path}"), &DatabaseOptions::default()).await?;
    let report = database.upgrade(&migrations).await?;
    println!("applied {} revision(s)", report.steps.len());

    // The application's own queries, on its own connection.
    let owned_path = path.to_owned();
    let (id, body, author) = tokio::task::spawn_blocking(move || {
        let connection = rusqlite::Connection::open(owned_path)?;
        connection.execute(
            "INSERT INTO notes (body) VALUES (?1)",
            ["hello from the example"],
        )?;
        connection.query_row(
            "SELECT id, body, author FROM notes WHERE id = last_insert_rowid()",
            [],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            },
        )
    })
    .await??;
    println!("note {id}: {body} (by {author})");

    let status = database.status(&migrations).await?;
    for revision in &status.revisions {
        let id = &migrations.graph().revision(revision.index).id;
        println!("{id} {}", revision.state.as_str());
    }
    println!("up to date: {}", database.is_up_to_date(&migrations).await?);
    Ok(())
}
