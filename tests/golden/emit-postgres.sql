-- sqlmig [VERSION]: offline upgrade script
-- dialect:   postgres
-- server:    PostgreSQL 11.0 or later
-- from:      base
-- to:        c_merge
-- revisions: 3
-- plan:      038f2535f132dcfd83b9c218994c0bf20f1302d92eb81804400ba05d9b9bde15
--
-- Run with: psql -X -v ON_ERROR_STOP=1 -f script.sql (psql 11 or later; the
-- script also sets ON_ERROR_STOP itself). Each revision checks that the database
-- holds what it needs and stops the script otherwise: run twice, it changes nothing.

\set ON_ERROR_STOP on
SET standard_conforming_strings = on;

-- The state table, as `sqlmig upgrade` creates it.
CREATE TABLE IF NOT EXISTS "public"."sqlmig_revisions" (
    revision VARCHAR(64) NOT NULL PRIMARY KEY,
    checksum CHAR(64) NOT NULL,
    down_checksum CHAR(64),
    state VARCHAR(16) NOT NULL,
    direction VARCHAR(16) NOT NULL,
    message TEXT NOT NULL,
    path TEXT NOT NULL,
    statements_run BIGINT NOT NULL,
    progress_checksum CHAR(64),
    failed_statement BIGINT,
    failed_line BIGINT,
    error TEXT,
    applied_by VARCHAR(100) NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    execution_ms BIGINT NOT NULL
);

-- ----------------------------------------------------------------------------
-- revision a_items: items
-- file:     migrations/001_items.sql
-- checksum: 543751563815bacbbbcaff66ea4b98d6c7ae2b49b8a08cbaac56871b7f9c51ff
-- ----------------------------------------------------------------------------
BEGIN;
LOCK TABLE "public"."sqlmig_revisions" IN SHARE ROW EXCLUSIVE MODE;
DO $sqlmig_guard$
BEGIN
    IF EXISTS (SELECT 1 FROM "public"."sqlmig_revisions" WHERE revision = 'a_items') THEN
        RAISE EXCEPTION USING MESSAGE = 'sqlmig: revision a_items is already recorded: the script ran before, or this is another database';
    END IF;
END
$sqlmig_guard$;
\if :ERROR
\quit
\endif
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);
INSERT INTO "public"."sqlmig_revisions" (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('a_items', '543751563815bacbbbcaff66ea4b98d6c7ae2b49b8a08cbaac56871b7f9c51ff', '1967859450ccd67e86ee25defced17a8d2b22eb59f12f5a7766b66d4f3a4d9eb', 'applied', 'up', 'items', '001_items.sql', 1, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
COMMIT;

-- ----------------------------------------------------------------------------
-- revision b_tags: tags, built outside a transaction ('no tx')
-- file:     migrations/002_tags.sql
-- checksum: ee0852e8fd76add6a0bd38ba6891d5664a154f6c51dcfa430f295829024c44ee
-- runs outside a transaction, recording its progress after each statement
-- ----------------------------------------------------------------------------
DO $sqlmig_guard$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM "public"."sqlmig_revisions" WHERE revision = 'a_items' AND state = 'applied') THEN
        RAISE EXCEPTION USING MESSAGE = 'sqlmig: revision b_tags cannot run: revision a_items before it in this script is not applied';
    END IF;
    IF EXISTS (SELECT 1 FROM "public"."sqlmig_revisions" WHERE revision = 'b_tags') THEN
        RAISE EXCEPTION USING MESSAGE = 'sqlmig: revision b_tags is already recorded: the script ran before, or this is another database';
    END IF;
END
$sqlmig_guard$;
\if :ERROR
\quit
\endif
INSERT INTO "public"."sqlmig_revisions" (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('b_tags', 'ee0852e8fd76add6a0bd38ba6891d5664a154f6c51dcfa430f295829024c44ee', '18a725d67b955bec10e7fa511b34b7693010e8279f4a2613a0266db6778a3b50', 'running', 'up', 'tags, built outside a transaction (''no tx'')', '002_tags.sql', 0, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
CREATE TABLE tags (name VARCHAR(50) NOT NULL);
\if :ERROR
\quit
\endif
UPDATE "public"."sqlmig_revisions" SET statements_run = 1, progress_checksum = '0c8f71a227bb4ce8a3bafa73f27c4930fb0a511061ae585f3e52a24cbedf2c7c' WHERE revision = 'b_tags';
CREATE INDEX tags_name_idx ON tags (name);
\if :ERROR
\quit
\endif
UPDATE "public"."sqlmig_revisions" SET state = 'applied', direction = 'up', execution_ms = 0, statements_run = 2, progress_checksum = '208ce3db4c709d3381ff0bb2df7de0855c5910df0fcbad95f978433ee665bb4a', failed_statement = NULL, failed_line = NULL, error = NULL WHERE revision = 'b_tags';

-- ----------------------------------------------------------------------------
-- revision c_merge: merge items and tags; a trigger records new tags
-- file:     migrations/003_merge.sql
-- checksum: 437318e80c68fa58f711dd3cddd5d725b3982e679a99eeaabbd629906512d5e8
-- ----------------------------------------------------------------------------
BEGIN;
LOCK TABLE "public"."sqlmig_revisions" IN SHARE ROW EXCLUSIVE MODE;
DO $sqlmig_guard$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM "public"."sqlmig_revisions" WHERE revision = 'a_items' AND state = 'applied') THEN
        RAISE EXCEPTION USING MESSAGE = 'sqlmig: revision c_merge cannot run: parent a_items is not applied';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM "public"."sqlmig_revisions" WHERE revision = 'b_tags' AND state = 'applied') THEN
        RAISE EXCEPTION USING MESSAGE = 'sqlmig: revision c_merge cannot run: parent b_tags is not applied';
    END IF;
    IF EXISTS (SELECT 1 FROM "public"."sqlmig_revisions" WHERE revision = 'c_merge') THEN
        RAISE EXCEPTION USING MESSAGE = 'sqlmig: revision c_merge is already recorded: the script ran before, or this is another database';
    END IF;
END
$sqlmig_guard$;
\if :ERROR
\quit
\endif
CREATE TABLE item_tags (item_id INTEGER NOT NULL, tag VARCHAR(50) NOT NULL);
CREATE TRIGGER item_tags_check AFTER INSERT ON item_tags
FOR EACH ROW
BEGIN
    INSERT INTO tags (name) VALUES (NEW.tag);
END;
INSERT INTO "public"."sqlmig_revisions" (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('c_merge', '437318e80c68fa58f711dd3cddd5d725b3982e679a99eeaabbd629906512d5e8', '962754b37551e5aacc916118df5d54bd3657123c96fd48c1e2c792e59a5efa72', 'applied', 'up', 'merge items and tags; a trigger records new tags', '003_merge.sql', 2, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
COMMIT;

-- End of the sqlmig upgrade script.
