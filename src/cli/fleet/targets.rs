//! Which targets a fleet run migrates: the `[[targets]]` of `sqlmig.toml`
//! (`--all-targets`), the URLs of `--targets FILE`, or the schemas a
//! PostgreSQL query returns (`--schemas-query`).

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, bail};
use sqlmig::backend::{ConnectOptions, connect};
use sqlmig::sql::Sql;
use sqlmig::{DatabaseUrl, Dialect};

use crate::cli::args::FleetArgs;
use crate::cli::settings::Settings;

/// One database (or PostgreSQL schema) of a fleet.
#[derive(Debug)]
pub(crate) struct FleetTarget {
    /// How progress, the summary and `--json` name it; never holds a password.
    pub(crate) name: String,
    pub(crate) url: DatabaseUrl,
    /// The state table's schema (PostgreSQL); `None`: the global one.
    pub(crate) schema: Option<String>,
    /// Run on its connection before anything else.
    pub(crate) init_sql: Vec<String>,
}

impl FleetTarget {
    /// The target's dialect.
    pub(crate) fn dialect(&self) -> Dialect {
        self.url.dialect()
    }
}

/// The targets, in the order they are listed; an error names the file and
/// line (or the `[[targets]]` entry) of a bad one.
pub(crate) fn resolve(settings: &Settings, args: &FleetArgs) -> anyhow::Result<Vec<FleetTarget>> {
    let mut targets = if let Some(file) = &args.targets {
        from_file(settings, file)?
    } else if args.all_targets || args.schemas_query.is_none() {
        from_config(settings)?
    } else {
        Vec::new()
    };
    if let Some(query) = &args.schemas_query {
        targets.extend(from_schemas_query(settings, query)?);
    }
    let mut seen = HashSet::new();
    for target in &targets {
        if !seen.insert(target.name.as_str()) {
            bail!(
                "two targets are named `{}`: each database (or schema) may be listed once",
                target.name
            );
        }
    }
    Ok(targets)
}

/// `--targets FILE`: one URL per line; blank lines and `#` comments skipped.
fn from_file(settings: &Settings, file: &Path) -> anyhow::Result<Vec<FleetTarget>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the targets file {}", file.display()))?;
    let mut targets = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = strip_comment(line).trim();
        if line.is_empty() {
            continue;
        }
        let url = DatabaseUrl::parse(line)
            .map_err(|error| anyhow::anyhow!("{}:{}: {error}", file.display(), number + 1))?;
        targets.push(FleetTarget {
            name: url.redacted(),
            url,
            schema: None,
            init_sql: settings.init_sql().to_vec(),
        });
    }
    if targets.is_empty() {
        bail!("the targets file {} lists no database URL", file.display());
    }
    Ok(targets)
}

/// A `#` at the start of a line or after white space starts a comment (a
/// `#` inside a URL, as in a password, does not).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'#' && (index == 0 || bytes[index - 1].is_ascii_whitespace()) {
            return &line[..index];
        }
    }
    line
}

/// `--schemas-query SQL`: one target per schema the query returns, on the
/// configured database, each with its state table in its schema.
fn from_schemas_query(settings: &Settings, query: &str) -> anyhow::Result<Vec<FleetTarget>> {
    let Some(raw) = settings.database_url() else {
        bail!(
            "--schemas-query runs on the database URL: pass --database-url, set DATABASE_URL, or set `database_url` in sqlmig.toml"
        );
    };
    let url = DatabaseUrl::parse(raw)?;
    if url.dialect() != Dialect::Postgres {
        bail!(
            "--schemas-query is for PostgreSQL; the database URL is {}",
            url.dialect()
        );
    }
    let mut backend = connect(
        &url,
        &ConnectOptions {
            init_sql: settings.init_sql().to_vec(),
            read_only: true,
            statement_timeout: settings.statement_timeout(),
        },
    )?;
    let rows = backend
        .query(&Sql {
            text: query.to_owned(),
            params: Vec::new(),
        })
        .map_err(|error| {
            anyhow::anyhow!(
                "the schemas query failed: {}",
                url.scrub(&error.to_string())
            )
        })?;
    drop(backend);
    let mut targets = Vec::new();
    for row in rows {
        let Some(schema) = row.first().and_then(|value| value.as_text()) else {
            continue;
        };
        let schema = schema.trim().to_owned();
        if schema.is_empty() {
            continue;
        }
        targets.push(FleetTarget {
            name: schema.clone(),
            url: url.clone(),
            init_sql: with_search_path(Dialect::Postgres, &schema, settings.init_sql()),
            schema: Some(schema),
        });
    }
    Ok(targets)
}

/// `--all-targets`: the `[[targets]]` tables of the config.
fn from_config(settings: &Settings) -> anyhow::Result<Vec<FleetTarget>> {
    let config = settings.config_path.display();
    if settings.config_targets.is_empty() {
        bail!(
            "--all-targets: {config} has no [[targets]] (or name the targets with --targets FILE or --schemas-query SQL)"
        );
    }
    let mut targets = Vec::new();
    for (number, entry) in settings.config_targets.iter().enumerate() {
        let place = match &entry.name {
            Some(name) => format!("{config}: target `{name}`"),
            None => format!("{config}: [[targets]] number {}", number + 1),
        };
        let url = DatabaseUrl::parse(&entry.database_url)
            .map_err(|error| anyhow::anyhow!("{place}: {error}"))?;
        let init_sql = entry
            .init_sql
            .clone()
            .unwrap_or_else(|| settings.init_sql().to_vec());
        let init_sql = match &entry.schema {
            Some(_) if url.dialect() != Dialect::Postgres => {
                bail!(
                    "{place}: `schema` is for PostgreSQL targets; this one is {}",
                    url.dialect()
                )
            }
            Some(schema) => with_search_path(url.dialect(), schema, &init_sql),
            None => init_sql,
        };
        let name = match (&entry.name, &entry.schema) {
            (Some(name), _) => name.clone(),
            (None, Some(schema)) => format!("{} ({schema})", url.redacted()),
            (None, None) => url.redacted(),
        };
        if name.trim().is_empty() {
            bail!("{place}: `name` is empty");
        }
        targets.push(FleetTarget {
            name,
            url,
            schema: entry.schema.clone(),
            init_sql,
        });
    }
    Ok(targets)
}

/// A schema target's connection starts in its schema: `SET search_path`
/// first, then the configured `init_sql` (which may change it).
fn with_search_path(dialect: Dialect, schema: &str, init_sql: &[String]) -> Vec<String> {
    let mut statements = vec![format!(
        "SET search_path TO {}",
        dialect.quote_identifier(schema)
    )];
    statements.extend_from_slice(init_sql);
    statements
}

#[cfg(test)]
mod tests {
    use super::strip_comment;

    #[test]
    fn comments_start_at_a_hash_after_white_space() {
        assert_eq!(strip_comment("# all of it"), "");
        assert_eq!(strip_comment("sqlite:a.db  # tenant a"), "sqlite:a.db  ");
        assert_eq!(
            strip_comment("postgres://u:p#w@h/db"),
            "postgres://u:p#w@h/db"
        );
    }
}
