//! C: integrity (docs/RELIABILITY.md §9 C1, C5). Applied files edited in every
//! way, and state tables edited in every way: `verify --database-url`
//! names each, and `upgrade` refuses before running anything. The pinned
//! golden checksums (C2) are `tests/fixtures.rs`, which reports its figures
//! to the same report.

use crate::harness::{Kind, Project, TestDb, configure, fresh, record, revision_text};

on_each_dialect!(
    every_edit_of_an_applied_file_is_caught_before_anything_runs,
    every_edit_of_the_state_table_is_caught_before_anything_runs,
);

/// `r01` creates the log; `r02`..`r10` each create a table and log
/// themselves with a string literal; `r11` stays pending, so a run that
/// refuses visibly ran nothing.
fn write_project(project: &Project, applied: usize) {
    for number in 1..=applied + 1 {
        let id = format!("r{number:02}");
        let parents: Vec<String> = (number > 1)
            .then(|| format!("r{:02}", number - 1))
            .into_iter()
            .collect();
        let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
        let up = if number == 1 {
            String::from("CREATE TABLE applied_log (revision VARCHAR(64) NOT NULL);")
        } else {
            format!(
                "CREATE TABLE t_{id} (x INTEGER);\n-- logged as applied\nINSERT INTO applied_log (revision) VALUES ('{id} ok');"
            )
        };
        let down = if number == 1 {
            String::from("DROP TABLE applied_log;")
        } else {
            format!("DROP TABLE t_{id};\nDELETE FROM applied_log WHERE revision = '{id} ok';")
        };
        project.revision(
            &format!("{number:03}_{id}"),
            &revision_text(&id, &parents, &up, Some(&down)),
        );
    }
}

/// The state rows as text, to show a refused run changed nothing.
fn state_rows(database: &TestDb) -> Vec<Vec<Option<String>>> {
    database.query(
        "SELECT revision, state, checksum, down_checksum, statements_run FROM sqlmig_revisions ORDER BY revision",
    )
}

/// What an edit must lead to once `sqlmig hash` has recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// `verify --database-url` fails naming the revision; `upgrade` refuses.
    Caught,
    /// Nothing the database depends on changed.
    Passes,
    /// As `Passes`, with a warning about the down section.
    Warns,
}

/// docs/RELIABILITY.md C1: ten applied revisions; revision 4's file gets one
/// edit at a time: a byte of a statement, a space inside a string literal,
/// a comment, its `revises:` line, deletion, a rename with the same
/// content, an edit of only its down section. Without `sqlmig hash`, plain
/// `verify` flags every one of them against `sqlmig.sum`. Once hashed, the
/// database check takes over: `verify --database-url` names the revision
/// and both checksums and `upgrade` refuses before running anything,
/// except that a rename passes and a down-only edit passes with a warning.
fn every_edit_of_an_applied_file_is_caught_before_anything_runs(kind: Kind) {
    let project = Project::new();
    let Some(database) = fresh(kind, &project) else {
        return;
    };
    write_project(&project, 10);
    configure(&project, &database, "");
    project.sqlmig().args(["upgrade", "r10"]).run().success();
    project.sqlmig().args(["hash"]).run().success();
    let original = project.read("migrations/004_r04.sql");
    let recorded_checksum = database
        .column("SELECT checksum FROM sqlmig_revisions WHERE revision = 'r04'")
        .concat();
    let before = state_rows(&database);
    let file = "migrations/004_r04.sql";

    type Edit = fn(&Project, &str);
    let edits: [(&str, Edit, Expected); 7] = [
        (
            "a byte of a statement",
            |p, text| {
                p.write(
                    "migrations/004_r04.sql",
                    text.replace("(x INTEGER)", "(y INTEGER)"),
                );
            },
            Expected::Caught,
        ),
        (
            "a space inside a string literal",
            |p, text| {
                p.write(
                    "migrations/004_r04.sql",
                    text.replace("'r04 ok'", "'r04  ok'"),
                );
            },
            Expected::Caught,
        ),
        (
            "a comment of the up section",
            |p, text| {
                p.write(
                    "migrations/004_r04.sql",
                    text.replace("-- logged as applied", "-- logged as applied!"),
                );
            },
            Expected::Caught,
        ),
        (
            "the revises line",
            |p, text| {
                p.write(
                    "migrations/004_r04.sql",
                    text.replace("-- revises: r03", "-- revises: r03, r02"),
                );
            },
            Expected::Caught,
        ),
        (
            "deletion",
            |p, _| {
                std::fs::remove_file(p.path("migrations/004_r04.sql")).expect("delete");
            },
            Expected::Caught,
        ),
        (
            "a rename with the same content",
            |p, text| {
                std::fs::remove_file(p.path("migrations/004_r04.sql")).expect("delete");
                p.write("migrations/renamed/four.sql", text);
            },
            Expected::Passes,
        ),
        (
            "an edit of the down section only",
            |p, text| {
                p.write(
                    "migrations/004_r04.sql",
                    text.replace("DROP TABLE t_r04;", "DROP TABLE IF EXISTS t_r04;"),
                );
            },
            Expected::Warns,
        ),
    ];

    let (mut by_sum, mut as_expected) = (0u64, 0u64);
    let mut problems = Vec::new();
    for (what, edit, expected) in edits {
        edit(&project, &original);
        let mut wrong = Vec::new();

        // The pre-commit check sees every edit against sqlmig.sum.
        let verify = project.sqlmig().args(["verify"]).run();
        if verify.code() == Some(1) && verify.stderr().contains("r04") {
            by_sum += 1;
        } else {
            wrong.push(format!("plain verify missed it\n{}", verify.stderr()));
        }

        // Committed with a new sum: the database's checksums decide.
        let _ = project.sqlmig().args(["hash"]).run();
        let check = project
            .sqlmig()
            .args(["verify", "--database-url", database.url()])
            .run();
        let upgrade = project.sqlmig().args(["upgrade"]).run();
        match expected {
            Expected::Caught => {
                if check.code() != Some(1) || !check.stderr().contains("r04") {
                    wrong.push(format!("verify --database-url passed\n{}", check.stderr()));
                }
                let names_both = check.stderr().contains(&recorded_checksum[..12])
                    && check.stderr().contains(file);
                if what != "deletion" && what != "the revises line" && !names_both {
                    wrong.push(format!(
                        "verify --database-url does not name the file and the recorded checksum\n{}",
                        check.stderr()
                    ));
                }
                if upgrade.code() != Some(1)
                    || state_rows(&database) != before
                    || database.table_exists("t_r11")
                {
                    wrong.push(format!("upgrade was not refused\n{}", upgrade.stderr()));
                }
            }
            Expected::Passes | Expected::Warns => {
                if check.code() != Some(0) {
                    wrong.push(format!("verify --database-url failed\n{}", check.stderr()));
                }
                let warned = check.stderr().contains("warning:")
                    && check
                        .stderr()
                        .contains("down section of applied revision r04");
                if warned != (expected == Expected::Warns) {
                    wrong.push(format!("warning shown: {warned}\n{}", check.stderr()));
                }
                if upgrade.code() != Some(0) || !database.table_exists("t_r11") {
                    wrong.push(format!("upgrade failed\n{}", upgrade.stderr()));
                }
                project.sqlmig().args(["downgrade", "r10"]).run().success();
            }
        }
        as_expected += u64::from(wrong.is_empty());
        if !wrong.is_empty() {
            problems.push(format!("{kind:?}, {what}: {}", wrong.join("\n")));
        }

        // Back to the applied file and its sum.
        let _ = std::fs::remove_dir_all(project.path("migrations/renamed"));
        project.write(file, &original);
        project.sqlmig().args(["hash"]).run().success();
    }
    record(&[
        ("c1.cases", edits.len() as u64),
        ("c1.as_expected", as_expected),
        ("c1.caught_by_sum", by_sum),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    project
        .sqlmig()
        .args(["verify", "--database-url", database.url()])
        .run()
        .success();
}

/// docs/RELIABILITY.md C5: the state table edited behind sqlmig's back. A
/// deleted row (revision 3 of 6), a row of a revision no file declares, an
/// altered checksum: `verify --database-url` names each, `upgrade` refuses
/// and runs nothing. A duplicate row is refused by the primary key.
fn every_edit_of_the_state_table_is_caught_before_anything_runs(kind: Kind) {
    let project = Project::new();
    let Some(database) = fresh(kind, &project) else {
        return;
    };
    write_project(&project, 6);
    configure(&project, &database, "");
    project.sqlmig().args(["upgrade", "r06"]).run().success();
    project.sqlmig().args(["hash"]).run().success();
    database.execute("CREATE TABLE saved_state AS SELECT * FROM sqlmig_revisions");
    let before = state_rows(&database);
    let restore = || {
        database.execute("DELETE FROM sqlmig_revisions");
        database.execute("INSERT INTO sqlmig_revisions SELECT * FROM saved_state");
    };

    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "a deleted row",
            "r03",
            &["DELETE FROM sqlmig_revisions WHERE revision = 'r03'"],
        ),
        (
            "a row no file declares",
            "ghost",
            &[
                "CREATE TABLE ghost_row AS SELECT * FROM sqlmig_revisions WHERE revision = 'r06'",
                "UPDATE ghost_row SET revision = 'ghost'",
                "INSERT INTO sqlmig_revisions SELECT * FROM ghost_row",
                "DROP TABLE ghost_row",
            ],
        ),
        (
            "an altered checksum",
            "r04",
            &[
                "UPDATE sqlmig_revisions SET checksum = '0000000000000000000000000000000000000000000000000000000000000000' WHERE revision = 'r04'",
            ],
        ),
    ];
    let mut detected = 0u64;
    let mut problems = Vec::new();
    for (what, names, statements) in cases {
        for statement in statements {
            database.execute(statement);
        }
        let tampered = state_rows(&database);
        let check = project
            .sqlmig()
            .args(["verify", "--database-url", database.url()])
            .run();
        let upgrade = project.sqlmig().args(["upgrade"]).run();
        let refused = upgrade.code() == Some(1)
            && state_rows(&database) == tampered
            && !database.table_exists("t_r07");
        let named = check.code() == Some(1) && check.stderr().contains(names);
        if named && refused {
            detected += 1;
        } else {
            problems.push(format!(
                "{kind:?}, {what}: verify named it {named}, upgrade refused {refused}\n--- verify\n{}--- upgrade\n{}",
                check.stderr(),
                upgrade.stderr()
            ));
        }
        restore();
        assert_eq!(state_rows(&database), before);
    }

    // The primary key forbids a second row for one revision.
    let duplicate = database.try_execute(
        "INSERT INTO sqlmig_revisions SELECT * FROM saved_state WHERE revision = 'r04'",
    );
    let refused_by_key = duplicate.is_err();
    detected += u64::from(refused_by_key);
    if !refused_by_key {
        problems.push(format!("{kind:?}: a duplicate state row was accepted"));
    }
    record(&[("c5.cases", 4), ("c5.detected", detected)]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    project
        .sqlmig()
        .args(["verify", "--database-url", database.url()])
        .run()
        .success();
    project.sqlmig().args(["upgrade"]).run().success();
    assert!(database.table_exists("t_r07"));
}
