-- sqlmig [VERSION]: offline upgrade script
-- dialect:   sqlite
-- server:    SQLite 3.35 or later
-- from:      base
-- to:        c_merge
-- revisions: 3
-- plan:      1c0688e806b64e99731f0fcc13edeb673c07a358e172f895733031577c094e20
--
-- Run with: sqlite3 -bail DATABASE < script.sql (the script also turns on
-- .bail itself). Each revision checks that the database holds what it needs
-- and stops the script otherwise: run twice, it changes nothing.

.bail on

-- The state table, as `sqlmig upgrade` creates it.
CREATE TABLE IF NOT EXISTS "sqlmig_revisions" (
    revision TEXT NOT NULL PRIMARY KEY,
    checksum TEXT NOT NULL,
    down_checksum TEXT,
    state TEXT NOT NULL,
    direction TEXT NOT NULL,
    message TEXT NOT NULL,
    path TEXT NOT NULL,
    statements_run INTEGER NOT NULL,
    progress_checksum TEXT,
    failed_statement INTEGER,
    failed_line INTEGER,
    error TEXT,
    applied_by TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    execution_ms INTEGER NOT NULL
);

-- A guard inserts its number here when a revision must not run; its
-- trigger turns that into an error that stops the script.
CREATE TEMP TABLE sqlmig_guard (guard INTEGER NOT NULL);

-- ----------------------------------------------------------------------------
-- revision a_items: items
-- file:     migrations/001_items.sql
-- checksum: 543751563815bacbbbcaff66ea4b98d6c7ae2b49b8a08cbaac56871b7f9c51ff
-- ----------------------------------------------------------------------------
BEGIN IMMEDIATE;
CREATE TEMP TRIGGER sqlmig_guard_1 BEFORE INSERT ON sqlmig_guard WHEN NEW.guard = 1
BEGIN SELECT raise(ABORT, 'sqlmig: revision a_items is already recorded: the script ran before, or this is another database'); END;
INSERT INTO sqlmig_guard (guard) SELECT 1 WHERE EXISTS (SELECT 1 FROM "sqlmig_revisions" WHERE revision = 'a_items');
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);
INSERT INTO "sqlmig_revisions" (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('a_items', '543751563815bacbbbcaff66ea4b98d6c7ae2b49b8a08cbaac56871b7f9c51ff', '1967859450ccd67e86ee25defced17a8d2b22eb59f12f5a7766b66d4f3a4d9eb', 'applied', 'up', 'items', '001_items.sql', 1, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
COMMIT;

-- ----------------------------------------------------------------------------
-- revision b_tags: tags, built outside a transaction ('no tx')
-- file:     migrations/002_tags.sql
-- checksum: ee0852e8fd76add6a0bd38ba6891d5664a154f6c51dcfa430f295829024c44ee
-- runs outside a transaction, recording its progress after each statement
-- ----------------------------------------------------------------------------
CREATE TEMP TRIGGER sqlmig_guard_2 BEFORE INSERT ON sqlmig_guard WHEN NEW.guard = 2
BEGIN SELECT raise(ABORT, 'sqlmig: revision b_tags cannot run: revision a_items before it in this script is not applied'); END;
INSERT INTO sqlmig_guard (guard) SELECT 2 WHERE NOT EXISTS (SELECT 1 FROM "sqlmig_revisions" WHERE revision = 'a_items' AND state = 'applied');
CREATE TEMP TRIGGER sqlmig_guard_3 BEFORE INSERT ON sqlmig_guard WHEN NEW.guard = 3
BEGIN SELECT raise(ABORT, 'sqlmig: revision b_tags is already recorded: the script ran before, or this is another database'); END;
INSERT INTO sqlmig_guard (guard) SELECT 3 WHERE EXISTS (SELECT 1 FROM "sqlmig_revisions" WHERE revision = 'b_tags');
INSERT INTO "sqlmig_revisions" (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('b_tags', 'ee0852e8fd76add6a0bd38ba6891d5664a154f6c51dcfa430f295829024c44ee', '18a725d67b955bec10e7fa511b34b7693010e8279f4a2613a0266db6778a3b50', 'running', 'up', 'tags, built outside a transaction (''no tx'')', '002_tags.sql', 0, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
CREATE TABLE tags (name VARCHAR(50) NOT NULL);
UPDATE "sqlmig_revisions" SET statements_run = 1, progress_checksum = '0c8f71a227bb4ce8a3bafa73f27c4930fb0a511061ae585f3e52a24cbedf2c7c' WHERE revision = 'b_tags';
CREATE INDEX tags_name_idx ON tags (name);
UPDATE "sqlmig_revisions" SET state = 'applied', direction = 'up', execution_ms = 0, statements_run = 2, progress_checksum = '208ce3db4c709d3381ff0bb2df7de0855c5910df0fcbad95f978433ee665bb4a', failed_statement = NULL, failed_line = NULL, error = NULL WHERE revision = 'b_tags';

-- ----------------------------------------------------------------------------
-- revision c_merge: merge items and tags; a trigger records new tags
-- file:     migrations/003_merge.sql
-- checksum: 437318e80c68fa58f711dd3cddd5d725b3982e679a99eeaabbd629906512d5e8
-- ----------------------------------------------------------------------------
BEGIN IMMEDIATE;
CREATE TEMP TRIGGER sqlmig_guard_4 BEFORE INSERT ON sqlmig_guard WHEN NEW.guard = 4
BEGIN SELECT raise(ABORT, 'sqlmig: revision c_merge cannot run: parent a_items is not applied'); END;
INSERT INTO sqlmig_guard (guard) SELECT 4 WHERE NOT EXISTS (SELECT 1 FROM "sqlmig_revisions" WHERE revision = 'a_items' AND state = 'applied');
CREATE TEMP TRIGGER sqlmig_guard_5 BEFORE INSERT ON sqlmig_guard WHEN NEW.guard = 5
BEGIN SELECT raise(ABORT, 'sqlmig: revision c_merge cannot run: parent b_tags is not applied'); END;
INSERT INTO sqlmig_guard (guard) SELECT 5 WHERE NOT EXISTS (SELECT 1 FROM "sqlmig_revisions" WHERE revision = 'b_tags' AND state = 'applied');
CREATE TEMP TRIGGER sqlmig_guard_6 BEFORE INSERT ON sqlmig_guard WHEN NEW.guard = 6
BEGIN SELECT raise(ABORT, 'sqlmig: revision c_merge is already recorded: the script ran before, or this is another database'); END;
INSERT INTO sqlmig_guard (guard) SELECT 6 WHERE EXISTS (SELECT 1 FROM "sqlmig_revisions" WHERE revision = 'c_merge');
CREATE TABLE item_tags (item_id INTEGER NOT NULL, tag VARCHAR(50) NOT NULL);
CREATE TRIGGER item_tags_check AFTER INSERT ON item_tags
FOR EACH ROW
BEGIN
    INSERT INTO tags (name) VALUES (NEW.tag);
END;
INSERT INTO "sqlmig_revisions" (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('c_merge', '437318e80c68fa58f711dd3cddd5d725b3982e679a99eeaabbd629906512d5e8', '962754b37551e5aacc916118df5d54bd3657123c96fd48c1e2c792e59a5efa72', 'applied', 'up', 'merge items and tags; a trigger records new tags', '003_merge.sql', 2, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
COMMIT;

-- End of the sqlmig upgrade script.
