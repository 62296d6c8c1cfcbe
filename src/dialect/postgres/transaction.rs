//! The statements PostgreSQL refuses inside a transaction block, by version.

use crate::dialect::{ServerVersion, TransactionRule};

/// Every statement PostgreSQL refuses inside a transaction block, with the
/// version from which it is accepted there (from the reference pages of each
/// statement and the release notes).
pub(super) const TRANSACTION_RULES: &[TransactionRule] = &[
    TransactionRule {
        statement: "CREATE INDEX CONCURRENTLY",
        allowed_since: None,
        reference: "CREATE INDEX: a regular index build can run in a transaction block, CREATE INDEX CONCURRENTLY cannot",
        matches: |words, _| {
            begins(words, "CREATE INDEX CONCURRENTLY")
                || begins(words, "CREATE UNIQUE INDEX CONCURRENTLY")
        },
    },
    TransactionRule {
        statement: "DROP INDEX CONCURRENTLY",
        allowed_since: None,
        reference: "DROP INDEX: with CONCURRENTLY it cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "DROP INDEX CONCURRENTLY"),
    },
    TransactionRule {
        statement: "REINDEX CONCURRENTLY",
        allowed_since: None,
        reference: "REINDEX: REINDEX CONCURRENTLY cannot be executed inside a transaction block",
        matches: |words, sql| begins(words, "REINDEX") && has_word(sql, "CONCURRENTLY"),
    },
    TransactionRule {
        statement: "REINDEX DATABASE / SYSTEM",
        allowed_since: None,
        reference: "REINDEX: REINDEX DATABASE and REINDEX SYSTEM cannot be executed inside a transaction block",
        matches: |words, _| {
            begins(words, "REINDEX")
                && matches!(
                    object_after_options(words, "REINDEX"),
                    "DATABASE" | "SYSTEM"
                )
        },
    },
    TransactionRule {
        statement: "VACUUM",
        allowed_since: None,
        reference: "VACUUM: cannot be executed inside a transaction block",
        matches: |words, _| first_word(words) == "VACUUM",
    },
    TransactionRule {
        statement: "CLUSTER without a table",
        allowed_since: None,
        reference: "CLUSTER: CLUSTER without a table name cannot be executed inside a transaction block",
        matches: |words, _| {
            first_word(words) == "CLUSTER"
                && matches!(object_after_options(words, "CLUSTER"), "" | "VERBOSE")
        },
    },
    TransactionRule {
        statement: "ALTER SYSTEM",
        allowed_since: None,
        reference: "ALTER SYSTEM: cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "ALTER SYSTEM"),
    },
    TransactionRule {
        statement: "CREATE DATABASE",
        allowed_since: None,
        reference: "CREATE DATABASE: cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "CREATE DATABASE"),
    },
    TransactionRule {
        statement: "DROP DATABASE",
        allowed_since: None,
        reference: "DROP DATABASE: cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "DROP DATABASE"),
    },
    TransactionRule {
        statement: "ALTER DATABASE ... SET TABLESPACE",
        allowed_since: None,
        reference: "ALTER DATABASE: SET TABLESPACE cannot be executed inside a transaction block",
        matches: |words, sql| {
            begins(words, "ALTER DATABASE") && has_words(sql, &["SET", "TABLESPACE"])
        },
    },
    TransactionRule {
        statement: "CREATE TABLESPACE",
        allowed_since: None,
        reference: "CREATE TABLESPACE: cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "CREATE TABLESPACE"),
    },
    TransactionRule {
        statement: "DROP TABLESPACE",
        allowed_since: None,
        reference: "DROP TABLESPACE: cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "DROP TABLESPACE"),
    },
    TransactionRule {
        statement: "ALTER TYPE ... ADD VALUE",
        allowed_since: Some(ServerVersion::new(12, 0)),
        reference: "PostgreSQL 12 release notes: ALTER TYPE ... ADD VALUE may run inside a transaction block (the new value cannot be used before the transaction commits)",
        matches: |words, sql| begins(words, "ALTER TYPE") && has_words(sql, &["ADD", "VALUE"]),
    },
    TransactionRule {
        statement: "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY",
        allowed_since: None,
        reference: "ALTER TABLE: DETACH PARTITION ... CONCURRENTLY cannot be executed inside a transaction block",
        matches: |words, sql| {
            begins(words, "ALTER TABLE")
                && has_words(sql, &["DETACH", "PARTITION"])
                && has_word(sql, "CONCURRENTLY")
        },
    },
    TransactionRule {
        statement: "CREATE SUBSCRIPTION",
        allowed_since: None,
        reference: "CREATE SUBSCRIPTION: cannot be executed inside a transaction block when it creates a replication slot (the default)",
        matches: |words, sql| {
            begins(words, "CREATE SUBSCRIPTION")
                && !has_setting(sql, "CREATE_SLOT", "FALSE")
                && !has_setting(sql, "CONNECT", "FALSE")
        },
    },
    TransactionRule {
        statement: "ALTER SUBSCRIPTION ... PUBLICATION",
        allowed_since: None,
        reference: "ALTER SUBSCRIPTION: REFRESH PUBLICATION, and SET / ADD / DROP PUBLICATION with refresh (the default), cannot be executed inside a transaction block",
        matches: |words, sql| {
            begins(words, "ALTER SUBSCRIPTION")
                && (has_words(sql, &["REFRESH", "PUBLICATION"])
                    || has_word(sql, "PUBLICATION") && !has_setting(sql, "REFRESH", "FALSE"))
        },
    },
    TransactionRule {
        statement: "DROP SUBSCRIPTION",
        allowed_since: None,
        reference: "DROP SUBSCRIPTION: cannot be executed inside a transaction block while the subscription has a replication slot (the default)",
        matches: |words, _| begins(words, "DROP SUBSCRIPTION"),
    },
    TransactionRule {
        statement: "DISCARD ALL",
        allowed_since: None,
        reference: "DISCARD: DISCARD ALL cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "DISCARD ALL"),
    },
    TransactionRule {
        statement: "COMMIT PREPARED / ROLLBACK PREPARED",
        allowed_since: None,
        reference: "COMMIT PREPARED, ROLLBACK PREPARED: cannot be executed inside a transaction block",
        matches: |words, _| begins(words, "COMMIT PREPARED") || begins(words, "ROLLBACK PREPARED"),
    },
];

/// Whether `words` begins with the whole words of `prefix`
/// (`CREATE INDEX CONCURRENTLY`, not `CREATE INDEX CONCURRENTLY_IDX`).
fn begins(words: &str, prefix: &str) -> bool {
    words
        .strip_prefix(prefix)
        .is_some_and(|after| !after.starts_with(is_word_character))
}

/// The first word of `words`.
fn first_word(words: &str) -> &str {
    words.split([' ', '(', ';']).next().unwrap_or_default()
}

/// The word after `command` and its parenthesised options and `VERBOSE`
/// (`REINDEX (VERBOSE) DATABASE x` gives `DATABASE`); empty when none.
fn object_after_options<'w>(words: &'w str, command: &str) -> &'w str {
    let mut rest = words[command.len()..].trim_start();
    if rest.starts_with('(') {
        rest = rest
            .split_once(')')
            .map_or("", |(_, after)| after)
            .trim_start();
    }
    if let Some(after) = rest
        .strip_prefix("VERBOSE")
        .filter(|after| after.is_empty() || after.starts_with([' ', ';']))
    {
        rest = after.trim_start();
    }
    rest.split([' ', ';', '(']).next().unwrap_or_default()
}

/// The words of `sql`: its runs of word characters, in order.
fn words_of(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(|c: char| !is_word_character(c))
        .filter(|word| !word.is_empty())
}

/// Whether `word` (upper-case) stands in `sql` as a whole word, in any case.
/// No copy of the text: every `ALTER TABLE` of a directory comes here.
fn has_word(sql: &str, word: &str) -> bool {
    words_of(sql).any(|found| found.eq_ignore_ascii_case(word))
}

/// Whether the words (upper-case, all different) stand in `sql` one after
/// the other, in any case.
fn has_words(sql: &str, words: &[&str]) -> bool {
    let mut matched = 0;
    for found in words_of(sql) {
        if found.eq_ignore_ascii_case(words[matched]) {
            matched += 1;
        } else {
            // The words differ, so a failed match can only restart here.
            matched = usize::from(found.eq_ignore_ascii_case(words[0]));
        }
        if matched == words.len() {
            return true;
        }
    }
    false
}

/// Whether `sql` sets the option `name` to `value` (`create_slot = false`).
fn has_setting(sql: &str, name: &str, value: &str) -> bool {
    has_words(sql, &[name, value])
}

fn is_word_character(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(sql: &str, version: ServerVersion) -> Option<&'static str> {
        crate::dialect::Dialect::Postgres
            .transaction_refusal(sql, version)
            .map(|rule| rule.statement)
    }

    #[test]
    fn every_rule_is_recognised_and_near_misses_are_not() {
        let v15 = ServerVersion::new(15, 4);
        for (sql, rule) in [
            (
                "CREATE INDEX CONCURRENTLY i ON t (a)",
                "CREATE INDEX CONCURRENTLY",
            ),
            (
                "create unique index\nconcurrently i on t (a)",
                "CREATE INDEX CONCURRENTLY",
            ),
            (
                "DROP INDEX CONCURRENTLY IF EXISTS i",
                "DROP INDEX CONCURRENTLY",
            ),
            ("REINDEX TABLE CONCURRENTLY t", "REINDEX CONCURRENTLY"),
            (
                "REINDEX (VERBOSE) INDEX CONCURRENTLY i",
                "REINDEX CONCURRENTLY",
            ),
            ("REINDEX DATABASE app", "REINDEX DATABASE / SYSTEM"),
            ("reindex (verbose) system", "REINDEX DATABASE / SYSTEM"),
            ("-- comment\nVACUUM ANALYZE t", "VACUUM"),
            ("VACUUM", "VACUUM"),
            ("CLUSTER", "CLUSTER without a table"),
            ("CLUSTER VERBOSE", "CLUSTER without a table"),
            ("/* x */ ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM"),
            ("CREATE DATABASE x", "CREATE DATABASE"),
            ("DROP DATABASE IF EXISTS x", "DROP DATABASE"),
            (
                "ALTER DATABASE app SET TABLESPACE fast",
                "ALTER DATABASE ... SET TABLESPACE",
            ),
            ("CREATE TABLESPACE fast LOCATION '/x'", "CREATE TABLESPACE"),
            ("DROP TABLESPACE fast", "DROP TABLESPACE"),
            (
                "ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY",
                "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY",
            ),
            (
                "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
                "CREATE SUBSCRIPTION",
            ),
            (
                "ALTER SUBSCRIPTION s REFRESH PUBLICATION",
                "ALTER SUBSCRIPTION ... PUBLICATION",
            ),
            (
                "ALTER SUBSCRIPTION s SET PUBLICATION p",
                "ALTER SUBSCRIPTION ... PUBLICATION",
            ),
            ("DROP SUBSCRIPTION s", "DROP SUBSCRIPTION"),
            ("DISCARD ALL", "DISCARD ALL"),
            ("COMMIT PREPARED 'x'", "COMMIT PREPARED / ROLLBACK PREPARED"),
        ] {
            assert_eq!(refused(sql, v15), Some(rule), "{sql}");
        }
        for sql in [
            "CREATE INDEX i ON t (a)",
            "CREATE INDEX concurrently_idx ON t (a)",
            "ALTER TYPE mood RENAME TO feeling",
            "ALTER TYPE mood ADD VALUE 'meh'",
            "REINDEX TABLE t",
            "REINDEX INDEX database_idx",
            "CLUSTER t USING i",
            "CLUSTER VERBOSE t",
            "SELECT 'VACUUM'",
            "VACUUMS",
            "ALTER DATABASE app SET work_mem = '1MB'",
            "ALTER TABLE m DETACH PARTITION m_2020",
            "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = false)",
            "ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false)",
            "ALTER SUBSCRIPTION s DISABLE",
            "DISCARD PLANS",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY v",
        ] {
            assert_eq!(refused(sql, v15), None, "{sql}");
        }
    }

    #[test]
    fn add_value_is_refused_only_before_12() {
        let sql = "ALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok'";
        assert_eq!(
            refused(sql, ServerVersion::new(11, 22)),
            Some("ALTER TYPE ... ADD VALUE")
        );
        assert_eq!(refused(sql, ServerVersion::new(12, 0)), None);
    }
}
