//! BOM and CRLF normalisation (docs/RELIABILITY.md §4.2): it accepts exactly
//! the UTF-8 inputs; its output holds no CR, is what a plain reading of the
//! rule gives (one leading BOM dropped, CRLF and lone CR to LF, nothing else
//! touched), and normalising again changes nothing. The checksums do not see
//! line endings or a BOM: the file and revision checksums of the input, of
//! its LF text written with CRLF, and of it with a BOM, are the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqlmig::Dialect;
use sqlmig::revision::{Checksum, SourceFile, normalize, parse_revision};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        assert!(normalize(bytes).is_err(), "invalid UTF-8 accepted");
        return;
    };
    let normalized = normalize(bytes).expect("valid UTF-8 refused");
    assert!(!normalized.contains('\r'), "a CR survived");
    let expected = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    assert_eq!(normalized, expected, "not the rule's text");
    assert_eq!(normalize(normalized.as_bytes()).as_ref(), Ok(&normalized), "not idempotent");

    let crlf = normalized.replace('\n', "\r\n");
    let bom = format!("\u{feff}{crlf}");
    let file = SourceFile {
        path: "migrations/fuzz.sql".into(),
        relative_path: "fuzz.sql".into(),
    };
    let revision = parse_revision(&normalized, &file, Dialect::Postgres).ok();
    for variant in [crlf, bom] {
        let again = normalize(variant.as_bytes()).expect("valid UTF-8 refused");
        assert_eq!(Checksum::of_file(&again), Checksum::of_file(&normalized));
        let checksum = |revision: &sqlmig::Revision| (revision.checksum, revision.down_checksum());
        let other = parse_revision(&again, &file, Dialect::Postgres).ok();
        assert_eq!(revision.as_ref().map(checksum), other.as_ref().map(checksum));
    }
});
