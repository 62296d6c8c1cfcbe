//! The benchmark corpus: N-revision migration directories with a realistic
//! mix of work, and the same SQL for everything `make bench` compares.
//!
//! ```text
//! corpus OUT_DIR N [N ...]
//! ```
//!
//! For each N and each dialect (`postgres`, `mysql`, `sqlite`) it writes
//! `OUT_DIR/<dialect>-<N>/`:
//!
//! - `migrations/`: N sqlmig revision files and their `sqlmig.sum`;
//! - `floor.sql`: the same statements as one plain script for the database's
//!   own client (`psql`, `mariadb`, `sqlite3`), one transaction per revision:
//!   `BEGIN;`, the statements, the insert of a row into a plain version table,
//!   `COMMIT;` (MariaDB commits each DDL statement implicitly, for every tool
//!   alike);
//! - `dbmate/`, `sqlx/`, `alembic/versions/`: the same revisions in the file
//!   formats of the peer tools (Alembic runs each statement through
//!   `op.execute`);
//! - `corpus.json`: what was written (revisions, statements, bytes).
//!
//! The mix, drawn from a fixed seed so every run writes the same files:
//! tables with keys, defaults, checks and foreign keys, indexes, added
//! columns, constraints, data inserts and updates (with quotes and `;` inside
//! strings), views, and functions with dollar-quoted bodies plus their
//! triggers on PostgreSQL (MariaDB and SQLite get a trigger with a body in a
//! `-- statement-begin` block instead; MariaDB has no `COMMENT ON` but an
//! `ALTER TABLE ... COMMENT`, and SQLite gets partial indexes where the others
//! add a check constraint). Every 250 revisions two branches fork and a merge joins
//! them, as in a team's history. The PostgreSQL corpus is a superset of the
//! lexical cases, so it is the one the load, verify and emit benchmarks read.
//!
//! After writing, the generator loads each directory with sqlmig itself and
//! checks that every revision splits into exactly the statements that the
//! floor and the peers run; a mismatch is a bug here and stops the run.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sqlmig::sum::SumFile;
use sqlmig::{Checksum, Dialect, Migrations};

/// Two branches fork and merge once in every this many revisions.
const FORK_EVERY: usize = 250;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.iter().any(|arg| arg.starts_with('-')) {
        eprintln!("usage: corpus OUT_DIR N [N ...]\n\n{}", usage());
        return ExitCode::from(2);
    }
    let out = PathBuf::from(&args[0]);
    let mut sizes = Vec::new();
    for arg in &args[1..] {
        match arg.parse::<usize>() {
            Ok(n) if n > 0 => sizes.push(n),
            _ => {
                eprintln!("corpus: `{arg}` is not a positive revision count");
                return ExitCode::from(2);
            }
        }
    }
    for &n in &sizes {
        for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            let dir = out.join(format!("{}-{n}", dialect.name()));
            if let Err(error) = write_corpus(&dir, n, dialect) {
                eprintln!("corpus: {}: {error}", dir.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn usage() -> &'static str {
    "Writes OUT_DIR/<dialect>-<N>/ for dialects postgres, mysql and sqlite: migrations/ \
     (sqlmig revisions and sqlmig.sum), floor.sql, dbmate/, sqlx/, alembic/versions/ \
     and corpus.json."
}

/// One statement of a section.
struct Stmt {
    /// A comment line written above it in the files (not part of the statement).
    comment: Option<String>,
    /// The statement, without its final `;`.
    sql: String,
    /// Written between `-- statement-begin` / `-- statement-end` (it holds `;`).
    block: bool,
}

impl Stmt {
    fn new(sql: impl Into<String>) -> Self {
        Stmt {
            comment: None,
            sql: sql.into(),
            block: false,
        }
    }

    fn commented(comment: impl Into<String>, sql: impl Into<String>) -> Self {
        Stmt {
            comment: Some(comment.into()),
            ..Stmt::new(sql)
        }
    }
}

/// One revision of the model.
struct Rev {
    /// The numeric file-name prefix (dbmate and sqlx need a number).
    version: u64,
    slug: String,
    id: String,
    parents: Vec<String>,
    message: String,
    up: Vec<Stmt>,
    down: Vec<Stmt>,
}

impl Rev {
    fn file_name(&self) -> String {
        format!("{}_{}.sql", self.version, self.slug)
    }
}

/// A table the corpus created, and what later revisions may do with it.
struct Table {
    name: String,
    /// The table its foreign key references, if any.
    reference: Option<String>,
    next_row: u64,
    added_columns: u32,
}

/// SplitMix64: small, deterministic, good enough to vary the mix.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

const NOUNS: [&str; 16] = [
    "account",
    "invoice",
    "customer",
    "order",
    "shipment",
    "product",
    "payment",
    "ticket",
    "review",
    "address",
    "coupon",
    "refund",
    "session",
    "report",
    "supplier",
    "warehouse",
];

#[derive(Clone, Copy)]
enum Kind {
    CreateTable,
    AddColumn,
    Constraint,
    Data,
    Function,
    View,
}

/// The share of each kind of revision, in percent.
const MIX: [(Kind, usize); 6] = [
    (Kind::CreateTable, 28),
    (Kind::AddColumn, 20),
    (Kind::Constraint, 12),
    (Kind::Data, 25),
    (Kind::Function, 10),
    (Kind::View, 5),
];

struct Generator {
    dialect: Dialect,
    rng: Rng,
    tables: Vec<Table>,
    /// Counter for unique object names.
    serial: u64,
}

impl Generator {
    fn new(dialect: Dialect) -> Self {
        Generator {
            dialect,
            rng: Rng(0x5EED_5E1F_BE4C_0001),
            tables: Vec::new(),
            serial: 0,
        }
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// `DROP INDEX` as the dialect writes it (MySQL names the table).
    fn drop_index(&self, index: &str, table: &str) -> String {
        match self.dialect {
            Dialect::Mysql => format!("DROP INDEX {index} ON {table}"),
            _ => format!("DROP INDEX {index}"),
        }
    }

    fn pick_kind(&mut self) -> Kind {
        if self.tables.len() < 3 {
            return Kind::CreateTable;
        }
        let mut roll = self.rng.below(100);
        for (kind, share) in MIX {
            if roll < share {
                return kind;
            }
            roll -= share;
        }
        Kind::Data
    }

    /// An existing table among the first `limit` (branches only touch tables
    /// older than their fork, so either branch may run first).
    fn pick_table(&mut self, limit: usize) -> usize {
        self.rng.below(limit.min(self.tables.len()))
    }

    fn pick_name(&mut self, limit: usize) -> String {
        let index = self.pick_table(limit);
        self.tables[index].name.clone()
    }

    /// The up and down statements and the message of one revision.
    fn revision(&mut self, kind: Kind, limit: usize) -> (String, String, Vec<Stmt>, Vec<Stmt>) {
        match kind {
            Kind::CreateTable => self.create_table(limit),
            Kind::AddColumn => self.add_column(limit),
            Kind::Constraint => self.constraint(limit),
            Kind::Data => self.data(limit),
            Kind::Function => self.function(limit),
            Kind::View => self.view(limit),
        }
    }

    fn create_table(&mut self, limit: usize) -> (String, String, Vec<Stmt>, Vec<Stmt>) {
        let serial = self.next_serial();
        let name = format!("{}_{serial}", NOUNS[self.rng.below(NOUNS.len())]);
        let reference =
            (!self.tables.is_empty() && self.rng.below(10) < 7).then(|| self.pick_name(limit));
        let mut columns = vec![String::from("    id BIGINT PRIMARY KEY")];
        if let Some(reference) = &reference {
            columns.push(format!(
                "    {reference}_id BIGINT REFERENCES {reference} (id)"
            ));
        }
        columns.extend(
            [
                "    name VARCHAR(200) NOT NULL",
                "    status VARCHAR(20) NOT NULL DEFAULT 'new'\n        CHECK (status IN ('new', 'active', 'archived'))",
                "    amount NUMERIC(12, 2) NOT NULL DEFAULT 0",
                "    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
                "    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
            ]
            .map(String::from),
        );
        let mut up = vec![Stmt::commented(
            format!("One row per {}.", name.replace('_', " #")),
            format!("CREATE TABLE {name} (\n{}\n)", columns.join(",\n")),
        )];
        up.push(Stmt::new(format!(
            "CREATE INDEX {name}_name_idx ON {name} (name)"
        )));
        if let Some(reference) = &reference {
            up.push(Stmt::commented(
                "Foreign keys are not indexed by default.",
                format!("CREATE INDEX {name}_{reference}_id_idx ON {name} ({reference}_id)"),
            ));
        }
        match self.dialect {
            Dialect::Postgres => up.push(Stmt::new(format!(
                "COMMENT ON TABLE {name} IS 'Created by the benchmark corpus; see {name}_name_idx'"
            ))),
            Dialect::Mysql => up.push(Stmt::new(format!(
                "ALTER TABLE {name} COMMENT = 'Created by the benchmark corpus; see {name}_name_idx'"
            ))),
            _ => {}
        }
        let down = vec![Stmt::new(format!("DROP TABLE {name}"))];
        self.tables.push(Table {
            name: name.clone(),
            reference,
            next_row: 1,
            added_columns: 0,
        });
        (
            format!("create table {name}"),
            format!("create_{name}"),
            up,
            down,
        )
    }

    fn add_column(&mut self, limit: usize) -> (String, String, Vec<Stmt>, Vec<Stmt>) {
        let index = self.pick_table(limit);
        let table = &mut self.tables[index];
        table.added_columns += 1;
        let name = table.name.clone();
        let column = format!("extra_{}", table.added_columns);
        let (definition, indexed) = match self.rng.below(4) {
            0 => ("VARCHAR(100)", true),
            1 => ("INTEGER NOT NULL DEFAULT 0", true),
            2 => ("BOOLEAN NOT NULL DEFAULT FALSE", false),
            _ => ("TIMESTAMP", true),
        };
        let mut up = vec![Stmt::new(format!(
            "ALTER TABLE {name} ADD COLUMN {column} {definition}"
        ))];
        let mut down = Vec::new();
        if indexed {
            up.push(Stmt::new(format!(
                "CREATE INDEX {name}_{column}_idx ON {name} ({column})"
            )));
            down.push(Stmt::new(self.drop_index(&format!("{name}_{column}_idx"), &name)));
        }
        down.push(Stmt::new(format!(
            "ALTER TABLE {name} DROP COLUMN {column}"
        )));
        (
            format!("add {column} to {name}"),
            format!("add_{column}_to_{name}"),
            up,
            down,
        )
    }

    fn constraint(&mut self, limit: usize) -> (String, String, Vec<Stmt>, Vec<Stmt>) {
        let serial = self.next_serial();
        let name = self.pick_name(limit);
        let unique = format!("{name}_name_status_{serial}_key");
        let mut up = Vec::new();
        let mut down = Vec::new();
        match self.dialect {
            Dialect::Postgres | Dialect::Mysql => {
                let check = format!("{name}_amount_{serial}_check");
                up.push(Stmt::new(format!(
                    "ALTER TABLE {name} ADD CONSTRAINT {check} CHECK (amount >= 0)"
                )));
                down.push(Stmt::new(format!(
                    "ALTER TABLE {name} DROP CONSTRAINT {check}"
                )));
            }
            // SQLite cannot add a constraint to a table: a partial index is
            // what an SQLite project writes here.
            _ => {
                let partial = format!("{name}_active_{serial}_idx");
                up.push(Stmt::new(format!(
                    "CREATE INDEX {partial} ON {name} (amount) WHERE status = 'active'"
                )));
                down.push(Stmt::new(self.drop_index(&partial, &name)));
            }
        }
        up.push(Stmt::commented(
            "Names are unique per status.",
            format!("CREATE UNIQUE INDEX {unique} ON {name} (name, status)"),
        ));
        down.insert(0, Stmt::new(self.drop_index(&unique, &name)));
        (
            format!("constrain {name}"),
            format!("constrain_{name}"),
            up,
            down,
        )
    }

    fn data(&mut self, limit: usize) -> (String, String, Vec<Stmt>, Vec<Stmt>) {
        let index = self.pick_table(limit);
        let rows = 3 + self.rng.below(3);
        let amounts: Vec<usize> = (0..rows).map(|_| self.rng.below(4) * 1250).collect();
        let table = &mut self.tables[index];
        let name = table.name.clone();
        let first = table.next_row;
        table.next_row += rows as u64;
        let values: Vec<String> = amounts
            .iter()
            .enumerate()
            .map(|(offset, &cents)| {
                let id = first + offset as u64;
                let label = if offset == 1 {
                    format!("It''s {name} #{id}; with a quote")
                } else {
                    format!("{name} #{id}")
                };
                let status = if offset % 2 == 0 { "new" } else { "active" };
                format!(
                    "    ({id}, '{label}', '{status}', {}.{:02})",
                    cents / 100,
                    cents % 100
                )
            })
            .collect();
        let ids: Vec<String> = (first..first + rows as u64)
            .map(|id| id.to_string())
            .collect();
        let up = vec![
            Stmt::commented(
                "Seed rows the application expects.",
                format!(
                    "INSERT INTO {name} (id, name, status, amount) VALUES\n{}",
                    values.join(",\n")
                ),
            ),
            Stmt::new(format!(
                "UPDATE {name} SET status = 'archived', updated_at = CURRENT_TIMESTAMP\n    WHERE amount = 0 AND status = 'new'"
            )),
        ];
        let down = vec![Stmt::new(format!(
            "DELETE FROM {name} WHERE id IN ({})",
            ids.join(", ")
        ))];
        (
            format!("seed {name} rows {first}+"),
            format!("seed_{name}"),
            up,
            down,
        )
    }

    fn function(&mut self, limit: usize) -> (String, String, Vec<Stmt>, Vec<Stmt>) {
        let serial = self.next_serial();
        let name = self.pick_name(limit);
        let trigger = format!("{name}_touch_{serial}");
        let (up, down) = match self.dialect {
            Dialect::Postgres => {
                let function = format!("{name}_touch_{serial}");
                (
                    vec![
                        Stmt::commented(
                            "Keep updated_at current on every update.",
                            format!(
                                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger\n\
                                 LANGUAGE plpgsql AS $body$\n\
                                 BEGIN\n    \
                                     -- a ';' in here does not end the statement\n    \
                                     IF NEW.status <> OLD.status THEN\n        \
                                         NEW.updated_at := CURRENT_TIMESTAMP;\n    \
                                     END IF;\n    \
                                     RETURN NEW;\n\
                                 END;\n\
                                 $body$"
                            ),
                        ),
                        Stmt::new(format!(
                            "CREATE TRIGGER {trigger} BEFORE UPDATE ON {name}\n    \
                             FOR EACH ROW EXECUTE FUNCTION {function}()"
                        )),
                    ],
                    vec![
                        Stmt::new(format!("DROP TRIGGER {trigger} ON {name}")),
                        Stmt::new(format!("DROP FUNCTION {function}()")),
                    ],
                )
            }
            // A MariaDB trigger cannot update its own table: it sets the
            // new row's column before the update, as PostgreSQL's function does.
            Dialect::Mysql => (
                vec![Stmt {
                    comment: Some(String::from("Keep updated_at current on status changes.")),
                    sql: format!(
                        "CREATE TRIGGER {trigger} BEFORE UPDATE ON {name}\n\
                         FOR EACH ROW\n\
                         BEGIN\n    \
                             IF NEW.status <> OLD.status THEN\n        \
                                 SET NEW.updated_at = CURRENT_TIMESTAMP;\n    \
                             END IF;\n\
                         END"
                    ),
                    block: true,
                }],
                vec![Stmt::new(format!("DROP TRIGGER {trigger}"))],
            ),
            _ => (
                vec![Stmt {
                    comment: Some(String::from("Keep updated_at current on status changes.")),
                    sql: format!(
                        "CREATE TRIGGER {trigger} AFTER UPDATE OF status ON {name}\n\
                         FOR EACH ROW\n\
                         BEGIN\n    \
                             UPDATE {name} SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;\n\
                         END"
                    ),
                    block: true,
                }],
                vec![Stmt::new(format!("DROP TRIGGER {trigger}"))],
            ),
        };
        (
            format!("touch trigger on {name}"),
            format!("touch_{name}"),
            up,
            down,
        )
    }

    fn view(&mut self, limit: usize) -> (String, String, Vec<Stmt>, Vec<Stmt>) {
        let serial = self.next_serial();
        let index = self.pick_table(limit);
        let table = &self.tables[index];
        let name = table.name.clone();
        let view = format!("{name}_active_{serial}");
        let up = match &table.reference {
            Some(reference) => Stmt::new(format!(
                "CREATE VIEW {view} AS\n    SELECT t.id, t.name, t.amount, r.name AS {reference}_name\n    \
                 FROM {name} t LEFT JOIN {reference} r ON r.id = t.{reference}_id\n    \
                 WHERE t.status = 'active'"
            )),
            None => Stmt::new(format!(
                "CREATE VIEW {view} AS\n    SELECT id, name, amount FROM {name} WHERE status = 'active'"
            )),
        };
        (
            format!("view of active {name}"),
            format!("view_{view}"),
            vec![up],
            vec![Stmt::new(format!("DROP VIEW {view}"))],
        )
    }
}

/// The revision id of revision `index`: 12 hex digits, as `sqlmig new` writes.
fn revision_id(index: usize) -> String {
    Checksum::of_bytes(format!("sqlmig-bench {index}").as_bytes()).to_hex()[..12].to_owned()
}

/// The model of an `n`-revision corpus for `dialect`.
fn model(n: usize, dialect: Dialect) -> Vec<Rev> {
    let mut generator = Generator::new(dialect);
    let mut revisions = Vec::with_capacity(n);
    let mut fork_tables = 0;
    for index in 0..n {
        let phase = index % FORK_EVERY;
        let forking = index >= FORK_EVERY - 3 && phase >= FORK_EVERY - 3;
        let version = 20_200_101_000_000 + index as u64 * 100;
        let id = revision_id(index);
        let (parents, message, slug, up, down) = if forking && phase == FORK_EVERY - 1 {
            // The merge of the two branches: no SQL of its own.
            (
                vec![revision_id(index - 2), revision_id(index - 1)],
                String::from("merge branches"),
                String::from("merge_branches"),
                Vec::new(),
                Vec::new(),
            )
        } else {
            if phase == FORK_EVERY - 3 {
                fork_tables = generator.tables.len();
            }
            let limit = if forking { fork_tables } else { usize::MAX };
            let kind = generator.pick_kind();
            let (message, slug, up, down) = generator.revision(kind, limit);
            let parents = match (index, forking && phase == FORK_EVERY - 2) {
                (0, _) => Vec::new(),
                (_, true) => vec![revision_id(index - 2)],
                _ => vec![revision_id(index - 1)],
            };
            (parents, message, slug, up, down)
        };
        revisions.push(Rev {
            version,
            slug,
            id,
            parents,
            message,
            up,
            down,
        });
    }
    revisions
}

/// A section as written in a file: statements, each after its comment.
fn section_text(statements: &[Stmt]) -> String {
    let mut text = String::new();
    for (position, statement) in statements.iter().enumerate() {
        if position > 0 {
            text.push('\n');
        }
        if let Some(comment) = &statement.comment {
            let _ = writeln!(text, "-- {comment}");
        }
        if statement.block {
            let _ = writeln!(
                text,
                "-- statement-begin\n{};\n-- statement-end",
                statement.sql
            );
        } else {
            let _ = writeln!(text, "{};", statement.sql);
        }
    }
    text
}

fn sqlmig_file(rev: &Rev) -> String {
    let mut text = format!("-- revision: {}\n", rev.id);
    if !rev.parents.is_empty() {
        let _ = writeln!(text, "-- revises: {}", rev.parents.join(", "));
    }
    let _ = write!(
        text,
        "-- message: {}\n\n-- up\n{}\n-- down\n{}",
        rev.message,
        section_text(&rev.up),
        section_text(&rev.down)
    );
    text
}

fn dbmate_file(rev: &Rev) -> String {
    format!(
        "-- migrate:up\n{}\n-- migrate:down\n{}",
        section_text(&rev.up),
        section_text(&rev.down)
    )
}

/// A revision's up section as a sqlx migration. sqlx sends a migration as
/// one query, and MariaDB refuses an empty one (error 1065, "Query was
/// empty"): a merge, with no SQL of its own, runs a no-op `DO 0` there.
fn sqlx_file(rev: &Rev, dialect: Dialect) -> String {
    if rev.up.is_empty() && dialect == Dialect::Mysql {
        return String::from("-- A merge: no SQL of its own (MariaDB refuses an empty query).\nDO 0;\n");
    }
    section_text(&rev.up)
}

/// A Python string literal for `text`.
fn python_literal(text: &str) -> String {
    let mut literal = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => literal.push_str("\\\\"),
            '"' => literal.push_str("\\\""),
            '\n' => literal.push_str("\\n"),
            c => literal.push(c),
        }
    }
    literal.push('"');
    literal
}

fn alembic_file(rev: &Rev) -> String {
    let down_revision = match rev.parents.as_slice() {
        [] => String::from("None"),
        [parent] => format!("\"{parent}\""),
        parents => format!(
            "({})",
            parents
                .iter()
                .map(|parent| format!("\"{parent}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let body = |statements: &[Stmt]| {
        if statements.is_empty() {
            return String::from("    pass\n");
        }
        statements
            .iter()
            .map(|statement| format!("    op.execute({})\n", python_literal(&statement.sql)))
            .collect()
    };
    format!(
        "\"\"\"{}\"\"\"\nfrom alembic import op\n\nrevision = \"{}\"\ndown_revision = {down_revision}\n\
         branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n{}\n\ndef downgrade():\n{}",
        rev.message,
        rev.id,
        body(&rev.up),
        body(&rev.down)
    )
}

fn write_corpus(dir: &Path, n: usize, dialect: Dialect) -> Result<(), String> {
    let revisions = model(n, dialect);
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|error| format!("cannot clear it: {error}"))?;
    }
    let migrations = dir.join("migrations");
    let dbmate = dir.join("dbmate");
    let sqlx = dir.join("sqlx");
    let alembic = dir.join("alembic").join("versions");
    for folder in [&migrations, &dbmate, &sqlx, &alembic] {
        fs::create_dir_all(folder).map_err(|error| format!("cannot create it: {error}"))?;
    }
    let write = |path: PathBuf, text: &str| {
        fs::write(&path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
    };
    let mut bytes = 0;
    for rev in &revisions {
        let text = sqlmig_file(rev);
        bytes += text.len();
        write(migrations.join(rev.file_name()), &text)?;
        write(dbmate.join(rev.file_name()), &dbmate_file(rev))?;
        write(sqlx.join(rev.file_name()), &sqlx_file(rev, dialect))?;
        write(
            alembic.join(format!("{}_{}.py", rev.version, rev.slug)),
            &alembic_file(rev),
        )?;
    }

    // sqlmig reads the directory back: the statements it splits must be the
    // ones the floor and the peers run, and its graph gives the floor's order.
    let loaded = Migrations::load(&migrations, dialect).map_err(|error| error.to_string())?;
    let graph = loaded.graph();
    let by_id: HashMap<&str, &Rev> = revisions.iter().map(|rev| (rev.id.as_str(), rev)).collect();
    for revision in graph.revisions() {
        let model = by_id[revision.id.as_str()];
        let split: Vec<&str> = revision
            .up
            .statements
            .iter()
            .map(|s| s.sql.as_str())
            .collect();
        let written: Vec<&str> = model.up.iter().map(|s| s.sql.as_str()).collect();
        if split != written {
            return Err(format!(
                "revision {} splits into {split:#?}, not the statements written: {written:#?}",
                revision.id
            ));
        }
    }
    SumFile::from_revisions(graph.revisions())
        .write(&migrations)
        .map_err(|error| error.to_string())?;

    let mut floor = String::from(
        "-- The floor: the corpus's statements, one transaction per revision, each\n\
         -- recording its id in a plain version table.\n\
         CREATE TABLE bench_versions (\n    version VARCHAR(64) PRIMARY KEY,\n    \
         applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n",
    );
    let mut statements = 0;
    for &index in graph.order() {
        let rev = by_id[graph.revision(index).id.as_str()];
        floor.push_str("\nBEGIN;\n");
        for statement in &rev.up {
            if statement.block && dialect == Dialect::Mysql {
                // The mariadb client ends a statement at `;` unless told
                // another delimiter.
                let _ = writeln!(floor, "DELIMITER //\n{}//\nDELIMITER ;", statement.sql);
            } else {
                let _ = writeln!(floor, "{};", statement.sql);
            }
        }
        statements += rev.up.len();
        let _ = writeln!(
            floor,
            "INSERT INTO bench_versions (version) VALUES ('{}');\nCOMMIT;",
            rev.id
        );
    }
    write(dir.join("floor.sql"), &floor)?;
    write(
        dir.join("corpus.json"),
        &format!(
            "{{\"dialect\": \"{}\", \"revisions\": {n}, \"statements\": {statements}, \"bytes\": {bytes}, \"merges\": {}}}\n",
            dialect.name(),
            revisions.iter().filter(|rev| rev.parents.len() > 1).count()
        ),
    )?;
    Ok(())
}
