//! `sqlmig init [DIR]`: write `sqlmig.toml` and an empty migrations directory.

use crate::cli::output::out;
use std::path::Path;

use anyhow::{Context, bail};

use crate::cli::Outcome;

const CONFIG_TEMPLATE: &str = r#"# sqlmig configuration. Flags override these values; DATABASE_URL overrides database_url.

# Where the revision files live, relative to this file.
directory = "migrations"

# The database to migrate: sqlite:PATH, postgres://user@host/db or mysql://user@host/db.
# Prefer the DATABASE_URL environment variable for URLs that carry a password.
# database_url = "sqlite:app.db"
"#;

pub(crate) fn run(
    args: &crate::cli::args::InitArgs,
    quiet: bool,
    json: bool,
) -> anyhow::Result<Outcome> {
    // Joined onto an empty path, the names print as users type them.
    let root = args.directory.as_deref().unwrap_or(Path::new(""));
    let config = root.join("sqlmig.toml");
    let migrations = root.join("migrations");
    if config.exists() {
        bail!("{} already exists: nothing was changed", config.display());
    }
    std::fs::create_dir_all(&migrations)
        .with_context(|| format!("cannot create {}", migrations.display()))?;
    std::fs::write(&config, CONFIG_TEMPLATE)
        .with_context(|| format!("cannot write {}", config.display()))?;
    if json {
        crate::cli::output::print_json(&serde_json::json!({
            "config": config.display().to_string(),
            "directory": migrations.display().to_string(),
        }))?;
    } else if !quiet {
        out!("created {} and {}/", config.display(), migrations.display());
        out!("next: sqlmig new -m \"create the first table\"");
    }
    Ok(Outcome::Success)
}
