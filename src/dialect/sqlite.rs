//! SQLite: quoting.

/// `"name"` with `"` doubled.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with `'` doubled: SQLite has no backslash escapes. NUL would end
/// the text early in the C API and is dropped.
pub(super) fn quote_literal(text: &str) -> String {
    super::quote_standard_literal(text)
}
