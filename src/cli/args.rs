//! The command line, as clap types only: no logic lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Plain-SQL migrations: a checksummed revision graph for PostgreSQL,
/// MySQL/MariaDB and SQLite.
#[derive(Debug, Parser)]
#[command(name = "sqlmig", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Migrations directory [default: `directory` in sqlmig.toml, else `migrations`]
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) dir: Option<PathBuf>,
    /// Database URL [default: env DATABASE_URL (also read from ./.env), else `database_url` in sqlmig.toml]
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) database_url: Option<String>,
    /// Read the database URL from FILE (a container secret), trimmed [default: `database_url_file` in sqlmig.toml]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        conflicts_with = "database_url"
    )]
    pub(crate) database_url_file: Option<PathBuf>,
    /// Name of the state table [default: `table` in sqlmig.toml, else sqlmig_revisions]
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) table: Option<String>,
    /// PostgreSQL schema of the state table [default: `schema` in sqlmig.toml, else public]
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) schema: Option<String>,
    /// Statement run on every connection before anything else (repeatable; replaces `init_sql` in sqlmig.toml)
    #[arg(long = "init-sql", global = true, value_name = "SQL")]
    pub(crate) init_sql: Vec<String>,
    /// How long to wait for another sqlmig's lock: 60s, 500ms, 2m, 0 [default: 60s]
    #[arg(long, global = true, value_name = "DURATION")]
    pub(crate) lock_timeout: Option<String>,
    /// Longest one statement may run, and how long to wait for a silent server: 30s, 2m, 0 (off) [default: `statement_timeout` in sqlmig.toml, else off]
    #[arg(long, global = true, value_name = "DURATION")]
    pub(crate) statement_timeout: Option<String>,
    /// Machine-readable output on stdout
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Configuration file [default: sqlmig.toml in the current directory or the nearest parent]
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
    /// Print nothing but errors and requested data
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub(crate) fleet: FleetArgs,
}

/// Running a command once per target of a fleet (many databases or schemas).
#[derive(Debug, Args)]
#[command(next_help_heading = "Fleets (upgrade, downgrade, stamp, status, current, check, emit)")]
pub(crate) struct FleetArgs {
    /// Run once per `[[targets]]` entry of sqlmig.toml
    #[arg(long, global = true)]
    pub(crate) all_targets: bool,
    /// Run once per database URL listed in FILE (one per line, `#` comments); implies --all-targets
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) targets: Option<PathBuf>,
    /// PostgreSQL: run once per schema this query returns (first column), on the database URL (after the targets of --targets or --all-targets, if given); implies --all-targets
    #[arg(long, global = true, value_name = "SQL")]
    pub(crate) schemas_query: Option<String>,
    /// Targets migrated at a time [default: the number of CPUs, at most 8]
    #[arg(long, short = 'j', global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) jobs: Option<u16>,
    /// Run the first K targets first; if any of them fails, no other target runs
    #[arg(long, global = true, value_name = "K")]
    pub(crate) canary: Option<usize>,
    /// A failed target does not stop the others
    #[arg(long, global = true)]
    pub(crate) keep_going: bool,
}

impl FleetArgs {
    /// Whether the command runs once per target.
    pub(crate) fn enabled(&self) -> bool {
        self.all_targets || self.targets.is_some() || self.schemas_query.is_some()
    }

    /// The first flag given that only a fleet run understands.
    pub(crate) fn fleet_only_flag(&self) -> Option<&'static str> {
        if self.jobs.is_some() {
            Some("--jobs")
        } else if self.canary.is_some() {
            Some("--canary")
        } else if self.keep_going {
            Some("--keep-going")
        } else {
            None
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write sqlmig.toml and an empty migrations directory
    Init(InitArgs),
    /// Write a new revision file revising the current head
    New(NewArgs),
    /// Show the heads of the revision graph
    Heads,
    /// Show the branch points of the revision graph
    Branches,
    /// Show the revision graph, newest first
    History(HistoryArgs),
    /// Show one revision
    Show(ShowArgs),
    /// Write a merge revision over the given (default: all) heads
    Merge(MergeArgs),
    /// Rewrite sqlmig.sum from the revision files
    Hash,
    /// Check files, graph, heads and sqlmig.sum (the pre-commit check); with
    /// --database-url, also the applied revisions' checksums
    Verify(VerifyArgs),
    /// Apply pending revisions up to TARGET
    Upgrade(UpgradeArgs),
    /// Revert applied revisions down to TARGET
    Downgrade(DowngradeArgs),
    /// Show the applied heads of the database
    Current,
    /// Show every revision: applied, pending or failed, and whether its checksum matches
    Status,
    /// Set the database's state to TARGET without running any SQL
    Stamp(StampArgs),
    /// Exit 0 only if the database is at head with no drift, failed or pending revisions
    Check(CheckArgs),
    /// Clear failed rows, accept changed checksums or forget missing files, each only when asked
    Repair(RepairArgs),
    /// Print one SQL script that does what `upgrade` (or `downgrade`) would do, for a DBA to review and run
    Emit(EmitArgs),
    /// Print the live database's schema as a canonical DDL script (--json: the schema model)
    Schema(SchemaArgs),
    /// Convert another tool's migrations directory into revision files; with --adopt, stamp what it applied
    Import(ImportArgs),
    /// Check revisions for statements that lock or rewrite tables in production
    Lint(LintArgs),
    /// Print the DDL that turns the schema of FROM into the schema of TO (exit 1 when they differ)
    Diff(DiffArgs),
    /// Prove on a scratch database that every down section undoes its up section (up, down, up each revision)
    Test(TestArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The schema to start from: migrations, migrations@TARGET, a .sql file or a database URL [default: migrations]
    #[arg(long, value_name = "SRC")]
    pub(crate) from: Option<String>,
    /// The schema to reach [default: `schema_file` in sqlmig.toml]
    #[arg(long, value_name = "SRC")]
    pub(crate) to: Option<String>,
    /// Print the reverse: the DDL that turns TO back into FROM
    #[arg(long, conflicts_with = "message")]
    pub(crate) down: bool,
    /// Write a new revision whose up section is the difference and whose down section is the reverse, both verified on a scratch database first
    #[arg(short, long, value_name = "MSG")]
    pub(crate) message: Option<String>,
    /// With -m on PostgreSQL: build indexes on existing tables in the main revision instead of CONCURRENTLY in one of their own
    #[arg(long, requires = "message")]
    pub(crate) no_concurrently: bool,
    /// Server where sqlmig may create scratch databases to replay SQL on [default: env SQLMIG_DEV_URL, else `dev_url` in sqlmig.toml; SQLite replays in memory]
    #[arg(long, value_name = "URL")]
    pub(crate) dev_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// The last revision to test: head, ID or prefix, LABEL@head [default: head]
    pub(crate) target: Option<String>,
    /// Fail on revisions without a `-- down` section instead of stepping over them
    #[arg(long)]
    pub(crate) strict: bool,
    /// Server where sqlmig may create scratch databases [default: env SQLMIG_DEV_URL, else `dev_url` in sqlmig.toml; SQLite replays in memory]
    #[arg(long, value_name = "URL")]
    pub(crate) dev_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Instead: exit 0 only if the migrations replayed to head give exactly the schema of FILE [default: `schema_file` in sqlmig.toml]
    #[arg(long, value_name = "FILE", num_args = 0..=1, conflicts_with = "drift")]
    pub(crate) schema_file: Option<Option<PathBuf>>,
    /// Instead: exit 0 only if the live database's schema is what its applied revisions give
    #[arg(long)]
    pub(crate) drift: bool,
    /// Server where sqlmig may create scratch databases [default: env SQLMIG_DEV_URL, else `dev_url` in sqlmig.toml; SQLite replays in memory]
    #[arg(long, value_name = "URL")]
    pub(crate) dev_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Write the script to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The tool whose migrations SRC holds
    #[arg(long, value_name = "FORMAT", value_parser = ["dbmate", "goose", "golang-migrate", "sqlx", "flyway", "diesel", "refinery"])]
    pub(crate) from: String,
    /// The tool's migrations directory
    #[arg(value_name = "SRC")]
    pub(crate) source: PathBuf,
    /// Print the files that would be written (and the revisions stamped); change nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Also record what the tool's history table says is applied as applied, without running SQL (needs a database URL)
    #[arg(long)]
    pub(crate) adopt: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Revisions to check (ids or unique prefixes) [default: all]
    pub(crate) revisions: Vec<String>,
    /// Only the revisions that descend from REV (for CI on a branch)
    #[arg(long, value_name = "REV")]
    pub(crate) since: Option<String>,
    /// Print what rule RULE finds and why; without RULE, list every rule
    #[arg(long, value_name = "RULE", num_args = 0..=1, default_missing_value = "")]
    pub(crate) explain: Option<String>,
    /// Run the revisions on a scratch database and print the locks each statement takes (PostgreSQL)
    #[arg(long)]
    pub(crate) trace: bool,
    /// Server where --trace may create scratch databases [default: env SQLMIG_DEV_URL, else `dev_url` in sqlmig.toml]
    #[arg(long, value_name = "URL")]
    pub(crate) dev_url: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct EmitArgs {
    /// Where the script takes the database: head, heads, ID or prefix, LABEL@head, base, +N/-N [default: head; required with --down]
    #[arg(allow_negative_numbers = true)]
    pub(crate) target: Option<String>,
    /// Render without a database: the database is assumed to be at --from
    #[arg(long)]
    pub(crate) offline: bool,
    /// Dialect of the script: postgres, mysql or sqlite [default: the database URL's]
    #[arg(long, value_name = "DIALECT")]
    pub(crate) dialect: Option<String>,
    /// With --offline: the revision the database is at, it and everything below it applied [default: base; required with --down]
    #[arg(long, value_name = "REV", requires = "offline")]
    pub(crate) from: Option<String>,
    /// Render the downgrade to TARGET instead of an upgrade
    #[arg(long)]
    pub(crate) down: bool,
    /// Write the script to FILE instead of stdout (with --all-targets: a directory, one script per target)
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// With --offline: the oldest server version the script will meet, which decides the statements that may run in a transaction (15, 10.11) [default: `server_version` in sqlmig.toml, else the oldest version sqlmig supports]
    #[arg(long, value_name = "VERSION", requires = "offline")]
    pub(crate) server_version: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The oldest server version the revisions will meet, which decides the statements that may run in a transaction (15, 10.11) [default: `server_version` in sqlmig.toml, else the oldest version sqlmig supports]
    #[arg(long, value_name = "VERSION")]
    pub(crate) server_version: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Print the plan and its statements; change nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Run the whole plan in one transaction (all or nothing), where the dialect allows it
    #[arg(long)]
    pub(crate) single_transaction: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    /// head, heads, ID or prefix, LABEL@head, or +N
    #[arg(default_value = "head", allow_negative_numbers = true)]
    pub(crate) target: String,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DowngradeArgs {
    /// base, ID or prefix, LABEL@head, or -N (no default: say how far)
    #[arg(allow_negative_numbers = true)]
    pub(crate) target: String,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StampArgs {
    /// head, heads, base, ID or prefix, LABEL@head, +N or -N
    #[arg(allow_negative_numbers = true)]
    pub(crate) target: String,
}

#[derive(Debug, Args)]
pub(crate) struct RepairArgs {
    /// Record the file's current checksum for this applied revision (repeatable)
    #[arg(long, value_name = "ID")]
    pub(crate) accept_checksum: Vec<String>,
    /// Remove this failed or interrupted revision's row so it runs again (repeatable)
    #[arg(long, value_name = "ID")]
    pub(crate) clear_failed: Vec<String>,
    /// Record this failed or interrupted revision as applied (repeatable)
    #[arg(long, value_name = "ID")]
    pub(crate) mark_applied: Vec<String>,
    /// Remove the row of this applied revision whose file is gone (repeatable)
    #[arg(long, value_name = "ID")]
    pub(crate) forget: Vec<String>,
    /// Finish this revision that failed part-way: check the statements that ran are unchanged, then run the rest from the failing one
    #[arg(long, value_name = "ID", conflicts_with_all = ["accept_checksum", "clear_failed", "mark_applied", "forget"])]
    pub(crate) resume: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Project directory to initialise [default: .]
    pub(crate) directory: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// One-line message describing the revision
    #[arg(short, long)]
    pub(crate) message: String,
    /// Parent revision(s) [default: the current head]
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub(crate) revises: Vec<String>,
    /// Revision(s) that must be applied first without being parents
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub(crate) depends_on: Vec<String>,
    /// Branch label for the new revision
    #[arg(long, value_name = "LABEL")]
    pub(crate) branch: Option<String>,
    /// Use this revision id instead of a generated one
    #[arg(long, value_name = "ID")]
    pub(crate) id: Option<String>,
    /// Mark the revision `transaction: false` (statements run outside a transaction)
    #[arg(long)]
    pub(crate) no_transaction: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// Range FROM:TO of revisions to show (either side may be empty)
    #[arg(short = 'r', long = "rev-range", value_name = "FROM:TO")]
    pub(crate) range: Option<String>,
    /// Show every detail of each revision
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Revision id, unique prefix, `head` or `LABEL@head`
    pub(crate) revision: String,
}

#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// One-line message describing the merge
    #[arg(short, long)]
    pub(crate) message: String,
    /// Revisions to merge [default: all heads]
    pub(crate) revisions: Vec<String>,
    /// Use this revision id instead of a generated one
    #[arg(long, value_name = "ID")]
    pub(crate) id: Option<String>,
}
