//! Any bytes as a revision file, read as each dialect: normalising and
//! parsing never panic; a failure has at least one error, and every error
//! points inside the input (a line of the normalised text, a column of that
//! line or just past its end), except the count of errors left out, which
//! names the file only.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqlmig::Dialect;
use sqlmig::revision::{ParseErrorKind, SourceFile, normalize, parse_revision};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = normalize(bytes) else {
        return;
    };
    let file = SourceFile {
        path: "migrations/fuzz.sql".into(),
        relative_path: "fuzz.sql".into(),
    };
    // Characters per line, for the columns (1-based, counted in characters).
    let lines: Vec<usize> = text.split('\n').map(|line| line.chars().count()).collect();
    for dialect in Dialect::ALL {
        let errors = match parse_revision(&text, &file, dialect) {
            Ok(revision) => {
                for statement in revision.up.statements.iter().chain(
                    revision.down.iter().flat_map(|down| &down.statements),
                ) {
                    let line = statement.line as usize;
                    assert!(line >= 1 && line <= lines.len(), "statement line {line}");
                    assert!(text.contains(&statement.sql), "statement not in the text");
                }
                continue;
            }
            Err(errors) => errors,
        };
        assert!(!errors.is_empty(), "{dialect}: a failure without an error");
        for error in &errors {
            let (line, column) = (error.span.line as usize, error.span.column as usize);
            if matches!(error.kind, ParseErrorKind::MoreInFile { .. }) {
                assert_eq!((line, column), (0, 0), "{dialect}: {error}");
                continue;
            }
            assert!(line >= 1 && line <= lines.len(), "{dialect}: {error}: line outside the input");
            assert!(
                column >= 1 && column <= lines[line - 1] + 1,
                "{dialect}: {error}: column outside line {line}"
            );
        }
    }
});
