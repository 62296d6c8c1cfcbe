//! D: parser and splitter robustness (docs/RELIABILITY.md §9 D1, D3, D4).
//!
//! - D1: a corpus of malformed files, most generated here from the D1 list
//!   in four encodings (LF, CRLF, BOM + LF, BOM + CRLF), plus the fixtures
//!   of `fixtures/revisions/invalid`: no panic, each error names
//!   `file:line`, and the line is the right one.
//! - D3: generated scripts split by sqlmig and parsed by the servers
//!   themselves must agree on the statements.
//! - D4: fuzzing by a long proptest run (no cargo-fuzz on stable): no
//!   panic, statements are exact slices of the input in order, their lines
//!   lie in the file, and a statement re-split alone is itself.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::Instant;

use mysql_async::prelude::Queryable;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use sqlmig::Dialect;
use sqlmig::revision::{SourceFile, normalize, parse_revision, split_statements};

use crate::harness::{Kind, Project, TestDb, record, scaled};

// ---------------------------------------------------------------------------
// D1: the malformed-file corpus

/// What a corpus file must give.
#[derive(Debug, Clone)]
enum Expect {
    /// Parses and builds a graph.
    Valid,
    /// Fails at this line (of the LF text) with a message holding this text.
    Error(u32, &'static str),
}

/// One corpus entry: a name, the dialect it is read with, its LF text.
struct Case {
    name: &'static str,
    dialect: Kind,
    text: Vec<u8>,
    expect: Expect,
}

fn case(name: &'static str, text: &str, expect: Expect) -> Case {
    Case {
        name,
        dialect: Kind::Postgres,
        text: text.as_bytes().to_vec(),
        expect,
    }
}

/// The D1 list, one file each.
fn generated_cases() -> Vec<Case> {
    use Expect::{Error, Valid};
    let up = "-- up\nCREATE TABLE t (x INTEGER);\n";
    let mut cases = vec![
        case(
            "missing_up",
            "-- revision: a1\n-- message: m\n\nCREATE TABLE t (x INTEGER);\n",
            Error(4, "missing `-- up` section marker"),
        ),
        case(
            "two_ups",
            "-- revision: a1\n\n-- up\nCREATE TABLE t (x INTEGER);\n-- up\nCREATE TABLE u (x INTEGER);\n",
            Error(5, "`-- up` is repeated (first on line 3)"),
        ),
        case(
            "down_before_up",
            "-- revision: a1\n\n-- down\nDROP TABLE t;\n-- up\nCREATE TABLE t (x INTEGER);\n",
            Error(3, "`-- down` comes before `-- up`"),
        ),
        case(
            "revision_missing",
            &format!("-- message: no id\n\n{up}"),
            Error(1, "missing `-- revision: <id>` header"),
        ),
        case(
            "revision_empty",
            &format!("-- revision:\n\n{up}"),
            Error(1, "revision"),
        ),
        case(
            "revision_with_space",
            &format!("-- revision: a b\n\n{up}"),
            Error(1, "invalid revision id `a b`"),
        ),
        case(
            "revision_with_quote",
            &format!("-- revision: a'b\n\n{up}"),
            Error(1, "invalid revision id"),
        ),
        case(
            "revision_with_nul",
            &format!("-- revision: a\0b\n\n{up}"),
            Error(1, "invalid revision id"),
        ),
        case(
            "revision_with_u2028",
            &format!("-- revision: a\u{2028}b\n\n{up}"),
            Error(1, "invalid revision id"),
        ),
        case(
            "revision_with_tab_inside",
            &format!("-- revision: a\tb\n\n{up}"),
            Error(1, "invalid revision id"),
        ),
        case(
            "revision_of_300_bytes",
            &format!("-- revision: {}\n\n{up}", "a".repeat(300)),
            Error(1, "longer than 64 characters"),
        ),
        case(
            "revision_repeated",
            &format!("-- revision: a1\n-- revision: a2\n\n{up}"),
            Error(
                2,
                "header key `revision` is repeated (first given on line 1)",
            ),
        ),
        // White space around a marker's word is optional (docs/DESIGN.md §1).
        case(
            "up_without_space",
            "-- revision: a1\n\n--up\nCREATE TABLE t (x INTEGER);\n",
            Valid,
        ),
        case(
            "unknown_key",
            &format!("-- revision: a1\n-- revison: a1\n\n{up}"),
            Error(2, "unknown header key `revison` (did you mean `revision`?)"),
        ),
        case(
            "bad_transaction_value",
            &format!("-- revision: a1\n-- transaction: maybe\n\n{up}"),
            Error(2, "invalid `transaction` value `maybe`"),
        ),
        case(
            "unterminated_string",
            "-- revision: a1\n\n-- up\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES ('abc);\n",
            Error(5, "unterminated string literal"),
        ),
        case(
            "unterminated_quoted_identifier",
            "-- revision: a1\n\n-- up\nSELECT \"abc FROM t;\n",
            Error(4, "unterminated quoted identifier"),
        ),
        case(
            "unterminated_dollar_quote",
            "-- revision: a1\n\n-- up\nSELECT 1;\nSELECT $body$ never closed;\n",
            Error(5, "unterminated dollar-quoted string"),
        ),
        case(
            "unterminated_block_comment",
            "-- revision: a1\n\n-- up\nSELECT 1; /* never closed\nSELECT 2;\n",
            Error(4, "unterminated block comment"),
        ),
        case(
            "nested_block_comment_left_open",
            "-- revision: a1\n\n-- up\n/* outer /* inner */ still a comment\nSELECT 1;\n",
            Error(4, "unterminated block comment"),
        ),
        case(
            "statement_end_without_begin",
            "-- revision: a1\n\n-- up\nSELECT 1;\n-- statement-end\n",
            Error(
                5,
                "`-- statement-end` without a preceding `-- statement-begin`",
            ),
        ),
        case(
            "statement_begin_without_end",
            "-- revision: a1\n\n-- up\n-- statement-begin\nSELECT 1;\n",
            Error(4, "`-- statement-begin` has no matching `-- statement-end`"),
        ),
        case(
            "empty_file",
            "",
            Error(1, "missing `-- revision: <id>` header"),
        ),
        case(
            "only_comments",
            "-- a comment\n/* and a block\n   comment */\n-- nothing else\n",
            Error(1, "missing `-- revision: <id>` header"),
        ),
        case(
            "revises_itself",
            &format!("-- revision: a1\n-- revises: a1\n\n{up}"),
            Error(2, "a1"),
        ),
        case(
            "revises_unknown",
            &format!("-- revision: a1\n-- revises: nowhere\n\n{up}"),
            Error(2, "nowhere"),
        ),
        case(
            "upper_case_markers",
            "-- revision: a1\n\n-- UP\nCREATE TABLE t (x INTEGER);\n-- DOWN\nDROP TABLE t;\n",
            Valid,
        ),
        case(
            "trailing_blanks_on_annotations",
            "-- revision: a1 \t\n-- message: m\t \n\n-- up \t\nCREATE TABLE t (x INTEGER);\n-- down\t\nDROP TABLE t;\n",
            Valid,
        ),
        case(
            "markers_inside_a_block_comment",
            "-- revision: a1\n\n-- up\n/*\n-- down\n-- revision: b2\n*/\nCREATE TABLE t (x INTEGER);\n",
            Valid,
        ),
        case(
            "markers_inside_a_string",
            "-- revision: a1\n\n-- up\nCREATE TABLE t (x TEXT);\nINSERT INTO t VALUES ('\n-- down\n-- up\n');\n",
            Valid,
        ),
        case(
            "markers_inside_a_dollar_quote",
            "-- revision: a1\n\n-- up\nDO $$\n-- down\nBEGIN END\n$$;\n",
            Valid,
        ),
    ];
    let mut mysql = |name: &'static str, text: &str, expect: Expect| {
        cases.push(Case {
            name,
            dialect: Kind::Mysql,
            text: text.as_bytes().to_vec(),
            expect,
        });
    };
    mysql(
        "mysql_delimiter_command",
        "-- revision: a1\n\n-- up\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\n",
        Error(4, "DELIMITER"),
    );
    mysql(
        "mysql_unterminated_backslash_string",
        "-- revision: a1\n\n-- up\nINSERT INTO t VALUES ('it\\'s);\n",
        Error(4, "unterminated string literal"),
    );
    mysql(
        "mysql_markers_after_hash_comment",
        "-- revision: a1\n\n-- up\n# -- down\nCREATE TABLE t (x INTEGER);\n",
        Valid,
    );
    let mut invalid_utf8 = b"-- revision: a1\n\n-- up\nSELECT '".to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe]);
    invalid_utf8.extend_from_slice(b"';\n");
    cases.push(Case {
        name: "invalid_utf8",
        dialect: Kind::Postgres,
        text: invalid_utf8,
        expect: Error(4, "not valid UTF-8"),
    });
    cases
}

/// `text` with `\n` turned into `ending`, after an optional BOM.
fn encoded(text: &[u8], crlf: bool, bom: bool) -> Vec<u8> {
    let mut out = if bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    for &byte in text {
        if byte == b'\n' && crlf {
            out.extend_from_slice(b"\r\n");
        } else {
            out.push(byte);
        }
    }
    out
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The invalid fixtures: (name, bytes, line, message) from their `.expected`.
fn fixture_cases() -> Vec<(String, Vec<u8>, u32, String)> {
    let dir = fixtures().join("revisions/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/revisions/invalid")
        .map(|entry| entry.expect("a fixture").path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let expected =
                std::fs::read_to_string(path.with_extension("expected")).expect(".expected");
            let mut lines = expected.lines();
            let line = lines
                .next()
                .and_then(|position| position.split(':').next())
                .and_then(|line| line.parse().ok())
                .expect("line:column");
            let message = lines.next().unwrap_or_default().to_owned();
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read(&path).expect("fixture"), line, message)
        })
        .collect()
}

/// Runs `sqlmig heads` on a project holding only `bytes` as
/// `migrations/<name>.sql`. Returns (exit code, stderr).
fn check_one(name: &str, bytes: &[u8], dialect: Kind) -> (Option<i32>, String) {
    let project = Project::new();
    project.write(&format!("migrations/{name}.sql"), bytes);
    if dialect == Kind::Mysql {
        project.write("sqlmig.toml", "dialect = \"mysql\"\n");
    }
    let run = project
        .sqlmig()
        .env("RUST_BACKTRACE", "1")
        .args(["heads"])
        .run();
    (run.code(), run.stderr())
}

/// docs/RELIABILITY.md D1: about 150 malformed and tricky files. Nothing
/// panics; every malformed file fails with exit 1 and a message naming
/// `migrations/<file>.sql:<line>` at the right line with the right words,
/// in every encoding; the tricky valid ones (markers inside comments,
/// strings and dollar quotes, upper-case markers, trailing blanks) parse.
#[test]
fn malformed_files_fail_at_their_line_and_never_panic() {
    let mut problems = Vec::new();
    let (mut files, mut panics, mut errors, mut at_line) = (0u64, 0u64, 0u64, 0u64);
    let mut judge = |name: String, bytes: &[u8], dialect: Kind, expect: &Expect| {
        files += 1;
        let (code, stderr) = check_one(&name, bytes, dialect);
        if stderr.contains("panicked at") {
            panics += 1;
        }
        match expect {
            Expect::Valid => {
                if code != Some(0) {
                    problems.push(format!("{name}: expected to parse\n{stderr}"));
                }
            }
            Expect::Error(line, message) => {
                errors += 1;
                // `file:line:column: message`, or `(file:line)` in a graph error.
                let place = format!("migrations/{name}.sql:{line}");
                let located = stderr.contains(&format!("error: {place}:"))
                    || stderr.contains(&format!("({place})"));
                let right = code == Some(1) && located && stderr.contains(message);
                at_line += u64::from(right);
                if !right {
                    problems.push(format!(
                        "{name}: expected exit 1, `{place}` and {message:?}; got {code:?}\n{stderr}"
                    ));
                }
            }
        }
    };
    for case in generated_cases() {
        for (crlf, bom) in [(false, false), (true, false), (false, true), (true, true)] {
            let name = format!(
                "{}{}{}",
                case.name,
                if crlf { "_crlf" } else { "" },
                if bom { "_bom" } else { "" }
            );
            judge(
                name,
                &encoded(&case.text, crlf, bom),
                case.dialect,
                &case.expect,
            );
        }
    }
    for (name, bytes, line, message) in fixture_cases() {
        let message: &'static str = Box::leak(message.into_boxed_str());
        judge(name, &bytes, Kind::Postgres, &Expect::Error(line, message));
    }

    // A large file parses within reason (50 MB with SQLMIG_SOAK).
    let megabytes = scaled(5, 50);
    let statement = "INSERT INTO t (x, note) VALUES (1, 'some text; with a semicolon');\n";
    let mut big =
        String::from("-- revision: big\n\n-- up\nCREATE TABLE t (x INTEGER, note TEXT);\n");
    while big.len() < megabytes * 1_000_000 {
        big.push_str(statement);
    }
    let started = Instant::now();
    let (code, stderr) = check_one("big", big.as_bytes(), Kind::Postgres);
    let took = started.elapsed();
    files += 1;
    panics += u64::from(stderr.contains("panicked at"));
    if code != Some(0) {
        problems.push(format!("the {megabytes} MB file did not parse\n{stderr}"));
    }
    eprintln!("D1: {files} files, {panics} panics; a {megabytes} MB file parsed in {took:.2?}");
    record(&[
        ("d1.files", files),
        ("d1.panics", panics),
        ("d1.errors", errors),
        ("d1.errors_at_line", at_line),
        ("d1.big_file_mb", megabytes as u64),
        ("d1.big_file_ms_max", took.as_millis() as u64),
    ]);
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

// ---------------------------------------------------------------------------
// D5: resource limits of the error report

/// docs/RELIABILITY.md D5: a file with a million mistakes (a 1 MB `revises`
/// line of empty entries) reports its first 20 and counts the rest, and a
/// directory of many broken files reports its first 200 problems and counts
/// the rest: the report stays a few kilobytes (it was a million lines and
/// 66 MB, with a quarter of a gigabyte resident), through `verify` (which
/// reads every file) and `heads` (which loads the graph).
#[test]
fn errors_are_capped_per_file_and_per_directory() {
    let project = Project::new();
    let header = format!("-- revision: a\n-- revises: {}\n", ",".repeat(1 << 20));
    project.write("migrations/a.sql", format!("{header}-- up\nSELECT 1;\n"));
    let mut largest = (0, 0);
    for command in ["verify", "heads"] {
        let run = project.sqlmig().args([command]).run().failure().no_panic();
        let stderr = run.stderr();
        let lines: Vec<&str> = stderr.lines().collect();
        let empty = lines
            .iter()
            .filter(|line| line.contains("a.sql:2:4: invalid parent id ``: it is empty"))
            .count();
        assert_eq!(empty, 20, "{command}: the first 20 errors\n{stderr}");
        assert!(
            stderr.contains("a.sql: … and 1048557 more errors in this file"),
            "{command}: the rest counted\n{stderr}"
        );
        assert!(lines.len() <= 25, "{command}: {} lines", lines.len());
        largest = largest.max((stderr.len(), lines.len()));
    }

    // 300 files, each with three mistakes (a bad id, two empty parents):
    // the first 200 problems, then the count.
    let project = Project::new();
    for index in 0..300 {
        project.write(
            &format!("migrations/r{index:03}.sql"),
            "-- revision: bad id\n-- revises: ,\n-- up\nSELECT 1;\n",
        );
    }
    for command in ["verify", "heads"] {
        let run = project.sqlmig().args([command]).run().failure().no_panic();
        let stderr = run.stderr();
        let located = stderr.lines().filter(|line| line.contains(".sql:")).count();
        assert_eq!(located, 200, "{command}: the first 200 problems\n{stderr}");
        assert!(
            stderr.contains("… and 700 more problems"),
            "{command}: the rest counted\n{stderr}"
        );
        assert!(
            stderr.contains("r000.sql:1:4:") && !stderr.contains("r067.sql"),
            "{command}: the first files, in order\n{stderr}"
        );
        largest = largest.max((stderr.len(), stderr.lines().count()));
    }
    eprintln!(
        "D5: a million errors in one file and 900 in 300 files: at most {} bytes, {} lines of report",
        largest.0, largest.1
    );
    record(&[
        ("d5.report_bytes_max", largest.0 as u64),
        ("d5.report_lines_max", largest.1 as u64),
    ]);
}

// ---------------------------------------------------------------------------
// D3: the splitter against the servers' own parsers

/// One generated statement: `SELECT <id> AS <ident>, <literal> AS <ident>`
/// with comments around and inside it.
fn statement_strategy(kind: Kind) -> impl Strategy<Value = (String, String, String, String)> {
    let literals: Vec<&'static str> = match kind {
        Kind::Postgres => vec![
            "'a;b'",
            "'it''s; ok'",
            "'-- not a comment'",
            "'/* nor this */'",
            "'$$'",
            "$$x;y'\"$$",
            "$tag$ ; ' \" $$ $tag$",
            "E'\\';'",
            "'back\\slash'",
            "U&'d;\\0041'",
        ],
        Kind::Mysql => vec![
            "'a;b'",
            "'it''s; ok'",
            "'it\\'s; escaped'",
            "\"dq; 'x' \\\" y\"",
            "'back\\\\slash;'",
            "'-- not # a comment'",
            "'/* nor this */'",
            "'$$'",
        ],
        Kind::Sqlite => vec![
            "'a;b'",
            "'it''s; ok'",
            "'-- not a comment'",
            "'/* nor this */'",
            "'$$ \\'",
            "X'3B27'",
        ],
    };
    let identifiers: Vec<&'static str> = match kind {
        Kind::Postgres => vec!["\"x;y\"", "\"a\"\"b;\"", "\"--c\"", "\"/*d*/\"", "plain"],
        Kind::Mysql => vec!["`x;y`", "`a``b;`", "`--c`", "`#d`", "plain"],
        Kind::Sqlite => vec!["\"x;y\"", "[a;b]", "`c;d`", "\"--e\"", "plain"],
    };
    let comments: Vec<&'static str> = match kind {
        Kind::Postgres => vec![
            "",
            " ",
            "\n",
            " -- c; 'q' \"d\" $$\n",
            " /* c; 'q' \" $$ */ ",
            " /* outer /* inner; ' */ still; */ ",
        ],
        Kind::Mysql => vec![
            "",
            " ",
            "\n",
            " -- c; 'q' \"d\"\n",
            " # hash; 'q'\n",
            " /* c; 'q' \" */ ",
        ],
        Kind::Sqlite => vec!["", " ", "\n", " -- c; 'q' \"d\"\n", " /* c; 'q' \" $$ */ "],
    };
    (
        prop::sample::select(literals),
        prop::sample::select(identifiers.clone()),
        prop::sample::select(identifiers),
        prop::collection::vec(prop::sample::select(comments), 4),
    )
        .prop_map(|(literal, first, second, comments)| {
            (
                literal.to_owned(),
                first.to_owned(),
                second.to_owned(),
                comments.concat(),
            )
        })
}

/// The middle of a compound statement, or `None` for a plain `SELECT`:
/// MySQL procedure bodies and SQLite trigger bodies with bare `;`, nested
/// blocks, `CASE` statements and expressions, loops, labels, comments and
/// strings holding `END;`. PostgreSQL has none (its bodies are dollar quotes).
fn compound_body_strategy(kind: Kind) -> impl Strategy<Value = Option<String>> {
    let pieces: Vec<&'static str> = match kind {
        Kind::Postgres => vec![""],
        Kind::Mysql => vec![
            "\n  WHILE i < 2 DO SET i = i + 1; END WHILE;",
            "\n  IF i > 5 THEN SET i = 0; ELSEIF i < 0 THEN SET i = 1; END IF;",
            "\n  CASE i WHEN 1 THEN SET s = 'END;'; ELSE BEGIN SET s = CASE WHEN i > 0 THEN 'x' ELSE 'y' END; END; END CASE;",
            "\n  inner_loop: LOOP LEAVE inner_loop; END LOOP inner_loop;",
            "\n  REPEAT SET i = i + 1; UNTIL i > 3 END REPEAT;",
            "\n  BEGIN DECLARE begin_date INT DEFAULT 1; SET s = \"begin; \\\" end\"; END;",
            "\n  -- c; END\n",
            "\n  # h; END;\n",
            "\n  /* END; BEGIN */ SET s = CONCAT(s, 'x;');",
            "\n  nested: BEGIN LEAVE nested; END nested;",
            "\n  SET s = (SELECT CASE WHEN 1 THEN 'a' END), i = IF(i > 0, 1, 2);",
        ],
        Kind::Sqlite => vec![
            " UPDATE d3_tick SET n = CASE WHEN n > 0 THEN n ELSE 0 END WHERE n < -100;",
            " SELECT RAISE(IGNORE) WHERE NEW.n < -100;",
            " -- c; END\n",
            " /* END; */",
            " DELETE FROM d3_tick WHERE n = 'x; END';",
            " SELECT [end] FROM (SELECT 1 AS [end]) WHERE 0;",
            "\n SELECT CASE NEW.n WHEN 1 THEN 'END' ELSE NEW.n END;",
            " UPDATE d3_tick SET n = n WHERE n = 0 AND 'begin; end' <> '';",
        ],
    };
    let size = pieces.len();
    (0..4u8, prop::sample::subsequence(pieces, 0..=size.min(5))).prop_map(
        move |(choice, pieces)| (kind != Kind::Postgres && choice == 0).then(|| pieces.concat()),
    )
}

/// A script of 1 to 20 generated items, and how many statements it holds.
/// Item `n` is `SELECT n`, or (MySQL, SQLite) a compound statement and the
/// statements that make it give `n`: a procedure and its `CALL`; a trigger
/// on a table that an `INSERT` fires, then `SELECT n`.
fn script_strategy(kind: Kind) -> impl Strategy<Value = (String, usize)> {
    let item = (
        statement_strategy(kind),
        0..4usize,
        compound_body_strategy(kind),
    );
    prop::collection::vec(item, 1..=20).prop_map(move |parts| {
        let mut script = String::new();
        let mut statements = 0;
        for (number, ((literal, first, second, comment), gap, body)) in
            parts.into_iter().enumerate()
        {
            let around = ["", "\n", "  \n\t", " -- between; 'x'\n"][gap];
            let n = number + 1;
            match (kind, body) {
                (Kind::Mysql, Some(body)) => {
                    script.push_str(&format!(
                        "{around}CREATE OR REPLACE PROCEDURE d3_p{n}(){comment}\nbody{n}: BEGIN\n  \
                         DECLARE i INT DEFAULT 0;\n  DECLARE s VARCHAR(40) DEFAULT '';{body}\n  \
                         SELECT {n} AS {first}, {literal} AS {second};\nEND body{n};{around}CALL d3_p{n}();"
                    ));
                    statements += 2;
                }
                (Kind::Sqlite, Some(body)) => {
                    script.push_str(&format!(
                        "{around}CREATE TEMP TABLE IF NOT EXISTS d3_tick (n);\
                         {around}CREATE TEMP TRIGGER IF NOT EXISTS d3_t{n} AFTER INSERT ON d3_tick{comment}\n\
                         BEGIN{body} SELECT {literal} AS {second}; END;\
                         {around}INSERT INTO d3_tick VALUES ({n});{around}SELECT {n} AS {first};"
                    ));
                    statements += 4;
                }
                _ => {
                    script.push_str(&format!(
                        "{around}SELECT {comment}{n} AS {first},{comment} {literal} AS {second}{comment};"
                    ));
                    statements += 1;
                }
            }
        }
        (script, statements)
    })
}

/// A server's own reading of a script: the first column of each result
/// set, for the whole script sent at once, and for one statement (`None`
/// when it returns no row, as `CREATE` and `INSERT` do).
trait Oracle {
    fn whole_script(&mut self, script: &str) -> Result<Vec<String>, String>;
    fn one_statement(&mut self, statement: &str) -> Result<Option<String>, String>;
}

/// At most one value, for `one_statement`.
fn at_most_one(values: Vec<String>) -> Result<Option<String>, String> {
    match <[String; 1]>::try_from(values) {
        Ok([value]) => Ok(Some(value)),
        Err(values) if values.is_empty() => Ok(None),
        Err(values) => Err(format!("{} rows", values.len())),
    }
}

struct PostgresOracle {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl PostgresOracle {
    fn connect(database: &TestDb) -> PostgresOracle {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let client = runtime.block_on(async {
            let (client, connection) =
                tokio_postgres::connect(database.url(), tokio_postgres::NoTls)
                    .await
                    .expect("connect");
            tokio::spawn(connection);
            client
        });
        PostgresOracle { runtime, client }
    }

    fn first_values(&mut self, sql: &str) -> Result<Vec<String>, String> {
        let messages = self
            .runtime
            .block_on(self.client.simple_query(sql))
            .map_err(|error| error.to_string())?;
        Ok(messages
            .into_iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => {
                    Some(row.get(0).unwrap_or_default().to_owned())
                }
                _ => None,
            })
            .collect())
    }
}

impl Oracle for PostgresOracle {
    fn whole_script(&mut self, script: &str) -> Result<Vec<String>, String> {
        self.first_values(script)
    }

    fn one_statement(&mut self, statement: &str) -> Result<Option<String>, String> {
        at_most_one(self.first_values(statement)?)
    }
}

struct MysqlOracle {
    runtime: tokio::runtime::Runtime,
    connection: Option<mysql_async::Conn>,
}

impl MysqlOracle {
    fn connect(database: &TestDb) -> MysqlOracle {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let opts = mysql_async::Opts::from_url(database.url()).expect("URL");
        let connection = runtime
            .block_on(mysql_async::Conn::new(opts))
            .expect("connect");
        MysqlOracle {
            runtime,
            connection: Some(connection),
        }
    }

    fn value(value: &mysql_async::Value) -> String {
        match value {
            mysql_async::Value::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            other => other.as_sql(true),
        }
    }
}

impl Oracle for MysqlOracle {
    fn whole_script(&mut self, script: &str) -> Result<Vec<String>, String> {
        let connection = self.connection.as_mut().expect("open");
        self.runtime.block_on(async {
            let mut result = connection
                .query_iter(script)
                .await
                .map_err(|error| error.to_string())?;
            let mut values = Vec::new();
            while !result.is_empty() {
                let rows: Vec<mysql_async::Row> =
                    result.collect().await.map_err(|error| error.to_string())?;
                for row in rows {
                    values.push(row.as_ref(0).map(Self::value).unwrap_or_default());
                }
            }
            Ok(values)
        })
    }

    fn one_statement(&mut self, statement: &str) -> Result<Option<String>, String> {
        at_most_one(self.whole_script(statement)?)
    }
}

impl Drop for MysqlOracle {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            let _ = self.runtime.block_on(connection.disconnect());
        }
    }
}

struct SqliteOracle(rusqlite::Connection);

impl SqliteOracle {
    fn first_value(statement: &mut rusqlite::Statement<'_>) -> Result<Option<String>, String> {
        let mut rows = statement.query([]).map_err(|error| error.to_string())?;
        let row = rows.next().map_err(|error| error.to_string())?;
        Ok(row.map(|row| match row.get_ref(0) {
            Ok(rusqlite::types::ValueRef::Integer(integer)) => integer.to_string(),
            Ok(other) => format!("{other:?}"),
            Err(error) => error.to_string(),
        }))
    }
}

impl Oracle for SqliteOracle {
    /// SQLite's own statement-by-statement prepare (`sqlite3_prepare` and
    /// its tail), as `rusqlite::Batch` walks a script.
    fn whole_script(&mut self, script: &str) -> Result<Vec<String>, String> {
        use rusqlite::fallible_iterator::FallibleIterator as _;
        let mut batch = rusqlite::Batch::new(&self.0, script);
        let mut values = Vec::new();
        while let Some(mut statement) = batch.next().map_err(|error| error.to_string())? {
            if let Some(value) = Self::first_value(&mut statement)? {
                values.push(value);
            }
        }
        Ok(values)
    }

    fn one_statement(&mut self, statement: &str) -> Result<Option<String>, String> {
        let mut prepared = self
            .0
            .prepare(statement)
            .map_err(|error| error.to_string())?;
        Self::first_value(&mut prepared)
    }
}

fn dialect(kind: Kind) -> Dialect {
    match kind {
        Kind::Postgres => Dialect::Postgres,
        Kind::Mysql => Dialect::Mysql,
        Kind::Sqlite => Dialect::Sqlite,
    }
}

/// docs/RELIABILITY.md D3: generated scripts of up to 20 statements, decorated
/// with comments, literals and quoted identifiers holding `;`, quotes,
/// dashes and dollar signs, and (MySQL, SQLite) compound statements written
/// without markers: procedures and triggers whose bodies hold `;`. The server runs the whole script as one text
/// (PostgreSQL's simple query, MariaDB's multi-statement query, SQLite's
/// own prepare-and-tail walk); sqlmig's statements, run one by one, must
/// give the same values in the same order. A disagreement is shrunk to
/// the smallest script that shows it.
fn splitter_agrees_with_the_server(kind: Kind) {
    let project = Project::new();
    let Some(database) = crate::harness::fresh(kind, &project) else {
        return;
    };
    let oracle: RefCell<Box<dyn Oracle>> = RefCell::new(match kind {
        Kind::Postgres => Box::new(PostgresOracle::connect(&database)),
        Kind::Mysql => Box::new(MysqlOracle::connect(&database)),
        Kind::Sqlite => Box::new(SqliteOracle(
            rusqlite::Connection::open_in_memory().expect("SQLite"),
        )),
    });
    let cases = scaled(300, 5_000);
    let scripts = Cell::new(0u64);
    let mut runner = TestRunner::new(Config {
        cases: cases as u32,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&script_strategy(kind), |(script, count)| {
        scripts.set(scripts.get() + 1);
        let mut oracle = oracle.borrow_mut();
        let expected = oracle.whole_script(&script).map_err(|error| {
            TestCaseError::fail(format!("the server refused the script: {error}"))
        })?;
        let statements = split_statements(&script, dialect(kind))
            .map_err(|error| TestCaseError::fail(format!("sqlmig refused the script: {error}")))?;
        // As many statements as were written: none cut, none merged.
        prop_assert_eq!(statements.len(), count);
        let mut ours = Vec::new();
        for statement in &statements {
            let value = oracle.one_statement(&statement.sql).map_err(|error| {
                TestCaseError::fail(format!("statement {:?} alone: {error}", statement.sql))
            })?;
            ours.extend(value);
        }
        prop_assert_eq!(ours, expected);
        Ok(())
    });
    let disagreements = u64::from(result.is_err());
    record(&[
        ("d3.scripts", scripts.get()),
        ("d3.disagreements", disagreements),
    ]);
    if let Err(TestError::Fail(reason, (script, _))) = &result {
        panic!(
            "{kind:?}: the splitter and the server disagree ({reason}) on the shrunk script:\n{script}"
        );
    }
    result.expect("the splitter agrees with the server");
    eprintln!("D3 {kind:?}: {} scripts, 0 disagreements", scripts.get());
}

#[test]
fn postgres_splitter_agrees_with_the_servers_own_parse() {
    splitter_agrees_with_the_server(Kind::Postgres);
}

#[test]
fn mysql_splitter_agrees_with_the_servers_own_parse() {
    splitter_agrees_with_the_server(Kind::Mysql);
}

#[test]
fn sqlite_splitter_agrees_with_the_servers_own_parse() {
    splitter_agrees_with_the_server(Kind::Sqlite);
}

// ---------------------------------------------------------------------------
// D4: fuzzing the parser and the splitter

/// Byte offset of a 1-based line and character column in `text`.
fn offset_of(text: &str, line: u32, column: u32) -> Option<usize> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = text.get(line_start..)?;
    let within: usize = rest
        .chars()
        .take(column as usize - 1)
        .map(char::len_utf8)
        .sum();
    Some(line_start + within)
}

/// The splitter's invariants on `text`: statements are exact slices of the
/// input at their reported line and column, in order without overlap,
/// within the file, never empty or padded, and a plain statement split
/// alone (with its `;`) is exactly itself.
fn check_split(text: &str, dialect: Dialect) -> Result<(), TestCaseError> {
    let lines = text.split('\n').count() as u32;
    let statements = match split_statements(text, dialect) {
        Ok(statements) => statements,
        Err(error) => {
            prop_assert!(error.line >= 1 && error.line <= lines && error.column >= 1);
            return Ok(());
        }
    };
    let mut end = 0;
    for statement in &statements {
        prop_assert!(
            statement.line >= 1 && statement.line <= lines,
            "{statement:?}"
        );
        let start = offset_of(text, statement.line, statement.column);
        prop_assert!(start.is_some(), "{statement:?} is outside the text");
        let start = start.unwrap_or_default();
        prop_assert!(start >= end, "{statement:?} overlaps the one before");
        prop_assert_eq!(
            text.get(start..start + statement.sql.len()),
            Some(statement.sql.as_str())
        );
        // SQL's white space is ASCII (U+2028 is a character to a server).
        let blank = |c: char| c.is_ascii_whitespace() || c == '\u{b}';
        prop_assert!(
            !statement.sql.is_empty() && statement.sql.trim_matches(blank) == statement.sql,
            "{statement:?}"
        );
        end = start + statement.sql.len();
        if !statement.delimited {
            // Terminated as in a file (a MySQL `--` at the very end of a
            // text is a comment, before a `;` it is not).
            let again = split_statements(&format!("{};", statement.sql), dialect)
                .map_err(|error| TestCaseError::fail(format!("{statement:?} alone: {error}")))?;
            prop_assert_eq!(again.len(), 1, "{:?} alone is {:?}", statement.sql, again);
            prop_assert_eq!(&again[0].sql, &statement.sql);
        }
    }
    Ok(())
}

/// The parser's invariants on a file: no panic; errors point inside the
/// file; the statements of a parsed file are slices of it in order.
fn check_parse(bytes: &[u8], dialect: Dialect) -> Result<(), TestCaseError> {
    let Ok(text) = normalize(bytes) else {
        return Ok(());
    };
    let lines = text.split('\n').count() as u32;
    let file = SourceFile {
        path: PathBuf::from("migrations/fuzz.sql"),
        relative_path: String::from("fuzz.sql"),
    };
    match parse_revision(&text, &file, dialect) {
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            for error in errors {
                prop_assert!(
                    error.span.line >= 1 && error.span.line <= lines && error.span.column >= 1,
                    "{error} is outside a file of {lines} lines"
                );
            }
        }
        Ok(revision) => {
            let sections = std::iter::once(&revision.up).chain(revision.down.as_ref());
            let mut last_line = 0;
            for section in sections {
                prop_assert!(section.line > last_line);
                last_line = section.line;
                for statement in &section.statements {
                    prop_assert!(statement.line > section.line && statement.line <= lines);
                    prop_assert!(statement.line >= last_line);
                    last_line = statement.line;
                    let start = offset_of(&text, statement.line, statement.column);
                    prop_assert_eq!(
                        start.and_then(|start| text.get(start..start + statement.sql.len())),
                        Some(statement.sql.as_str())
                    );
                }
            }
        }
    }
    Ok(())
}

/// Pieces that matter to the lexers, to build inputs that reach deep.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-cE1 ;\n]{1,4}",
        3 => prop::sample::select(vec![
            "'", "''", "\"", "`", "$", "$$", "$a$", "$a", ";", "-", "--", "-- ", "/", "*", "/*",
            "*/", "#", "[", "]", "\\", "\\'", "E'", "U&'", "X'", "é", "\u{2028}", "\t", "\r",
            "\r\n", "\u{feff}", "/*!", "\0",
        ])
        .prop_map(str::to_owned),
        2 => prop::sample::select(vec![
            "\n-- statement-begin\n", "\n-- statement-end\n", "\n-- up\n", "\n-- down\n",
            "\nDELIMITER //\n", "\n-- revision: a1\n", "\n-- revises: b2\n", "\n-- message: x\n",
            "\n-- transaction: false\n", "\n-- UP\n", "\n--up\n",
        ])
        .prop_map(str::to_owned),
        // Compound statements without markers (MySQL, SQLite).
        2 => prop::sample::select(vec![
            "CREATE PROCEDURE p() BEGIN ", "create trigger t begin ", "CREATE TEMP TRIGGER t BEGIN ",
            "CREATE DEFINER=`u`@'%' EVENT e DO BEGIN ", "BEGIN ", " END", " END IF", " END CASE",
            "CASE ", "begin_date", ".end", "lbl: ", " END lbl", " END LOOP",
        ])
        .prop_map(str::to_owned),
        1 => "\\PC{1,8}",
    ]
}

/// docs/RELIABILITY.md D4 on stable Rust: a long proptest run of the splitter
/// and the parser, for every dialect, on inputs built from the pieces the
/// lexers care about and on arbitrary text; 3,000 cases per property in
/// CI, 300,000 with `SQLMIG_SOAK`. Also replays every fixture and the
/// example project as a regression corpus.
#[test]
fn fuzzed_parser_and_splitter_never_panic_and_stay_lossless() {
    let cases = scaled(3_000, 300_000) as u32;
    let executions = Cell::new(0u64);
    let mut crashes = 0u64;
    let mut failures = Vec::new();
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let text = prop_oneof![
        3 => prop::collection::vec(fragment(), 0..60).prop_map(|pieces| pieces.concat()),
        1 => "\\PC{0,200}",
    ];
    let started = Instant::now();
    for dialect in Dialect::ALL {
        let mut runner = TestRunner::new(config.clone());
        let split = runner.run(&text, |input| {
            executions.set(executions.get() + 1);
            check_split(&input, dialect)
        });
        let mut runner = TestRunner::new(config.clone());
        let parse = runner.run(&text, |input| {
            executions.set(executions.get() + 1);
            check_parse(input.as_bytes(), dialect)
        });
        for (what, result) in [("split", split), ("parse", parse)] {
            if let Err(error) = result {
                crashes += 1;
                failures.push(format!("{what} {dialect:?}: {error}"));
            }
        }
    }

    // The corpus: fixtures, the example project, the emit fixtures.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = 0u64;
    for dir in ["fixtures", "migrations"] {
        for entry in sql_files(&root.join(dir)) {
            let bytes = std::fs::read(&entry).expect("corpus file");
            for dialect in Dialect::ALL {
                corpus += 1;
                let text = String::from_utf8_lossy(&bytes);
                for result in [check_split(&text, dialect), check_parse(&bytes, dialect)] {
                    if let Err(error) = result {
                        crashes += 1;
                        failures.push(format!("{}: {error}", entry.display()));
                    }
                }
            }
        }
    }
    eprintln!(
        "D4: {} generated cases and {corpus} corpus replays in {:.2?}",
        executions.get(),
        started.elapsed()
    );
    record(&[
        ("d4.cases", executions.get() + corpus),
        ("d4.crashes", crashes),
    ]);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every `.sql` file below `dir`.
fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "sql") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
