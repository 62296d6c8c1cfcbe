//! The two blake3 checksums of docs/DESIGN.md §1 and the text normalisation under them.
//!
//! The encoding is versioned and never changes silently: golden values are
//! pinned in the tests below and in `tests/fixtures.rs`. A new encoding gets a
//! new domain tag and a migration path, never an edit of this one (the
//! Liquibase 4.22 lesson in docs/RELIABILITY.md §4.2).

use std::fmt;
use std::str::FromStr;

/// A blake3 digest, shown as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Checksum([u8; 32]);

const REVISION_DOMAIN: &[u8] = b"sqlmig-revision-checksum-v1\0";
const DOWN_DOMAIN: &[u8] = b"sqlmig-down-checksum-v1\0";

impl Checksum {
    /// The file checksum: blake3 of the whole normalised file, as `sqlmig.sum` records it.
    pub fn of_file(normalized: &str) -> Self {
        Checksum(*blake3::hash(normalized.as_bytes()).as_bytes())
    }

    /// The revision checksum: what a deploy depends on (id, parents,
    /// dependencies, transaction flag and the up section's text) in a
    /// length-prefixed, domain-separated encoding. Parents and dependencies are
    /// sorted, so reordering them in the header is not an edit.
    pub fn of_revision(
        id: &str,
        parents: &[String],
        dependencies: &[String],
        transactional: bool,
        up_text: &str,
    ) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(REVISION_DOMAIN);
        update_field(&mut hasher, id.as_bytes());
        update_sorted_list(&mut hasher, parents);
        update_sorted_list(&mut hasher, dependencies);
        hasher.update(&[u8::from(transactional)]);
        update_field(&mut hasher, up_text.as_bytes());
        Checksum(*hasher.finalize().as_bytes())
    }

    /// The down checksum: a changed down section is only ever a warning.
    pub fn of_down(down_text: &str) -> Self {
        let mut hasher = blake3::Hasher::new();
        hasher.update(DOWN_DOMAIN);
        update_field(&mut hasher, down_text.as_bytes());
        Checksum(*hasher.finalize().as_bytes())
    }

    /// Blake3 of arbitrary bytes (the sum file's header, statement progress hashes).
    pub fn of_bytes(bytes: &[u8]) -> Self {
        Checksum(*blake3::hash(bytes).as_bytes())
    }

    /// The 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        let mut hex = String::with_capacity(64);
        self.push_hex(&mut hex);
        hex
    }

    /// Appends the 64 lowercase hex digits to `out` (a sum file has one per
    /// revision: no formatting machinery per byte).
    pub fn push_hex(&self, out: &mut String) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = [0; 64];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(byte >> 4)];
            pair[1] = DIGITS[usize::from(byte & 0xf)];
        }
        // Hex digits are ASCII: the conversion cannot fail.
        out.push_str(std::str::from_utf8(&hex).unwrap_or_default());
    }

    /// The first `digits` hex digits, for messages.
    pub fn short(&self, digits: usize) -> String {
        let mut hex = self.to_hex();
        hex.truncate(digits);
        hex
    }
}

fn update_field(hasher: &mut blake3::Hasher, bytes: &[u8]) {
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn update_sorted_list(hasher: &mut blake3::Hasher, items: &[String]) {
    let mut sorted: Vec<&str> = items.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    hasher.update(&(sorted.len() as u64).to_le_bytes());
    for item in sorted {
        update_field(hasher, item.as_bytes());
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checksum({self})")
    }
}

/// Text that is not 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a checksum (64 lowercase hex digits)")]
pub struct BadChecksum(pub String);

impl FromStr for Checksum {
    type Err = BadChecksum;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadChecksum(text.to_owned());
        if text.len() != 64 {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        for (index, pair) in text.as_bytes().chunks(2).enumerate() {
            let digit = |c: u8| match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            };
            let (Some(high), Some(low)) = (digit(pair[0]), digit(pair[1])) else {
                return Err(bad());
            };
            bytes[index] = high << 4 | low;
        }
        Ok(Checksum(bytes))
    }
}

/// A file that is not valid UTF-8, with the offset of the first bad byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    /// Byte offset of the first invalid byte in the raw file.
    pub offset: usize,
}

/// docs/DESIGN.md §1 normalisation: a leading UTF-8 BOM is removed and CRLF and lone CR
/// become LF. Nothing else is touched (whitespace inside literals matters).
pub fn normalize(bytes: &[u8]) -> Result<String, NotUtf8> {
    let text = std::str::from_utf8(bytes).map_err(|error| NotUtf8 {
        offset: error.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.contains('\r') {
        return Ok(text.to_owned());
    }
    let mut normalized = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            normalized.push('\n');
        } else {
            normalized.push(c);
        }
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalisation_removes_bom_and_carriage_returns_only() {
        assert_eq!(normalize(b"\xef\xbb\xbfa\r\nb\rc\n").unwrap(), "a\nb\nc\n");
        assert_eq!(normalize(b"  a\t\n").unwrap(), "  a\t\n");
        assert_eq!(normalize(b"a\r\r\n").unwrap(), "a\n\n");
        // Only a leading BOM is transport noise.
        assert_eq!(normalize("a\u{feff}".as_bytes()).unwrap(), "a\u{feff}");
        assert_eq!(normalize(b"ab\xffcd"), Err(NotUtf8 { offset: 2 }));
    }

    #[test]
    fn golden_checksums_are_pinned() {
        // These values must never change: databases and sum files store them.
        assert_eq!(
            Checksum::of_file("-- revision: a\n-- up\nSELECT 1;\n").to_hex(),
            "acc07a4f7997a331838afc0c60cd08bdb7a127c26973bf78fce09486c3b6b3b2"
        );
        assert_eq!(
            Checksum::of_revision("a", &["b".into()], &[], true, "SELECT 1;\n").to_hex(),
            "8b67fa2c21845ecb9b32558963c8e4011e976b215a89e1c2fe993f9ab01c69ea"
        );
        assert_eq!(
            Checksum::of_down("DROP TABLE t;\n").to_hex(),
            "a4a3f317373ff75d09b5b452403dae8948c777929db6db7a9ef4801280a0cb3e"
        );
    }

    #[test]
    fn parents_and_dependencies_are_order_insensitive_but_distinct() {
        let ab = Checksum::of_revision("x", &["a".into(), "b".into()], &[], true, "");
        let ba = Checksum::of_revision("x", &["b".into(), "a".into()], &[], true, "");
        assert_eq!(ab, ba);
        let as_dependencies = Checksum::of_revision("x", &[], &["a".into(), "b".into()], true, "");
        assert_ne!(ab, as_dependencies);
        let non_transactional =
            Checksum::of_revision("x", &["a".into(), "b".into()], &[], false, "");
        assert_ne!(ab, non_transactional);
        // Length prefixes keep field boundaries: "ab"+"" differs from "a"+"b".
        assert_ne!(
            Checksum::of_revision("ab", &[], &[], true, ""),
            Checksum::of_revision("a", &[], &[], true, "b")
        );
    }

    #[test]
    fn hex_round_trips() {
        let checksum = Checksum::of_bytes(b"x");
        assert_eq!(checksum.to_hex().parse::<Checksum>(), Ok(checksum));
        assert!("abc".parse::<Checksum>().is_err());
        assert!(
            checksum
                .to_hex()
                .to_uppercase()
                .parse::<Checksum>()
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent_and_line_endings_never_matter(text in "[a-c \r\n\t']{0,64}") {
            let once = normalize(text.as_bytes()).unwrap();
            prop_assert_eq!(normalize(once.as_bytes()).unwrap(), once.clone());
            let crlf = once.replace('\n', "\r\n");
            prop_assert_eq!(normalize(crlf.as_bytes()).unwrap(), once.clone());
            let bom = format!("\u{feff}{once}");
            prop_assert_eq!(Checksum::of_file(&normalize(bom.as_bytes()).unwrap()), Checksum::of_file(&once));
        }

        #[test]
        fn joining_or_splitting_lines_changes_the_checksum(text in "[a-c ]{1,32}", at in 0usize..32) {
            let at = at.min(text.len());
            let split = format!("{}\n{}", &text[..at], &text[at..]);
            prop_assert_ne!(Checksum::of_file(&text), Checksum::of_file(&split));
        }
    }
}
