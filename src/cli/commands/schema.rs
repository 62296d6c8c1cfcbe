//! `sqlmig schema`: the live database's schema as a canonical DDL script
//! (or, with `--json`, the schema model), read-only.

use std::io::Write as _;

use anyhow::Context;

use crate::cli::Outcome;
use crate::cli::args::SchemaArgs;
use crate::cli::output::{exit_on_write_error, print_json};
use crate::cli::settings::Settings;

pub(crate) fn run(settings: &Settings, args: &SchemaArgs) -> anyhow::Result<Outcome> {
    let mut database = settings.connect(true)?;
    let dialect = database.dialect();
    let schema =
        sqlmig::schema::inspect(&mut database).context("cannot read the database's schema")?;
    if settings.json {
        print_json(&schema)?;
        return Ok(Outcome::Success);
    }
    let script = sqlmig::schema::dump(&schema, dialect);
    match &args.output {
        Some(path) => std::fs::write(path, &script)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            if let Err(error) = stdout
                .write_all(script.as_bytes())
                .and_then(|()| stdout.flush())
            {
                exit_on_write_error(&error);
            }
        }
    }
    Ok(Outcome::Success)
}

/// `dump_schema = true`: writes the live schema to `schema_file` after a
/// change (`upgrade`, `downgrade`, `stamp`), as `sqlmig schema` prints it.
pub(crate) fn dump_if_configured(
    settings: &Settings,
    database: &mut sqlmig::Database,
) -> anyhow::Result<()> {
    if !settings.dump_schema() {
        return Ok(());
    }
    let Some(path) = settings.schema_file() else {
        anyhow::bail!("`dump_schema = true` needs `schema_file` in sqlmig.toml");
    };
    let schema = sqlmig::schema::inspect(database).context("cannot read the database's schema")?;
    std::fs::write(&path, sqlmig::schema::dump(&schema, database.dialect()))
        .with_context(|| format!("cannot write {}", path.display()))
}
