//! Settings resolved once from flags, then the environment, then `sqlmig.toml`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;
use sqlmig::database_url::readable_by_others;
use sqlmig::state_table::{DEFAULT_TABLE, StateTable};
use sqlmig::{Database, DatabaseOptions, DatabaseUrl, Dialect, Migrations, ServerVersion};

use super::args::GlobalArgs;

const DEFAULT_CONFIG: &str = "sqlmig.toml";
const DEFAULT_DIRECTORY: &str = "migrations";
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// `sqlmig.toml`. Unknown keys are errors, so a typo never silently falls back
/// to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    directory: Option<PathBuf>,
    database_url: Option<String>,
    database_url_file: Option<PathBuf>,
    table: Option<String>,
    schema: Option<String>,
    dialect: Option<String>,
    init_sql: Option<Vec<String>>,
    lock_timeout: Option<String>,
    statement_timeout: Option<String>,
    allow_multiple_heads: Option<bool>,
    server_version: Option<String>,
    dev_url: Option<String>,
    schema_file: Option<PathBuf>,
    dump_schema: Option<bool>,
    lint: Option<LintTable>,
    targets: Option<Vec<TargetConfig>>,
}

/// One `[[targets]]` table of `sqlmig.toml`: a database (or a PostgreSQL
/// schema) that `--all-targets` migrates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TargetConfig {
    /// How the target is named in progress, summary and `--json` [default:
    /// its URL, password hidden, and schema].
    pub(crate) name: Option<String>,
    pub(crate) database_url: String,
    /// PostgreSQL: the schema of the target (its state table lives there and
    /// its connection's `search_path` starts there).
    pub(crate) schema: Option<String>,
    /// Replaces the global `init_sql` for this target.
    pub(crate) init_sql: Option<Vec<String>>,
}

/// The `[lint]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LintTable {
    deny: Option<Vec<String>>,
    allow: Option<Vec<String>>,
}

/// Everything a command needs to know, resolved.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The migrations directory.
    pub(crate) dir: PathBuf,
    /// The database URL, if one is configured anywhere.
    database_url: Option<String>,
    /// Whether `--database-url` was given on the command line.
    pub(crate) database_url_flag: bool,
    /// The URL came from a file that holds a password and that its group
    /// or others may read: said when connecting.
    url_file_warning: Option<String>,
    table: String,
    schema: Option<String>,
    init_sql: Vec<String>,
    lock_timeout: Duration,
    /// `statement_timeout`: `None` when unset or `0`.
    statement_timeout: Option<Duration>,
    /// The dialect named by `dialect` in the config or by the database URL
    /// (the two must agree).
    pub(crate) configured_dialect: Option<Dialect>,
    /// `allow_multiple_heads` from the config.
    pub(crate) allow_multiple_heads: bool,
    /// `server_version` from the config: the server offline scripts and
    /// `verify` assume.
    server_version: Option<ServerVersion>,
    /// `dev_url` from the config.
    dev_url: Option<String>,
    /// `schema_file` from the config, resolved against its directory.
    schema_file: Option<PathBuf>,
    /// `dump_schema` from the config.
    dump_schema: bool,
    /// `lint.deny` and `lint.allow` from the config.
    pub(crate) lint_deny: Vec<String>,
    pub(crate) lint_allow: Vec<String>,
    /// `--json`.
    pub(crate) json: bool,
    /// `--quiet`.
    pub(crate) quiet: bool,
    /// `[[targets]]` from the config.
    pub(crate) config_targets: Vec<TargetConfig>,
    /// The config file's path, for messages.
    pub(crate) config_path: PathBuf,
}

impl Settings {
    /// Resolves the settings from the global flags, `DATABASE_URL` and the config file.
    pub(crate) fn resolve(global: &GlobalArgs) -> anyhow::Result<Settings> {
        let (mut config, config_dir, config_path) = read_config(global.config.as_deref())?;
        let config_targets = config.targets.take().unwrap_or_default();
        let dir = match (&global.dir, &config.directory) {
            (Some(dir), _) => dir.clone(),
            (None, Some(dir)) => join_relative(&config_dir, dir),
            (None, None) => join_relative(&config_dir, Path::new(DEFAULT_DIRECTORY)),
        };
        if config.database_url.is_some() && config.database_url_file.is_some() {
            bail!(
                "{} sets both `database_url` and `database_url_file`: keep one",
                config_path.display()
            );
        }
        let mut url_file_warning = None;
        let database_url = match (&global.database_url, &global.database_url_file) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(file)) => Some(read_url_file(file, &mut url_file_warning)?),
            (None, None) => match env_var("DATABASE_URL")? {
                Some(url) => Some(url),
                None => match &config.database_url_file {
                    Some(file) => Some(read_url_file(
                        &join_relative(&config_dir, file),
                        &mut url_file_warning,
                    )?),
                    None => config
                        .database_url
                        .take()
                        .map(|url| relative_sqlite_url(&config_dir, url)),
                },
            },
        };
        let url_dialect = database_url
            .as_deref()
            .and_then(|url| DatabaseUrl::parse(url).ok())
            .map(|url| url.dialect());
        let configured_dialect = match (&config.dialect, url_dialect) {
            (Some(name), url_dialect) => {
                let dialect: Dialect = name
                    .parse()
                    .with_context(|| format!("invalid `dialect` in {DEFAULT_CONFIG}"))?;
                if let Some(url_dialect) = url_dialect.filter(|&d| d != dialect) {
                    bail!(
                        "`dialect = \"{name}\"` in {DEFAULT_CONFIG} does not match the database URL, which is {url_dialect}"
                    );
                }
                Some(dialect)
            }
            (None, url_dialect) => url_dialect,
        };
        let lock_timeout = match global
            .lock_timeout
            .as_deref()
            .or(config.lock_timeout.as_deref())
        {
            Some(text) => parse_duration(text)?,
            None => DEFAULT_LOCK_TIMEOUT,
        };
        let statement_timeout = global
            .statement_timeout
            .as_deref()
            .or(config.statement_timeout.as_deref())
            .map(parse_duration)
            .transpose()
            .context("invalid statement_timeout")?
            .filter(|limit| !limit.is_zero());
        let init_sql = if global.init_sql.is_empty() {
            config.init_sql.unwrap_or_default()
        } else {
            global.init_sql.clone()
        };
        let server_version = config
            .server_version
            .as_deref()
            .map(str::parse::<ServerVersion>)
            .transpose()
            .with_context(|| format!("invalid `server_version` in {DEFAULT_CONFIG}"))?;
        Ok(Settings {
            dir,
            database_url,
            database_url_flag: global.database_url.is_some() || global.database_url_file.is_some(),
            url_file_warning,
            table: global
                .table
                .clone()
                .or(config.table)
                .unwrap_or_else(|| DEFAULT_TABLE.to_owned()),
            schema: global.schema.clone().or(config.schema),
            init_sql,
            lock_timeout,
            statement_timeout,
            configured_dialect,
            allow_multiple_heads: config.allow_multiple_heads.unwrap_or(false),
            server_version,
            dev_url: config.dev_url,
            dump_schema: config.dump_schema.unwrap_or(false),
            schema_file: config
                .schema_file
                .as_deref()
                .map(|file| join_relative(&config_dir, file)),
            lint_deny: config
                .lint
                .as_ref()
                .and_then(|l| l.deny.clone())
                .unwrap_or_default(),
            lint_allow: config
                .lint
                .as_ref()
                .and_then(|l| l.allow.clone())
                .unwrap_or_default(),
            json: global.json,
            quiet: global.quiet,
            config_targets,
            config_path,
        })
    }

    /// The configured database URL (flag, environment or config), if any.
    pub(crate) fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
    }

    /// The state table's name.
    pub(crate) fn table(&self) -> &str {
        &self.table
    }

    /// The state table's schema (PostgreSQL), if one is configured.
    pub(crate) fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// How long to wait for another runner's lock.
    pub(crate) fn lock_timeout(&self) -> Duration {
        self.lock_timeout
    }

    /// The longest one statement may run (`None`: no limit).
    pub(crate) fn statement_timeout(&self) -> Option<Duration> {
        self.statement_timeout
    }

    /// The dialect whose lexical rules split statements: the configured one,
    /// else the default dialect's.
    pub(crate) fn dialect(&self) -> Dialect {
        self.configured_dialect.unwrap_or_default()
    }

    /// The dialect of the configured database URL, if there is one.
    pub(crate) fn url_dialect(&self) -> Option<Dialect> {
        self.database_url
            .as_deref()
            .and_then(|url| DatabaseUrl::parse(url).ok())
            .map(|url| url.dialect())
    }

    /// The server version that checks without a database assume for
    /// `dialect`: `flag` (`--server-version`), else `server_version` from the
    /// config, else the oldest version sqlmig supports.
    pub(crate) fn server_version(
        &self,
        dialect: Dialect,
        flag: Option<&str>,
    ) -> anyhow::Result<ServerVersion> {
        Ok(match flag {
            Some(text) => text.parse()?,
            None => self
                .server_version
                .unwrap_or_else(|| dialect.oldest_supported_version()),
        })
    }

    /// The dev URL for scratch databases: `flag` (`--dev-url`), else env
    /// `SQLMIG_DEV_URL`, else `dev_url` in the config.
    pub(crate) fn dev_url(&self, flag: Option<&str>) -> anyhow::Result<DatabaseUrl> {
        let Some(url) = self.dev_url_if_any(flag) else {
            bail!(
                "no dev URL: pass --dev-url, set SQLMIG_DEV_URL, or set `dev_url` in {DEFAULT_CONFIG} (a server where sqlmig may create scratch databases)"
            );
        };
        Ok(DatabaseUrl::parse(&url)?)
    }

    /// The dev URL if one is configured anywhere (see [`Settings::dev_url`]).
    pub(crate) fn dev_url_if_any(&self, flag: Option<&str>) -> Option<String> {
        flag.map(str::to_owned)
            .or_else(|| env_var("SQLMIG_DEV_URL").ok().flatten())
            .or_else(|| self.dev_url.clone())
    }

    /// Whether the live schema is written to `schema_file` after each change.
    pub(crate) fn dump_schema(&self) -> bool {
        self.dump_schema
    }

    /// `schema_file` from the config, relative to the config's directory.
    pub(crate) fn schema_file(&self) -> Option<PathBuf> {
        self.schema_file.clone()
    }

    /// The statements run on every connection first (`init_sql`).
    pub(crate) fn init_sql(&self) -> &[String] {
        &self.init_sql
    }

    /// The state table's name and schema, for a dialect.
    pub(crate) fn state_table(&self, dialect: Dialect) -> anyhow::Result<StateTable> {
        Ok(StateTable::new(
            dialect,
            self.schema.as_deref(),
            &self.table,
        )?)
    }

    /// Loads the migrations directory for the configured dialect; an empty
    /// one is an error.
    pub(crate) fn load(&self) -> anyhow::Result<Migrations> {
        self.load_for(self.dialect())
    }

    /// Loads the migrations directory, splitting statements for `dialect`.
    pub(crate) fn load_for(&self, dialect: Dialect) -> anyhow::Result<Migrations> {
        Ok(Migrations::load(&self.dir, dialect)?)
    }

    /// How sqlmig opens databases: the state table, `init_sql`, the lock timeout.
    pub(crate) fn database_options(&self, read_only: bool) -> DatabaseOptions {
        DatabaseOptions {
            table: self.table.clone(),
            schema: self.schema.clone(),
            init_sql: self.init_sql.clone(),
            lock_timeout: self.lock_timeout,
            read_only,
            statement_timeout: self.statement_timeout,
        }
    }

    /// Connects to the configured database. `read_only` opens it without
    /// creating anything (a missing SQLite file reads as empty).
    pub(crate) fn connect(&self, read_only: bool) -> anyhow::Result<Database> {
        let Some(url) = &self.database_url else {
            bail!(
                "no database URL: pass --database-url, set DATABASE_URL, or set `database_url` in {DEFAULT_CONFIG}"
            );
        };
        let database = Database::connect(url, &self.database_options(read_only))?;
        if !self.quiet {
            for warning in self.url_file_warning.iter().chain(database.warnings()) {
                eprintln!("{} {warning}", super::output::warning_label());
            }
        }
        Ok(database)
    }
}

/// An environment variable sqlmig reads (`DATABASE_URL`, `SQLMIG_*`): the
/// real environment, else `.env` in the current directory. Empty is unset.
fn env_var(key: &str) -> anyhow::Result<Option<String>> {
    if let Some(value) = std::env::var(key).ok().filter(|value| !value.is_empty()) {
        return Ok(Some(value));
    }
    Ok(dotenv()?
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.clone())
        .filter(|value| !value.is_empty()))
}

/// The `DATABASE_URL` and `SQLMIG_*` entries of `./.env`, read once (as
/// dbmate, sqlx and diesel do). Other entries are not sqlmig's and are left
/// alone. A line that does not parse is an error that never quotes it: it
/// may hold a password.
fn dotenv() -> anyhow::Result<&'static [(String, String)]> {
    static DOTENV: std::sync::OnceLock<Result<Vec<(String, String)>, String>> =
        std::sync::OnceLock::new();
    let read = DOTENV.get_or_init(|| {
        let entries = match dotenvy::from_path_iter(".env") {
            Ok(entries) => entries,
            Err(error) if error.not_found() => return Ok(Vec::new()),
            Err(_) => return Err("cannot read .env".to_owned()),
        };
        let mut found = Vec::new();
        for (number, entry) in entries.enumerate() {
            let (key, value) = entry.map_err(|_| {
                format!(
                    ".env: entry {} does not parse (KEY=value, one per line; the line is not shown, it may hold a password)",
                    number + 1
                )
            })?;
            if key == "DATABASE_URL" || key.starts_with("SQLMIG_") {
                found.push((key, value));
            }
        }
        Ok(found)
    });
    read.as_deref()
        .map_err(|message| anyhow::anyhow!("{message}"))
}

/// The database URL held in `path` (a container secret), trimmed. Neither
/// the URL nor any of the file's text ever appears in a message.
fn read_url_file(path: &Path, warning: &mut Option<String>) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the database URL file {}", path.display()))?;
    let url = text.trim();
    if url.is_empty() {
        bail!("the database URL file {} is empty", path.display());
    }
    let has_password = DatabaseUrl::parse(url).is_ok_and(|url| url.has_password());
    if has_password && readable_by_others(path) {
        *warning = Some(format!(
            "the database URL file {} holds a password and its group or others may read it (chmod 0600 it)",
            path.display()
        ));
    }
    Ok(url.to_owned())
}

/// `60s`, `500ms`, `2m`, `0`, or a plain number of seconds.
fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|value: &f64| value.is_finite() && *value >= 0.0)
        .with_context(|| {
            format!("invalid duration `{text}`: expected for example 60s, 500ms, 2m or 0")
        })?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        _ => bail!("invalid duration `{text}`: the unit must be ms, s or m"),
    };
    Ok(Duration::from_secs_f64(seconds))
}

/// Reads the config file: an explicit `--config` must exist; otherwise the
/// nearest `sqlmig.toml` (see [`find_config`]), which may be absent. Returns
/// it with the directory that relative paths inside it are resolved against,
/// and its path.
fn read_config(explicit: Option<&Path>) -> anyhow::Result<(ConfigFile, PathBuf, PathBuf)> {
    let found;
    let path = match explicit {
        Some(path) => path,
        None => match find_config()? {
            Some(path) => {
                found = path;
                &found
            }
            None => return Ok((ConfigFile::default(), PathBuf::new(), DEFAULT_CONFIG.into())),
        },
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let config = toml::from_str::<ConfigFile>(&text).map_err(|error| {
        // The error's own Display quotes the offending line, which may hold a
        // password: report the position and the message only.
        let location = error.span().map_or(String::new(), |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(":{line}:{column}")
        });
        anyhow::anyhow!(
            "{}{location}: {}",
            path.display(),
            error.message().trim_end()
        )
    })?;
    let config_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok((config, config_dir, path.to_path_buf()))
}

/// `sqlmig.toml` in the current directory or the nearest parent that has
/// one, as git and cargo find theirs: `sqlmig.toml`, `../sqlmig.toml`, ...
/// (relative, so messages show short paths).
fn find_config() -> anyhow::Result<Option<PathBuf>> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut relative = PathBuf::new();
    for directory in cwd.ancestors() {
        if directory.join(DEFAULT_CONFIG).is_file() {
            return Ok(Some(relative.join(DEFAULT_CONFIG)));
        }
        relative.push("..");
    }
    Ok(None)
}

/// A `sqlite:` URL of the config with a relative file path, made relative
/// to the config's directory (found in a parent) like the config's other
/// paths; any other URL unchanged.
fn relative_sqlite_url(config_dir: &Path, url: String) -> String {
    if config_dir.as_os_str().is_empty() {
        return url;
    }
    let Some((scheme, rest)) = ["sqlite3:", "sqlite:"]
        .iter()
        .find_map(|scheme| Some((*scheme, url.strip_prefix(scheme)?)))
    else {
        return url;
    };
    let (slashes, path) = match rest.strip_prefix("//") {
        Some(path) => ("//", path),
        None => ("", rest),
    };
    if path.is_empty() || path == ":memory:" || Path::new(path).is_absolute() {
        return url;
    }
    format!("{scheme}{slashes}{}", config_dir.join(path).display())
}

/// `base` joined with `path`, without a leading `./` when `base` is the
/// current directory, so messages show paths the way users type them.
fn join_relative(base: &Path, path: &Path) -> PathBuf {
    if base.as_os_str().is_empty() || path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// Checks a message given on the command line: one line of text.
pub(crate) fn one_line_message(message: &str) -> anyhow::Result<&str> {
    let message = message.trim();
    if message.contains(['\n', '\r']) {
        bail!("the message must be one line");
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("60s").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn statement_timeout_comes_from_the_flag_then_the_config_and_0_is_off() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("sqlmig.toml");
        std::fs::write(&config, "statement_timeout = \"30s\"\n").unwrap();
        let global = |flag: Option<&str>| {
            use clap::Parser as _;
            let mut args = vec!["sqlmig", "--config", config.to_str().unwrap()];
            if let Some(flag) = flag {
                args.extend(["--statement-timeout", flag]);
            }
            args.push("status");
            super::super::args::Cli::try_parse_from(args)
                .unwrap()
                .global
        };
        let resolved = |flag| {
            Settings::resolve(&global(flag))
                .unwrap()
                .statement_timeout()
        };
        assert_eq!(resolved(None), Some(Duration::from_secs(30)));
        assert_eq!(resolved(Some("500ms")), Some(Duration::from_millis(500)));
        assert_eq!(resolved(Some("0")), None);
        assert!(Settings::resolve(&global(Some("soon"))).is_err());
    }
}
