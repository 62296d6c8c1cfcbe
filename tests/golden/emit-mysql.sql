-- sqlmig [VERSION]: offline upgrade script
-- dialect:   mysql
-- server:    MySQL/MariaDB 5.7 or later
-- from:      base
-- to:        c_merge
-- revisions: 3
-- plan:      5547827bce9b0bb04551830177a9cbaa8b52b0ebc59ce26f1a1b7f4b4d7199be
--
-- Run with: mariadb DATABASE < script.sql (or mysql; never with --force).
-- Each revision checks that the database holds what it needs and stops the
-- script otherwise: run twice, it changes nothing.

SET NAMES utf8mb4;

-- The state table, as `sqlmig upgrade` creates it.
CREATE TABLE IF NOT EXISTS `sqlmig_revisions` (
    revision VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
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
    applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    execution_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- ----------------------------------------------------------------------------
-- revision a_items: items
-- file:     migrations/001_items.sql
-- checksum: 543751563815bacbbbcaff66ea4b98d6c7ae2b49b8a08cbaac56871b7f9c51ff
-- runs outside a transaction, recording its progress after each statement
-- ----------------------------------------------------------------------------
SET @sqlmig_guard = CASE
    WHEN EXISTS (SELECT 1 FROM `sqlmig_revisions` WHERE revision = 'a_items') THEN 'sqlmig: revision a_items is already recorded: the script ran before, or this is another database'
    ELSE NULL END;
SET @sqlmig_guard = IF(@sqlmig_guard IS NULL, 'DO 0', CONCAT('SIGNAL SQLSTATE ''45000'' SET MESSAGE_TEXT = ', QUOTE(@sqlmig_guard)));
PREPARE sqlmig_guard FROM @sqlmig_guard;
EXECUTE sqlmig_guard;
DEALLOCATE PREPARE sqlmig_guard;
INSERT INTO `sqlmig_revisions` (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('a_items', '543751563815bacbbbcaff66ea4b98d6c7ae2b49b8a08cbaac56871b7f9c51ff', '1967859450ccd67e86ee25defced17a8d2b22eb59f12f5a7766b66d4f3a4d9eb', 'running', 'up', 'items', '001_items.sql', 0, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);
UPDATE `sqlmig_revisions` SET state = 'applied', direction = 'up', execution_ms = 0, statements_run = 1, progress_checksum = '09ec0c15ecb63b182171636226df34eac74d85ea6919e24ebf0e88bef7d754d3', failed_statement = NULL, failed_line = NULL, error = NULL WHERE revision = 'a_items';

-- ----------------------------------------------------------------------------
-- revision b_tags: tags, built outside a transaction ('no tx')
-- file:     migrations/002_tags.sql
-- checksum: ee0852e8fd76add6a0bd38ba6891d5664a154f6c51dcfa430f295829024c44ee
-- runs outside a transaction, recording its progress after each statement
-- ----------------------------------------------------------------------------
SET @sqlmig_guard = CASE
    WHEN NOT EXISTS (SELECT 1 FROM `sqlmig_revisions` WHERE revision = 'a_items' AND state = 'applied') THEN 'sqlmig: revision b_tags cannot run: revision a_items before it in this script is not applied'
    WHEN EXISTS (SELECT 1 FROM `sqlmig_revisions` WHERE revision = 'b_tags') THEN 'sqlmig: revision b_tags is already recorded: the script ran before, or this is another database'
    ELSE NULL END;
SET @sqlmig_guard = IF(@sqlmig_guard IS NULL, 'DO 0', CONCAT('SIGNAL SQLSTATE ''45000'' SET MESSAGE_TEXT = ', QUOTE(@sqlmig_guard)));
PREPARE sqlmig_guard FROM @sqlmig_guard;
EXECUTE sqlmig_guard;
DEALLOCATE PREPARE sqlmig_guard;
INSERT INTO `sqlmig_revisions` (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('b_tags', 'ee0852e8fd76add6a0bd38ba6891d5664a154f6c51dcfa430f295829024c44ee', '18a725d67b955bec10e7fa511b34b7693010e8279f4a2613a0266db6778a3b50', 'running', 'up', CONVERT(X'746167732C206275696C74206F7574736964652061207472616E73616374696F6E2028276E6F2074782729' USING utf8mb4), '002_tags.sql', 0, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
CREATE TABLE tags (name VARCHAR(50) NOT NULL);
UPDATE `sqlmig_revisions` SET statements_run = 1, progress_checksum = '0c8f71a227bb4ce8a3bafa73f27c4930fb0a511061ae585f3e52a24cbedf2c7c' WHERE revision = 'b_tags';
CREATE INDEX tags_name_idx ON tags (name);
UPDATE `sqlmig_revisions` SET state = 'applied', direction = 'up', execution_ms = 0, statements_run = 2, progress_checksum = '208ce3db4c709d3381ff0bb2df7de0855c5910df0fcbad95f978433ee665bb4a', failed_statement = NULL, failed_line = NULL, error = NULL WHERE revision = 'b_tags';

-- ----------------------------------------------------------------------------
-- revision c_merge: merge items and tags; a trigger records new tags
-- file:     migrations/003_merge.sql
-- checksum: 437318e80c68fa58f711dd3cddd5d725b3982e679a99eeaabbd629906512d5e8
-- runs outside a transaction, recording its progress after each statement
-- ----------------------------------------------------------------------------
SET @sqlmig_guard = CASE
    WHEN NOT EXISTS (SELECT 1 FROM `sqlmig_revisions` WHERE revision = 'a_items' AND state = 'applied') THEN 'sqlmig: revision c_merge cannot run: parent a_items is not applied'
    WHEN NOT EXISTS (SELECT 1 FROM `sqlmig_revisions` WHERE revision = 'b_tags' AND state = 'applied') THEN 'sqlmig: revision c_merge cannot run: parent b_tags is not applied'
    WHEN EXISTS (SELECT 1 FROM `sqlmig_revisions` WHERE revision = 'c_merge') THEN 'sqlmig: revision c_merge is already recorded: the script ran before, or this is another database'
    ELSE NULL END;
SET @sqlmig_guard = IF(@sqlmig_guard IS NULL, 'DO 0', CONCAT('SIGNAL SQLSTATE ''45000'' SET MESSAGE_TEXT = ', QUOTE(@sqlmig_guard)));
PREPARE sqlmig_guard FROM @sqlmig_guard;
EXECUTE sqlmig_guard;
DEALLOCATE PREPARE sqlmig_guard;
INSERT INTO `sqlmig_revisions` (revision, checksum, down_checksum, state, direction, message, path, statements_run, progress_checksum, failed_statement, failed_line, error, applied_by, execution_ms) VALUES ('c_merge', '437318e80c68fa58f711dd3cddd5d725b3982e679a99eeaabbd629906512d5e8', '962754b37551e5aacc916118df5d54bd3657123c96fd48c1e2c792e59a5efa72', 'running', 'up', 'merge items and tags; a trigger records new tags', '003_merge.sql', 0, NULL, NULL, NULL, NULL, 'sqlmig [VERSION] emit', 0);
CREATE TABLE item_tags (item_id INTEGER NOT NULL, tag VARCHAR(50) NOT NULL);
UPDATE `sqlmig_revisions` SET statements_run = 1, progress_checksum = 'e9fea5a1eb72871e91f116a9334509bbacf6886934dc59390271020c67eb0c35' WHERE revision = 'c_merge';
DELIMITER //
CREATE TRIGGER item_tags_check AFTER INSERT ON item_tags
FOR EACH ROW
BEGIN
    INSERT INTO tags (name) VALUES (NEW.tag);
END//
DELIMITER ;
UPDATE `sqlmig_revisions` SET state = 'applied', direction = 'up', execution_ms = 0, statements_run = 2, progress_checksum = '17e3f6dd5b4066100cd5df70f4a55a550bbba5a527d90e14a92642a6e8b4d8b2', failed_statement = NULL, failed_line = NULL, error = NULL WHERE revision = 'c_merge';

-- End of the sqlmig upgrade script.
