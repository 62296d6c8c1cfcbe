//! The rule registry: every rule's fixed id, the dialects it applies to, its
//! default severity, the safe pattern to use instead and the explanation
//! `sqlmig lint --explain` prints.

use super::finding::Severity;

/// One lint rule.
#[derive(Debug)]
pub struct Rule {
    /// The fixed id (`create-index-blocking`).
    pub id: &'static str,
    /// The dialects it applies to, by canonical name.
    pub dialects: &'static [&'static str],
    /// Its severity unless `lint.deny` raises it or `lint.allow` turns it off.
    pub severity: Severity,
    /// What it finds, in one line.
    pub finds: &'static str,
    /// The safe pattern, printed under each finding.
    pub help: &'static str,
    /// What happens in production and why, for `--explain`.
    pub explanation: &'static str,
}

const ALL: &[&str] = &["postgres", "mysql", "sqlite"];
const PG: &[&str] = &["postgres"];

/// Every rule, in the order the table in README.md lists them.
pub static RULES: &[Rule] = &[
    Rule {
        id: "create-index-blocking",
        dialects: PG,
        severity: Severity::Error,
        finds: "CREATE INDEX without CONCURRENTLY on a table that the same revision did not create",
        help: "build it with CREATE INDEX CONCURRENTLY in a revision of its own marked `-- transaction: false` (if the build fails, DROP INDEX CONCURRENTLY the invalid index and retry)",
        explanation: "CREATE INDEX takes a SHARE lock on the table for the whole build. Reads go on, but every INSERT, UPDATE and DELETE waits until the index is built, and the build reads the whole table, so the outage grows with the table: minutes on a large one. CREATE INDEX CONCURRENTLY takes only a SHARE UPDATE EXCLUSIVE lock, which lets writes through; it scans the table twice and waits for running transactions, and it cannot run inside a transaction block, so it needs a revision with `-- transaction: false`. An index on a table created in the same revision is fine: nobody else can see that table yet.",
    },
    Rule {
        id: "add-column-rewrite",
        dialects: &["postgres", "mysql"],
        severity: Severity::Error,
        finds: "a column added with a volatile default, or as a stored generated column: the table is rewritten under an exclusive lock",
        help: "add the column without a default (or with a constant one), set the default for new rows with ALTER COLUMN ... SET DEFAULT, backfill existing rows in batches, then add NOT NULL the safe way",
        explanation: "Adding a column whose value must be computed for every existing row rewrites the whole table. On PostgreSQL the ALTER TABLE holds an ACCESS EXCLUSIVE lock while it copies every row: nothing can read or write the table, for as long as the copy takes, which grows with the table. That happens for a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()), for serial and identity columns, and for stored generated columns. A constant default (or now()) is only written to the catalog since PostgreSQL 11 and is instant. On MySQL and MariaDB, stored generated columns, expression defaults and AUTO_INCREMENT columns cannot be added INSTANT or in place: the table is copied, and writes are blocked for the copy.",
    },
    Rule {
        id: "alter-column-type",
        dialects: &["postgres", "mysql"],
        severity: Severity::Error,
        finds: "a column type change that rewrites the table",
        help: "add a new column of the new type, write to both from the application, backfill in batches, switch reads, then drop the old column; only binary-compatible changes (varchar(n) to a longer varchar or to text) are safe in place",
        explanation: "Changing a column's type rewrites the table and every index on it, unless the new type is binary-compatible with the old one (on PostgreSQL varchar(n) to varchar(m > n) or to text). On PostgreSQL the rewrite holds an ACCESS EXCLUSIVE lock: no reads and no writes for the whole copy, which grows with the table. On MySQL and MariaDB MODIFY and CHANGE with a new type copy the table (ALGORITHM=COPY) and block writes for the copy. `sqlmig lint --trace` shows whether the table's file node changed, that is, whether it was rewritten.",
    },
    Rule {
        id: "set-not-null-scan",
        dialects: PG,
        severity: Severity::Error,
        finds: "SET NOT NULL without a validated CHECK (col IS NOT NULL) first",
        help: "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; then in a later revision VALIDATE CONSTRAINT c; then SET NOT NULL (PostgreSQL 12+ skips the scan) and DROP CONSTRAINT c",
        explanation: "ALTER COLUMN ... SET NOT NULL takes an ACCESS EXCLUSIVE lock and scans the whole table to prove there is no NULL: no reads or writes for as long as the scan takes, which grows with the table. Since PostgreSQL 12 the scan is skipped when a valid CHECK (col IS NOT NULL) constraint already proves it. Add that constraint NOT VALID (instant), validate it separately (VALIDATE CONSTRAINT scans under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes through), then SET NOT NULL is only a catalog change.",
    },
    Rule {
        id: "constraint-not-valid",
        dialects: PG,
        severity: Severity::Error,
        finds: "a foreign key or check constraint added to an existing table without NOT VALID",
        help: "ADD CONSTRAINT ... NOT VALID (instant, enforced for new rows); then, in a later revision, VALIDATE CONSTRAINT ... (scans without blocking writes)",
        explanation: "Adding a CHECK constraint scans the whole table under an ACCESS EXCLUSIVE lock (no reads, no writes); adding a FOREIGN KEY scans it under a SHARE ROW EXCLUSIVE lock on both tables (no writes to either). Both last as long as the scan, which grows with the table. With NOT VALID the constraint is added at once and enforced for new and changed rows only; VALIDATE CONSTRAINT later checks the old rows under a SHARE UPDATE EXCLUSIVE lock, which lets reads and writes through. The three steps: ADD ... NOT VALID; VALIDATE CONSTRAINT in its own revision; done.",
    },
    Rule {
        id: "unique-without-index",
        dialects: PG,
        severity: Severity::Error,
        finds: "a unique or primary key constraint added to an existing table without USING INDEX",
        help: "CREATE UNIQUE INDEX CONCURRENTLY i ON t (cols) in a `-- transaction: false` revision, then ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX i (or PRIMARY KEY USING INDEX i)",
        explanation: "ADD CONSTRAINT ... UNIQUE or PRIMARY KEY builds a unique index while holding an ACCESS EXCLUSIVE lock on the table: no reads and no writes for the whole build, which grows with the table. Build the unique index first with CREATE UNIQUE INDEX CONCURRENTLY (writes go on), then attach it with ADD CONSTRAINT ... USING INDEX, which only changes the catalog. For a primary key, the columns must already be NOT NULL, or the attach scans the table.",
    },
    Rule {
        id: "drop-data",
        dialects: ALL,
        severity: Severity::Warning,
        finds: "DROP TABLE, DROP COLUMN, TRUNCATE, DELETE without WHERE",
        help: "make sure no deployed code still reads it and that a backup exists; stop using it in the application first, drop it in a later release, and silence this finding with `-- sqlmig:allow drop-data because <reason>`",
        explanation: "The statement destroys data that no down section can bring back. On PostgreSQL, DROP and TRUNCATE also take an ACCESS EXCLUSIVE lock. During a rolling deploy the old version of the application is still running and may still read the table or column: it fails until the deploy completes. Drop only what the running code no longer uses, in a release after the one that stopped using it.",
    },
    Rule {
        id: "rename-breaks-clients",
        dialects: ALL,
        severity: Severity::Warning,
        finds: "renaming a table or column that older application code still uses",
        help: "expand and contract: add the new column (or a view under the new table name), write to both, move readers, then drop the old name in a later release",
        explanation: "A rename is instant for the database, but every query of the application version still running during the deploy uses the old name and fails at once. Renames need the expand-and-contract sequence: add the new name beside the old one, deploy code that uses the new name, then remove the old name in a later revision.",
    },
    Rule {
        id: "missing-lock-timeout",
        dialects: PG,
        severity: Severity::Error,
        finds: "a revision that takes an ACCESS EXCLUSIVE lock on an existing table without setting lock_timeout first",
        help: "start the revision with SET LOCAL lock_timeout = '5s' (or put SET lock_timeout = '5s' in init_sql) and retry the migration when it times out",
        explanation: "An ACCESS EXCLUSIVE lock waits behind every running query on the table, even a long SELECT, and while it waits every new query on the table queues behind it. A statement that itself takes milliseconds then blocks all traffic to the table for as long as the longest running transaction. lock_timeout makes the statement give up after a few seconds instead; the migration fails cleanly and can be retried. Set it earlier in the same revision (SET LOCAL lock_timeout) or in init_sql.",
    },
    Rule {
        id: "mixed-ddl-dml",
        dialects: &["mysql"],
        severity: Severity::Warning,
        finds: "DDL and DML in one revision (MySQL commits DDL implicitly, so it cannot be atomic)",
        help: "put schema changes and data changes in separate revisions, so a failure leaves a revision either done or not started",
        explanation: "MySQL and MariaDB commit implicitly before and after every DDL statement, so a revision that mixes DDL with INSERT, UPDATE or DELETE cannot run in one transaction. If it fails part-way, the database is left half-migrated and sqlmig records the revision as failed until someone repairs it by hand. Separate revisions fail and retry cleanly.",
    },
    Rule {
        id: "sqlite-unsupported-alter",
        dialects: &["sqlite"],
        severity: Severity::Error,
        finds: "ALTER TABLE forms SQLite does not support (it fails at run time)",
        help: "rebuild the table: CREATE TABLE new_t (...); INSERT INTO new_t SELECT ... FROM t; DROP TABLE t; ALTER TABLE new_t RENAME TO t; recreate its indexes and triggers; PRAGMA foreign_key_check",
        explanation: "SQLite's ALTER TABLE supports RENAME TO, RENAME COLUMN, ADD COLUMN and DROP COLUMN, and ADD COLUMN only for a column that is not PRIMARY KEY or UNIQUE, has a constant default, has a default when it is NOT NULL, and is not a STORED generated column. Anything else (changing a column's type, nullability or default, adding or dropping a constraint) fails when the revision runs, on older sqlite3 binaries at least. The documented way is to rebuild the table.",
    },
    Rule {
        id: "pragma-in-transaction",
        dialects: &["sqlite"],
        severity: Severity::Error,
        finds: "PRAGMA foreign_keys inside a transactional revision (SQLite ignores it there)",
        help: "put the PRAGMA in a revision marked `-- transaction: false`, or in init_sql",
        explanation: "SQLite ignores PRAGMA foreign_keys inside a transaction: the statement succeeds and does nothing. A revision that turns foreign keys off around a table rebuild therefore runs with them on, and cascades or fails; one that turns them on leaves them off. Run it outside a transaction (`-- transaction: false`) or on every connection through init_sql.",
    },
    Rule {
        id: "concurrently-in-transaction",
        dialects: PG,
        severity: Severity::Error,
        finds: "CONCURRENTLY in a revision without `transaction: false`",
        help: "move the statement into a revision of its own with `-- transaction: false` in its header",
        explanation: "CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY cannot run inside a transaction block: PostgreSQL refuses them, and the revision fails when it runs. sqlmig runs a revision in a transaction unless its header says `-- transaction: false`; such a revision runs its statements one by one, so keep it to the concurrent statement alone.",
    },
    Rule {
        id: "empty-down",
        dialects: ALL,
        severity: Severity::Warning,
        finds: "an empty `-- down` under a non-empty `-- up`",
        help: "write the statements that undo the up section, or say on purpose that there is nothing to undo with a down section holding only the comment `-- nothing to undo`",
        explanation: "An empty down section makes a downgrade through the revision succeed while undoing nothing, so the schema and the state table disagree afterwards. Either undo the up section, remove the `-- down` marker to make the revision irreversible (a downgrade then stops with a clear error), or write `-- nothing to undo` under `-- down` when nothing really needs undoing.",
    },
    Rule {
        id: "not-analysed",
        dialects: ALL,
        severity: Severity::Warning,
        finds: "a statement that neither the SQL parser nor its leading words classify",
        help: "review the statement by hand; if it is safe, silence this finding with `-- sqlmig:allow not-analysed because <reason>`",
        explanation: "sqlmig classifies each statement with a SQL parser for the dialect and, when that fails, by its leading words. A statement that neither recognises could take any lock, so it is reported rather than passed silently.",
    },
    Rule {
        id: "invalid-allow",
        dialects: ALL,
        severity: Severity::Error,
        finds: "a `-- sqlmig:allow` comment without a reason or with an unknown rule id",
        help: "write `-- sqlmig:allow rule-id[, rule-id] because <reason>` on the line right above the statement",
        explanation: "An allow comment silences rules for the statement right below it, and must say why, so that a reviewer can judge the exception: `-- sqlmig:allow create-index-blocking because the table has 12 rows`. A comment without `because <reason>` or naming a rule that does not exist silences nothing and is itself an error.",
    },
];

/// The rule with id `id`.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id == id)
}
