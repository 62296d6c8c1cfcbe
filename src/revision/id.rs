//! Revision ids and branch labels: `[A-Za-z0-9][A-Za-z0-9_.-]*`, at most 64
//! characters (docs/DESIGN.md §1). The restriction also keeps ids safe inside SQL
//! literals, comments and file names.

/// The longest id allowed.
pub const MAX_ID_LENGTH: usize = 64;

/// Checks that `value` is a well-formed revision id or branch label; the error
/// says why not.
pub fn validate_id(value: &str) -> Result<(), &'static str> {
    let mut chars = value.chars();
    match chars.next() {
        None => return Err("it is empty"),
        Some(first) if !first.is_ascii_alphanumeric() => {
            return Err("it must start with an ASCII letter or digit");
        }
        Some(_) => {}
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        return Err("only ASCII letters, digits, `_`, `.` and `-` are allowed");
    }
    if value.len() > MAX_ID_LENGTH {
        return Err("it is longer than 64 characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_spec() {
        for good in ["a", "9f3c2a1b7d4e", "v1.2_fix-3", &"x".repeat(64)] {
            assert_eq!(validate_id(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-a",
            ".a",
            "_a",
            "a b",
            "a'b",
            "a\0",
            "é",
            "a\u{2028}",
            &"x".repeat(65),
        ] {
            assert!(validate_id(bad).is_err(), "{bad:?}");
        }
    }
}
