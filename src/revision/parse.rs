//! Turning one normalised revision file into a [`Revision`]. The grammar in
//! `grammar/revision.pest` gives the header entries, the section markers and
//! the section bodies; this module checks the header values and the order of
//! the sections, and splits the bodies with the walker of `split`. Every
//! problem of a file is reported, not only the first; header problems point
//! at the first character of their key.

use std::collections::HashSet;

use pest::iterators::Pair;

use super::fast;
use super::grammar::Rule;
use super::split::{
    Locator, Problem, Problems, is_comment, marker_offset, parse_entry, split_body,
};
use super::{
    Checksum, HeaderLines, ParseError, ParseErrorKind, Revision, Section, SourceFile, Statement,
    Unterminated, validate_id,
};
use crate::dialect::Dialect;
use crate::span::Span;

/// `revises: base` (or no `revises`) makes a root; `base` is never an id.
const BASE: &str = "base";

/// Parses one normalised file (no BOM, LF line endings) with `dialect`'s
/// lexical rules. On failure every problem found is returned, in file order.
pub fn parse_revision(
    text: &str,
    file: &SourceFile,
    dialect: Dialect,
) -> Result<Revision, Vec<ParseError>> {
    match parse_fast(text, dialect) {
        Some(parts) => Ok(parts.into_revision(text, file)),
        None => parse_with_grammar(text, file, dialect),
    }
}

/// The fast path (see `fast`): the parts of a well-formed file of the
/// common shape, or `None`, and the grammar decides.
fn parse_fast<'a>(text: &'a str, dialect: Dialect) -> Option<FileParts<'a>> {
    let scanned = fast::scan(text, dialect)?;
    let (up, down) = match scanned.sections.as_slice() {
        [up] if up.up => (up, None),
        [up, down] if up.up && !down.up => (up, Some(down)),
        _ => return None,
    };
    let mut locator = Locator::new(text);
    let mut problems = Problems::default();
    let mut header = Header::default();
    for entry in &scanned.entries {
        header.entry(
            entry.key_offset,
            entry.key,
            entry.value,
            &mut locator,
            &mut problems,
        );
    }
    if !problems.is_empty() {
        return None;
    }
    let id = header.id.take()?;
    let mut section = |section: &fast::ScannedSection<'a>| {
        let line = locator.line_column(section.marker_offset).0;
        let statements = section
            .statements
            .iter()
            .map(|piece| {
                let (line, column) = locator.line_column(piece.start);
                Statement {
                    sql: text[piece.start..piece.end].to_owned(),
                    line,
                    column,
                    delimited: piece.delimited,
                }
            })
            .collect();
        SectionParts {
            line,
            text: section.text,
            statements,
        }
    };
    let up = section(up);
    let down = down.map(section);
    Some(FileParts {
        header,
        id,
        up,
        down,
    })
}

/// The grammar's path: every file, and every problem of a file.
pub(super) fn parse_with_grammar(
    text: &str,
    file: &SourceFile,
    dialect: Dialect,
) -> Result<Revision, Vec<ParseError>> {
    let rule = match dialect {
        Dialect::Postgres => Rule::file_postgres,
        Dialect::Mysql => Rule::file_mysql,
        Dialect::Sqlite => Rule::file_sqlite,
    };
    let mut locator = Locator::new(text);
    let mut problems = Problems::default();
    let parts = match parse_entry(rule, text) {
        Ok(root) => parse_file(root, &mut locator, &mut problems),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    match parts {
        Some(parts) if problems.is_empty() => Ok(parts.into_revision(text, file)),
        _ => {
            let (kept, omitted) = problems.into_sorted();
            let mut errors: Vec<ParseError> = kept
                .into_iter()
                .map(|problem| {
                    let (line, column) = locator.line_column(problem.offset);
                    ParseError::new(Span::new(&file.path, line, column), problem.kind)
                })
                .collect();
            if omitted > 0 {
                let kind = ParseErrorKind::MoreInFile { count: omitted };
                errors.push(ParseError::new(Span::file(&file.path), kind));
            }
            Err(errors)
        }
    }
}

/// Whether the fast path and the grammar agree on `text`: `None` when the
/// fast path declines it (the grammar alone decides), `Some(Err(why))` when
/// the fast path answers and the grammar reads another revision (compared
/// through their `Debug` forms, every field and checksum) or finds a problem.
/// The unit tests and the `fast_path` fuzz target (fuzz/) check this.
#[cfg(any(test, feature = "fuzzing"))]
pub fn fast_path_agreement(text: &str, dialect: Dialect) -> Option<Result<(), String>> {
    let file = SourceFile {
        path: "migrations/fuzz.sql".into(),
        relative_path: "fuzz.sql".into(),
    };
    let fast = parse_fast(text, dialect)?.into_revision(text, &file);
    Some(match parse_with_grammar(text, &file, dialect) {
        Ok(grammar) => {
            let (fast, grammar) = (format!("{fast:#?}"), format!("{grammar:#?}"));
            if fast == grammar {
                Ok(())
            } else {
                Err(format!(
                    "{dialect}: the fast path and the grammar differ on {text:?}\nfast path: {fast}\ngrammar: {grammar}"
                ))
            }
        }
        Err(errors) => Err(format!(
            "{dialect}: the fast path took {text:?}, the grammar found {errors:#?}"
        )),
    })
}

/// What a file is made of, once its problems are known.
struct FileParts<'t> {
    header: Header,
    id: String,
    up: SectionParts<'t>,
    down: Option<SectionParts<'t>>,
}

/// A section before its checksum is taken.
struct SectionParts<'t> {
    line: u32,
    /// From after the marker line to the start of the next marker line.
    text: &'t str,
    statements: Vec<Statement>,
}

/// Reads the header and sections of `root` (a `file_*` pair) and checks how
/// they fit together; `None` when something required is missing.
fn parse_file<'t>(
    root: Pair<'t, Rule>,
    locator: &mut Locator<'t>,
    problems: &mut Problems,
) -> Option<FileParts<'t>> {
    let mut header = Header::default();
    let mut sections = Sections::default();
    for pair in root.into_inner() {
        match pair.as_rule() {
            Rule::header_postgres | Rule::header_mysql | Rule::header_sqlite => {
                header.parse(pair, locator, problems);
            }
            Rule::section_postgres | Rule::section_mysql | Rule::section_sqlite => {
                sections.parse(pair, locator, problems);
            }
            Rule::EOI => {}
            rule => unreachable!("{rule:?} is not a child of a file"),
        }
    }
    // A block comment that never closes swallowed the rest of the file: the
    // missing `-- up` or `-- revision:` it hides would only be noise.
    if header.unterminated {
        return None;
    }
    if header.first_line(HeaderKey::Revision) == 0 {
        problems.push(Problem::new(0, ParseErrorKind::MissingRevision));
    }
    let Some(up) = sections.up else {
        // Where `-- up` is missing is where the SQL starts, if there is any.
        let offset = header.first_sql.unwrap_or(0);
        problems.push(Problem::new(offset, ParseErrorKind::MissingUp));
        return None;
    };
    if let Some(offset) = header.first_sql {
        problems.push(Problem::new(offset, ParseErrorKind::SqlBeforeUp));
    }
    if let Some(offset) = sections.down_before_up {
        problems.push(Problem::new(offset, ParseErrorKind::DownBeforeUp));
    }
    let id = header.id.take()?;
    Some(FileParts {
        header,
        id,
        up,
        down: sections.down,
    })
}

impl FileParts<'_> {
    fn into_revision(self, text: &str, file: &SourceFile) -> Revision {
        let Header {
            parents,
            dependencies,
            branches,
            message,
            transactional,
            ..
        } = self.header;
        let transactional = transactional.unwrap_or(true);
        let checksum = Checksum::of_revision(
            &self.id,
            &parents,
            &dependencies,
            transactional,
            self.up.text,
        );
        Revision {
            id: self.id,
            parents,
            dependencies,
            branches,
            message,
            transactional,
            up: Section {
                line: self.up.line,
                checksum: Checksum::of_bytes(self.up.text.as_bytes()),
                nothing_to_undo: false,
                statements: self.up.statements,
            },
            down: self.down.map(|down| Section {
                line: down.line,
                checksum: Checksum::of_down(down.text),
                nothing_to_undo: down.statements.is_empty()
                    && super::says_nothing_to_undo(down.text),
                statements: down.statements,
            }),
            path: file.path.clone(),
            relative_path: file.relative_path.clone(),
            checksum,
            file_checksum: Checksum::of_file(text),
            header_lines: HeaderLines {
                revision: self.header.first_lines[HeaderKey::Revision as usize],
                revises: self.header.first_lines[HeaderKey::Revises as usize],
                depends_on: self.header.first_lines[HeaderKey::DependsOn as usize],
            },
        }
    }
}

/// The `-- up` and `-- down` sections, in the order the file gives them.
#[derive(Default)]
struct Sections<'t> {
    up: Option<SectionParts<'t>>,
    down: Option<SectionParts<'t>>,
    /// The `-- down` marker when it came before any `-- up`.
    down_before_up: Option<usize>,
}

impl<'t> Sections<'t> {
    /// Reads one `section_*` pair: its marker and its body's statements.
    fn parse(
        &mut self,
        section: Pair<'t, Rule>,
        locator: &mut Locator<'t>,
        problems: &mut Problems,
    ) {
        let mut inner = section.into_inner();
        let (Some(marker), Some(body)) = (inner.next(), inner.next()) else {
            unreachable!("a section is a marker and a body");
        };
        let offset = marker_offset(&marker);
        let line = locator.line_column(offset).0;
        let text = body.as_str().strip_prefix('\n').unwrap_or_default();
        let split = split_body(body, locator);
        problems.extend(split.problems);
        let word = marker.into_inner().next().map(|word| word.as_rule());
        let (slot, name) = match word {
            Some(Rule::up) => (&mut self.up, "up"),
            Some(Rule::down) => {
                if self.up.is_none() && self.down.is_none() {
                    self.down_before_up = Some(offset);
                }
                (&mut self.down, "down")
            }
            word => unreachable!("{word:?} is not the word of a section marker"),
        };
        match slot {
            Some(first) => {
                let kind = ParseErrorKind::RepeatedSection {
                    section: name,
                    first_line: first.line,
                };
                problems.push(Problem::new(offset, kind));
            }
            None => {
                *slot = Some(SectionParts {
                    line,
                    text,
                    statements: split.statements,
                });
            }
        }
    }
}

/// The keys a header may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderKey {
    Revision,
    Revises,
    Message,
    DependsOn,
    Branch,
    Transaction,
}

impl HeaderKey {
    const ALL: [HeaderKey; 6] = [
        HeaderKey::Revision,
        HeaderKey::Revises,
        HeaderKey::Message,
        HeaderKey::DependsOn,
        HeaderKey::Branch,
        HeaderKey::Transaction,
    ];

    fn name(self) -> &'static str {
        match self {
            HeaderKey::Revision => "revision",
            HeaderKey::Revises => "revises",
            HeaderKey::Message => "message",
            HeaderKey::DependsOn => "depends-on",
            HeaderKey::Branch => "branch",
            HeaderKey::Transaction => "transaction",
        }
    }

    /// Keys are case-sensitive: `Revision` is unknown (and suggested).
    fn named(name: &str) -> Option<HeaderKey> {
        HeaderKey::ALL.into_iter().find(|key| key.name() == name)
    }

    /// The known key an unknown one most likely means: equal ignoring case,
    /// or within an edit distance of 2 (with transpositions).
    fn suggestion(unknown: &str) -> Option<&'static str> {
        let unknown = unknown.to_ascii_lowercase();
        HeaderKey::ALL
            .into_iter()
            .map(HeaderKey::name)
            .filter(|name| name.len().abs_diff(unknown.len()) <= 2)
            .map(|name| (edit_distance(&unknown, name), name))
            .filter(|&(distance, _)| distance <= 2)
            .min_by_key(|&(distance, _)| distance)
            .map(|(_, name)| name)
    }
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and transpositions of adjacent characters each cost 1.
fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.chars().collect();
    let right: Vec<char> = right.chars().collect();
    let mut before_previous = vec![0; right.len() + 1];
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    let mut current = vec![0; right.len() + 1];
    for i in 1..=left.len() {
        current[0] = i;
        for j in 1..=right.len() {
            let substitution = previous[j - 1] + usize::from(left[i - 1] != right[j - 1]);
            current[j] = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && left[i - 1] == right[j - 2] && left[i - 2] == right[j - 1] {
                current[j] = current[j].min(before_previous[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before_previous, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[right.len()]
}

/// The header's values as far as they are valid.
#[derive(Default)]
struct Header {
    id: Option<String>,
    parents: Vec<String>,
    dependencies: Vec<String>,
    branches: Vec<String>,
    message: String,
    transactional: Option<bool>,
    /// The line of each key's first occurrence, by `HeaderKey as usize`; 0 when absent.
    first_lines: [u32; HeaderKey::ALL.len()],
    /// The first text in the header that is not an entry, a comment or blank.
    first_sql: Option<usize>,
    /// A block comment in the header never closes.
    unterminated: bool,
}

impl Header {
    fn first_line(&self, key: HeaderKey) -> u32 {
        self.first_lines[key as usize]
    }

    /// Reads one `header_*` pair.
    fn parse(
        &mut self,
        header: Pair<'_, Rule>,
        locator: &mut Locator<'_>,
        problems: &mut Problems,
    ) {
        for pair in header.into_inner() {
            match pair.as_rule() {
                Rule::header_entry => self.parse_entry(pair, locator, problems),
                Rule::sql_before_up => {
                    self.first_sql.get_or_insert(pair.as_span().start());
                }
                Rule::unterminated_block_comment => {
                    self.unterminated = true;
                    let kind = ParseErrorKind::Unterminated(Unterminated::BlockComment);
                    problems.push(Problem::new(pair.as_span().start(), kind));
                }
                rule if is_comment(rule) => {}
                rule => unreachable!("{rule:?} is not a child of a header"),
            }
        }
    }

    /// Reads one `-- key: value` line.
    fn parse_entry(
        &mut self,
        entry: Pair<'_, Rule>,
        locator: &mut Locator<'_>,
        problems: &mut Problems,
    ) {
        let mut inner = entry.into_inner();
        let (Some(key_pair), Some(value_pair)) = (inner.next(), inner.next()) else {
            unreachable!("a header entry is a key and a value");
        };
        self.entry(
            key_pair.as_span().start(),
            key_pair.as_str(),
            value_pair.as_str(),
            locator,
            problems,
        );
    }

    /// Reads one entry: `written` is the key at byte `offset`, `value` the
    /// rest of its line.
    fn entry(
        &mut self,
        offset: usize,
        written: &str,
        value: &str,
        locator: &mut Locator<'_>,
        problems: &mut Problems,
    ) {
        let mut report = |kind| problems.push(Problem::new(offset, kind));
        let Some(key) = HeaderKey::named(written) else {
            report(ParseErrorKind::UnknownKey {
                key: shown(written),
                suggestion: HeaderKey::suggestion(written).map(str::to_owned),
            });
            return;
        };
        let first_line = self.first_line(key);
        if first_line != 0 {
            report(ParseErrorKind::RepeatedKey {
                key: written.to_owned(),
                first_line,
            });
            return;
        }
        self.first_lines[key as usize] = locator.line_column(offset).0;
        let value = value.trim_ascii();
        match key {
            HeaderKey::Revision => self.id = parse_revision_id(value, &mut report),
            HeaderKey::Revises => self.parents = parse_parents(value, &mut report),
            HeaderKey::Message => self.message = parse_message(value, &mut report),
            HeaderKey::DependsOn => {
                self.dependencies =
                    parse_required_list(key, value, "dependency id", check_reference, &mut report);
            }
            HeaderKey::Branch => {
                self.branches =
                    parse_required_list(key, value, "branch label", check_id, &mut report);
            }
            HeaderKey::Transaction => self.transactional = parse_transaction(value, &mut report),
        }
    }
}

fn parse_revision_id(value: &str, report: &mut impl FnMut(ParseErrorKind)) -> Option<String> {
    if value.is_empty() {
        report(ParseErrorKind::EmptyValue {
            key: HeaderKey::Revision.name().to_owned(),
        });
        return None;
    }
    check_reference(value, "revision id").map_err(report).ok()?;
    Some(value.to_owned())
}

/// `revises`: empty or `base` is a root, else a list of ids.
fn parse_parents(value: &str, report: &mut impl FnMut(ParseErrorKind)) -> Vec<String> {
    if value.is_empty() || value == BASE {
        return Vec::new();
    }
    parse_list(value, "parent id", check_reference, report)
}

/// `depends-on` and `branch`: a list that must not be empty.
fn parse_required_list(
    key: HeaderKey,
    value: &str,
    what: &'static str,
    check: fn(&str, &'static str) -> Result<(), ParseErrorKind>,
    report: &mut impl FnMut(ParseErrorKind),
) -> Vec<String> {
    if value.is_empty() {
        report(ParseErrorKind::EmptyValue {
            key: key.name().to_owned(),
        });
        return Vec::new();
    }
    parse_list(value, what, check, report)
}

/// A comma-separated list (white space around commas allowed), each item
/// checked, duplicates reported.
fn parse_list(
    value: &str,
    what: &'static str,
    check: fn(&str, &'static str) -> Result<(), ParseErrorKind>,
    report: &mut impl FnMut(ParseErrorKind),
) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for item in value.split(',').map(str::trim_ascii) {
        if let Err(kind) = check(item, what) {
            report(kind);
        } else if !seen.insert(item) {
            report(ParseErrorKind::RepeatedValue {
                what,
                value: item.to_owned(),
            });
        } else {
            items.push(item.to_owned());
        }
    }
    items
}

fn parse_message(value: &str, report: &mut impl FnMut(ParseErrorKind)) -> String {
    if let Some(character) = value.chars().find(|&c| c.is_control() && c != '\t') {
        report(ParseErrorKind::ControlCharacter {
            key: HeaderKey::Message.name().to_owned(),
            character,
        });
    }
    value.to_owned()
}

fn parse_transaction(value: &str, report: &mut impl FnMut(ParseErrorKind)) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        report(ParseErrorKind::BadTransaction {
            value: shown(value),
        });
        None
    }
}

/// An id that names a revision (itself, a parent or a dependency).
fn check_reference(value: &str, what: &'static str) -> Result<(), ParseErrorKind> {
    if value == BASE {
        return Err(ParseErrorKind::BadId {
            what,
            value: value.to_owned(),
            reason: "`base` means \"no parent\" and never names a revision",
        });
    }
    check_id(value, what)
}

/// [`validate_id`], with the offending character when there is one.
fn check_id(value: &str, what: &'static str) -> Result<(), ParseErrorKind> {
    validate_id(value).map_err(|reason| match rejected_character(value) {
        Some(character) => ParseErrorKind::BadIdCharacter {
            what,
            value: shown(value),
            character,
        },
        None => ParseErrorKind::BadId {
            what,
            value: shown(value),
            reason,
        },
    })
}

/// The first character of `value` that an id may not hold anywhere. Asking
/// [`validate_id`] about `a` followed by the character keeps the one
/// definition of the allowed characters there.
fn rejected_character(value: &str) -> Option<char> {
    value.chars().find(|&character| {
        let mut probe = [b'a'; 5];
        let length = 1 + character.encode_utf8(&mut probe[1..]).len();
        std::str::from_utf8(&probe[..length]).is_ok_and(|probe| validate_id(probe).is_err())
    })
}

/// A header value as messages show it: control characters escaped, at most
/// 80 characters (an id line can be arbitrarily long).
fn shown(value: &str) -> String {
    const LIMIT: usize = 80;
    let mut shown = String::new();
    for (count, character) in value.chars().enumerate() {
        if count == LIMIT {
            shown.push_str("...");
            break;
        }
        if character.is_control() {
            shown.extend(character.escape_default());
        } else {
            shown.push(character);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;

    fn file() -> SourceFile {
        SourceFile {
            path: "migrations/a.sql".into(),
            relative_path: "a.sql".into(),
        }
    }

    fn parse(text: &str, dialect: Dialect) -> Revision {
        match parse_revision(text, &file(), dialect) {
            Ok(revision) => revision,
            Err(errors) => panic!("{text:?}: {errors:#?}"),
        }
    }

    /// Every problem as `path:line:column: message`.
    fn errors(text: &str, dialect: Dialect) -> Vec<String> {
        match parse_revision(text, &file(), dialect) {
            Ok(revision) => panic!("{text:?} parsed: {revision:#?}"),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    const EXAMPLE: &str = "\
-- revision: 9f3c2a1b7d4e
-- revises: 1a2b3c4d5e6f, 0a0b
-- message: add bio column to users
/* free comment */ -- and another
-- depends-on: other
-- branch: feature, x
-- transaction: FALSE

-- up
ALTER TABLE users ADD COLUMN bio TEXT;
/* ü */ CREATE INDEX CONCURRENTLY i ON users (bio);

-- Down
ALTER TABLE users DROP COLUMN bio;
";

    #[test]
    fn a_whole_file_becomes_a_revision() {
        let revision = parse(EXAMPLE, Dialect::Postgres);
        assert_eq!(revision.id, "9f3c2a1b7d4e");
        assert_eq!(revision.parents, ["1a2b3c4d5e6f", "0a0b"]);
        assert_eq!(revision.dependencies, ["other"]);
        assert_eq!(revision.branches, ["feature", "x"]);
        assert_eq!(revision.message, "add bio column to users");
        assert!(!revision.transactional);
        assert_eq!(revision.path, std::path::Path::new("migrations/a.sql"));
        assert_eq!(revision.relative_path, "a.sql");
        let lines = HeaderLines {
            revision: 1,
            revises: 2,
            depends_on: 5,
        };
        assert_eq!(revision.header_lines, lines);

        let up_text = "ALTER TABLE users ADD COLUMN bio TEXT;\n/* ü */ CREATE INDEX CONCURRENTLY i ON users (bio);\n\n";
        let down_text = "ALTER TABLE users DROP COLUMN bio;\n";
        assert_eq!(revision.up.line, 9);
        assert_eq!(revision.up.checksum, Checksum::of_bytes(up_text.as_bytes()));
        let positions: Vec<(&str, u32, u32)> = revision
            .up
            .statements
            .iter()
            .map(|statement| (statement.sql.as_str(), statement.line, statement.column))
            .collect();
        assert_eq!(
            positions,
            [
                ("ALTER TABLE users ADD COLUMN bio TEXT", 10, 1),
                ("CREATE INDEX CONCURRENTLY i ON users (bio)", 11, 9)
            ]
        );
        let Some(down) = &revision.down else {
            panic!("no down section");
        };
        assert_eq!(down.line, 13);
        assert_eq!(down.checksum, Checksum::of_down(down_text));
        assert_eq!(down.statements[0].sql, "ALTER TABLE users DROP COLUMN bio");
        assert_eq!(revision.down_checksum(), Some(down.checksum));

        let parents = ["1a2b3c4d5e6f".to_owned(), "0a0b".to_owned()];
        let expected = Checksum::of_revision(
            "9f3c2a1b7d4e",
            &parents,
            &["other".to_owned()],
            false,
            up_text,
        );
        assert_eq!(revision.checksum, expected);
        assert_eq!(revision.file_checksum, Checksum::of_file(EXAMPLE));
    }

    #[test]
    fn the_smallest_revision_is_a_root_without_down_section() {
        for text in [
            "-- revision: a\n-- up\n",
            "-- revision: a\n--UP",
            "-- revision: a\n-- revises:\n  -- Up  \n",
        ] {
            let revision = parse(text, Dialect::Sqlite);
            assert!(revision.parents.is_empty(), "{text:?}");
            assert!(revision.up.statements.is_empty());
            assert_eq!(revision.up.checksum, Checksum::of_bytes(b""));
            assert!(revision.down.is_none());
            assert!(revision.transactional);
            assert_eq!(revision.message, "");
        }
        assert!(
            parse("-- revision: a\n-- revises: base\n-- up\n", Dialect::Mysql)
                .parents
                .is_empty()
        );
        assert!(
            parse(
                "-- revision: a\n-- transaction: True\n-- up\n",
                Dialect::Mysql
            )
            .transactional
        );
    }

    #[test]
    fn header_comments_follow_the_dialect() {
        let sql_before_up = "SQL before `-- up`: the header may only hold `-- key: value` lines, comments and blank lines";
        let hash = "-- revision: a\n# note\n-- up\n";
        assert_eq!(parse(hash, Dialect::Mysql).id, "a");
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            assert_eq!(
                errors(hash, dialect),
                [format!("migrations/a.sql:2:1: {sql_before_up}")]
            );
        }
        let nested = "-- revision: a\n/* a /* nested */ comment */\n-- up\n";
        assert_eq!(parse(nested, Dialect::Postgres).id, "a");
        for dialect in [Dialect::Mysql, Dialect::Sqlite] {
            assert_eq!(
                errors(nested, dialect),
                [format!("migrations/a.sql:2:19: {sql_before_up}")]
            );
        }
        // An executable comment is SQL to MySQL.
        let executable = "-- revision: a\n/*!40101 SET a = 1 */\n-- up\n";
        assert_eq!(
            errors(executable, Dialect::Mysql),
            [format!("migrations/a.sql:2:1: {sql_before_up}")]
        );
    }

    #[test]
    fn markers_inside_strings_dollar_quotes_and_comments_are_text() {
        let text = "-- revision: a\n/*\n-- up\n*/\n-- up\nSELECT $$\n-- down\n$$, '\n-- down\n';\n/* -- down */\n-- down\nSELECT 2;\n";
        let revision = parse(text, Dialect::Postgres);
        assert_eq!(revision.up.line, 5);
        assert_eq!(revision.up.statements.len(), 1);
        assert_eq!(revision.down.map(|down| down.line), Some(12));
    }

    #[test]
    fn statement_blocks_work_in_files() {
        let text = "-- revision: a\n-- up\n-- statement-begin\nCREATE TRIGGER t BEGIN\n  SELECT 1;\nEND;\n-- statement-end\n";
        let statements = parse(text, Dialect::Sqlite).up.statements;
        assert_eq!(statements.len(), 1);
        assert_eq!(
            (
                statements[0].sql.as_str(),
                statements[0].line,
                statements[0].delimited
            ),
            ("CREATE TRIGGER t BEGIN\n  SELECT 1;\nEND", 4, true)
        );
    }

    #[test]
    fn header_problems_point_at_their_key() {
        let text = "\
-- Revision: a
-- revison: b
  -- depends_on: x
-- TODO: x
-- see http://example.com
-- revision: a'b
-- revision: c
-- dependson: y
-- transactoin: true
";
        assert_eq!(
            errors(&format!("{text}-- up\n"), Dialect::Postgres),
            [
                "migrations/a.sql:1:4: unknown header key `Revision` (did you mean `revision`?)",
                "migrations/a.sql:2:4: unknown header key `revison` (did you mean `revision`?)",
                "migrations/a.sql:3:6: unknown header key `depends_on` (did you mean `depends-on`?)",
                "migrations/a.sql:4:4: unknown header key `TODO` (known keys: revision, revises, message, depends-on, branch, transaction)",
                "migrations/a.sql:6:4: invalid revision id `a'b`: character `'` is not allowed",
                "migrations/a.sql:7:4: header key `revision` is repeated (first given on line 6)",
                "migrations/a.sql:8:4: unknown header key `dependson` (did you mean `depends-on`?)",
                "migrations/a.sql:9:4: unknown header key `transactoin` (did you mean `transaction`?)",
            ]
        );
    }

    #[test]
    fn header_values_are_checked() {
        let long = "x".repeat(65);
        let text = "-- revision: a b\n-- revises: base, x, x,\n-- depends-on:\n-- branch: ok, -bad\n-- transaction: maybe\n-- message: a\u{0}b\n-- up\n";
        assert_eq!(
            errors(text, Dialect::Postgres),
            [
                "migrations/a.sql:1:4: invalid revision id `a b`: character U+0020 is not allowed",
                "migrations/a.sql:2:4: invalid parent id `base`: `base` means \"no parent\" and never names a revision",
                "migrations/a.sql:2:4: parent id `x` is listed twice",
                "migrations/a.sql:2:4: invalid parent id ``: it is empty",
                "migrations/a.sql:3:4: header key `depends-on` needs a value",
                "migrations/a.sql:4:4: invalid branch label `-bad`: it must start with an ASCII letter or digit",
                "migrations/a.sql:5:4: invalid `transaction` value `maybe`: expected `true` or `false`",
                "migrations/a.sql:6:4: header key `message` holds control character U+0000, which is not allowed",
            ]
        );
        assert_eq!(
            errors(&format!("-- revision: {long}\n-- up\n"), Dialect::Postgres),
            [format!(
                "migrations/a.sql:1:4: invalid revision id `{long}`: it is longer than 64 characters"
            )]
        );
        assert_eq!(
            errors("-- revision:\n-- up\n", Dialect::Postgres),
            ["migrations/a.sql:1:4: header key `revision` needs a value"]
        );
        assert_eq!(
            errors("-- revision: a\u{2028}\n-- up\n", Dialect::Postgres),
            [
                "migrations/a.sql:1:4: invalid revision id `a\u{2028}`: character U+2028 is not allowed"
            ]
        );
    }

    #[test]
    fn structure_problems_point_at_their_line() {
        assert_eq!(
            errors("", Dialect::Postgres),
            [
                "migrations/a.sql:1:1: missing `-- revision: <id>` header",
                "migrations/a.sql:1:1: missing `-- up` section marker",
            ]
        );
        assert_eq!(
            errors(
                "-- revision: a\n\nCREATE TABLE t (id int);\n",
                Dialect::Postgres
            ),
            ["migrations/a.sql:3:1: missing `-- up` section marker"]
        );
        assert_eq!(
            errors(
                "-- revision: a\n /* c */ SELECT 1;\n-- more\nSELECT 2;\n-- up\n",
                Dialect::Postgres
            ),
            [
                "migrations/a.sql:2:10: SQL before `-- up`: the header may only hold `-- key: value` lines, comments and blank lines"
            ]
        );
        assert_eq!(
            errors(
                "-- revision: a\n-- down\n-- up\n  -- UP\n-- down\n",
                Dialect::Postgres
            ),
            [
                "migrations/a.sql:2:1: `-- down` comes before `-- up`: the up section must come first",
                "migrations/a.sql:4:3: `-- up` is repeated (first on line 3)",
                "migrations/a.sql:5:1: `-- down` is repeated (first on line 2)",
            ]
        );
        assert_eq!(
            errors("-- revision: a\n-- down\nSELECT 1;\n", Dialect::Postgres),
            ["migrations/a.sql:1:1: missing `-- up` section marker"]
        );
    }

    #[test]
    fn body_problems_from_every_section_are_reported() {
        let text = "-- revision: a\n-- up\nSELECT 1;\n-- statement-end\n-- down\nSELECT 'x\n";
        assert_eq!(
            errors(text, Dialect::Postgres),
            [
                "migrations/a.sql:4:1: `-- statement-end` without a preceding `-- statement-begin`",
                "migrations/a.sql:6:8: unterminated string literal",
            ]
        );
        let text = "-- revision: a\n-- up\n-- statement-begin\n-- down\n-- statement-begin\n-- statement-end\n";
        assert_eq!(
            errors(text, Dialect::Sqlite),
            [
                "migrations/a.sql:3:1: `-- statement-begin` has no matching `-- statement-end`",
                "migrations/a.sql:5:1: `-- statement-begin` / `-- statement-end` block holds no statement",
            ]
        );
        let text = "-- revision: a\n-- up\n-- statement-begin\nx;\n-- statement-begin\ny;\n-- statement-end\n";
        assert_eq!(
            errors(text, Dialect::Mysql),
            ["migrations/a.sql:5:1: `-- statement-begin` inside a block already opened on line 3"]
        );
        assert_eq!(
            errors("-- revision: a\n-- up\nDELIMITER $$\n", Dialect::Mysql)[0],
            "migrations/a.sql:3:1: `DELIMITER` is a command of the mysql client, not SQL: drop the `DELIMITER` lines and end the body with `;` (a `CREATE ... BEGIN ... END` body stays whole), or wrap it in `-- statement-begin` / `-- statement-end` lines"
        );
    }

    #[test]
    fn unterminated_constructs_hide_the_rest_of_the_file() {
        let cases = [
            (
                "-- revision: a\n/* open\n-- up\n",
                Dialect::Postgres,
                "2:1: unterminated block comment",
            ),
            (
                "-- revision: a\n-- up\nSELECT \"x;\n-- down\n",
                Dialect::Postgres,
                "3:8: unterminated quoted identifier",
            ),
            (
                "-- revision: a\n-- up\nSELECT $f$ x;\n-- down\n",
                Dialect::Postgres,
                "3:8: unterminated dollar-quoted string",
            ),
            (
                "-- revision: a\n-- up\nSELECT /* /* */ 1;\n-- down\n",
                Dialect::Postgres,
                "3:8: unterminated block comment",
            ),
            (
                "-- revision: a\n-- up\nSELECT `x;\n",
                Dialect::Mysql,
                "3:8: unterminated quoted identifier",
            ),
        ];
        for (text, dialect, expected) in cases {
            assert_eq!(
                errors(text, dialect),
                [format!("migrations/a.sql:{expected}")],
                "{text:?}"
            );
        }
    }

    /// Whether the fast path took `text`; when it did, its revision must be
    /// the grammar's, byte for byte.
    fn check_fast_path(text: &str, dialect: Dialect) -> Result<bool, TestCaseError> {
        match fast_path_agreement(text, dialect) {
            None => Ok(false),
            Some(Ok(())) => Ok(true),
            Some(Err(disagreement)) => Err(TestCaseError::fail(disagreement)),
        }
    }

    /// The shapes the fast path exists for: it must take them, and agree.
    #[test]
    fn the_fast_path_takes_common_files_and_agrees_with_the_grammar() {
        // A block comment in the header is beyond the fast path: the grammar reads it.
        for dialect in Dialect::ALL {
            assert!(!check_fast_path(EXAMPLE, dialect).unwrap());
        }
        let common = [
            (
                "-- revision: a1\n-- revises: a0\n-- message: m\n\n-- up\n\
                 -- One row per thing.\nCREATE TABLE t (\n    id BIGINT PRIMARY KEY, -- key\n    \
                 name TEXT NOT NULL DEFAULT 'it''s; here'\n);\n\nCREATE INDEX t_name ON t (name);\n\
                 INSERT INTO t VALUES (1, 'a'), (2, \"b\");\n/* block; comment */\n\n-- down\nDROP TABLE t;\n",
                Dialect::ALL.to_vec(),
            ),
            (
                "-- revision: f\n\n-- up\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$\n\
                 BEGIN\n  -- a ';' here\n  NEW.x := $1 || $$ ; $$ || E'\\'';\n  RETURN NEW;\nEND;\n$body$;\n\
                 SELECT a$b$, 1e'x', $$\n-- down\n$$;\n",
                vec![Dialect::Postgres],
            ),
            (
                "-- revision: t\n-- up\n-- statement-begin\nCREATE TRIGGER x AFTER UPDATE ON t\nBEGIN\n  \
                 UPDATE t SET n = n + 1; -- more\nEND;  -- done\n  -- Statement-End  \n\
                 SELECT [a;b], `c;d`;\n-- down\nDROP TRIGGER x;",
                vec![Dialect::Sqlite],
            ),
            (
                "-- revision: b\n-- up\n-- statement-begin\nx;;\n-- statement-end\n\
                 -- statement-begin\n;y; -- c\n\n  ;\n-- statement-end\n-- down\n\
                 -- statement-begin\nz; /* c */ ;\n-- statement-end",
                Dialect::ALL.to_vec(),
            ),
            (
                "-- revision: m\n-- up\nSELECT `a;b`, 'x', 1--1;\n-- statement-begin\n\
                 CREATE PROCEDURE p() BEGIN SELECT 1; END;\n-- statement-end\n-- down\n",
                vec![Dialect::Mysql],
            ),
            (
                "-- revision: e\n-- up\nCREATE TABLE event (begin_date DATE, end_date DATE);\n\
                 create\tindex event_begin on event (begin_date);\nCREATE VIEW trigger_log AS SELECT 1;\n\
                 CREATE OR REPLACE VIEW procedure_log AS SELECT 1;\n\
                 -- down\nDROP TABLE event;\n",
                Dialect::ALL.to_vec(),
            ),
        ];
        for (text, dialects) in common {
            for dialect in dialects {
                let taken = check_fast_path(text, dialect).unwrap();
                assert!(taken, "{dialect}: the fast path declined {text:?}");
            }
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/revisions/valid");
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let text = crate::revision::normalize(&bytes).unwrap();
            for dialect in Dialect::ALL {
                check_fast_path(&text, dialect).unwrap();
            }
        }
    }

    #[test]
    fn the_fast_path_leaves_compound_statements_to_the_grammar() {
        let text = "-- revision: c\n-- up\nCREATE TABLE event (begin_date DATE);\n\
                    CREATE PROCEDURE p() BEGIN SELECT 1; END;\nCALL p();\n-- down\nDROP PROCEDURE p;\n";
        assert!(!check_fast_path(text, Dialect::Mysql).unwrap());
        // SQLite has no procedures: the fast path reads it, as the grammar does.
        assert!(check_fast_path(text, Dialect::Sqlite).unwrap());
        assert!(!check_fast_path(&text.replace("PROCEDURE", "TRIGGER"), Dialect::Sqlite).unwrap());
        let revision = parse(text, Dialect::Mysql);
        let up: Vec<(&str, bool)> = revision
            .up
            .statements
            .iter()
            .map(|statement| (statement.sql.as_str(), statement.delimited))
            .collect();
        assert_eq!(
            up,
            [
                ("CREATE TABLE event (begin_date DATE)", false),
                ("CREATE PROCEDURE p() BEGIN SELECT 1; END", true),
                ("CALL p()", false)
            ]
        );
    }

    fn header_line() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "-- revises: r0\n",
            "-- revises: base\n",
            "-- message: a; b\n",
            "-- transaction: false\n",
            "-- depends-on: d1\n",
            "-- branch: b\n",
            "\n",
            " \t\n",
            "-- comment\n",
            "--\n",
            "-- see: x\n",
            "--revision:r2\n",
            "-- revision:\tr3\n",
            "  -- message: m\n",
            "-- up:\n",
            "-- message:x\n",
            "-- statement-begin\n",
            "/* c */\n",
            "SELECT 1\n",
            "\u{b}\n",
            "# h\n",
            "-- Message: m\n",
            "-- message: \u{1}\n",
            "-- revises: r0, r0\n",
        ])
        .prop_map(str::to_owned)
    }

    fn body_fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-eE0-9 ;\n]{1,4}",
            3 => prop::sample::select(vec![
                "'", "\"", "`", "$", "$$", "$a$", "$1", "a$b$", ";", "-", "--", "/", "*", "/*", "*/",
                "#", "[", "]", "\\", "E'", "e'", "é", "\t", "/*!", "/*M!", "''", "\"\"", "\u{b}",
                "\u{1}", "DELIMITER ", "delimiter;", "--\t", "-- x\n", "/* a; */", "'a;b'",
                "$f$ ; $f$", "E'\\';'", "[x;y]", "`p;q`", "\u{7f}", "\r", "--\t;'", "--\u{1};", "--\n;", "--;", "-- ;",
            ]).prop_map(str::to_owned),
            1 => prop::sample::select(vec![
                "\n-- statement-begin\n", "\n-- statement-end\n", "\n-- up\n", "\n-- down\n",
                "\n  -- Statement-End \t\n", "\n--up\n", "\n-- DOWN\n", "\n-- statement-begin",
            ]).prop_map(str::to_owned),
            // Closed blocks, so that many blocks get past the fast path's checks.
            2 => prop::collection::vec(
                prop::sample::select(vec![
                    ";", "; ", "x", " y ", "\n", "-- c\n", "/* c; */", "'s;'", "\"q\"", "e'\\''",
                    "$$ ; $$", "[b;]", "`t`", "1", "\n;\n", "#",
                ]),
                0..8,
            )
            .prop_map(|parts| format!("\n-- statement-begin\n{}\n-- statement-end\n", parts.concat())),
            // MySQL and SQLite compound statements without markers, closed
            // or not, and `CREATE` statements that only look like them.
            2 => (
                prop::sample::select(vec![
                    "CREATE PROCEDURE p()\nBEGIN", "create definer = 'u'@'%' function f() returns int begin",
                    "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW lbl: BEGIN",
                    "CREATE TEMP TRIGGER IF NOT EXISTS t AFTER INSERT ON x BEGIN",
                    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN", "CREATE FUNCTION f() RETURNS INT RETURN 1",
                    "CREATE TABLE event (begin_date INT,", "CREATE OR REPLACE AGGREGATE FUNCTION g() RETURNS INT BEGIN",
                    "CREATE DEFINER=CURRENT_USER() PROCEDURE q() BEGIN", "CREATE\n-- c\nTRIGGER t BEGIN",
                    "CREATE INDEX i ON t (a)", "create trigger/* c */t before delete on x begin",
                    "CREATE OR REPLACE VIEW v AS SELECT 1", "create or replace\nprocedure p() begin",
                    "CREATE OR TABLE", "CREATE OR REPLACE", "CREATE or\treplace DEFINER = x@y TRIGGER t BEGIN",
                ]),
                prop::collection::vec(
                    prop::sample::select(vec![
                        "; ", "x", "BEGIN ", "END", " END;", "CASE ", "END CASE;", "END IF;", "IF a THEN ",
                        "WHILE 1 DO ", "END WHILE;", "lbl: LOOP ", "END LOOP lbl;", "REPEAT ", "END REPEAT;",
                        "'END;'", "-- c; END\n", "# h;\n", "begin_date", "NEW.end", "\n", "/* END; */",
                        "`end`", " END FOR UPDATE", "\"e;\"", "[END;]", " ", ";\n",
                    ]),
                    0..10,
                ),
                any::<bool>(),
            )
                .prop_map(|(head, parts, end)| {
                    format!("\n{head} {}{}\n", parts.concat(), if end { " END;" } else { "" })
                }),
        ]
    }

    fn revision_text() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(header_line(), 0..4),
            any::<bool>(),
            prop::collection::vec(body_fragment(), 0..24),
            prop::option::of(prop::collection::vec(body_fragment(), 0..12)),
        )
            .prop_map(|(header, with_id, up, down)| {
                let mut text = if with_id {
                    String::from("-- revision: r1\n")
                } else {
                    String::new()
                };
                text.extend(header);
                text.push_str("-- up\n");
                text.extend(up);
                if let Some(down) = down {
                    text.push_str("\n-- down\n");
                    text.extend(down);
                }
                text
            })
    }

    /// Files of well-formed statements (which the fast path reads) mixed with
    /// MySQL and SQLite compound statements and statements that only look
    /// like them: where the fast path answers, it must agree.
    fn compound_file() -> impl Strategy<Value = String> {
        let statement = (
            prop::sample::select(vec![
                "CREATE PROCEDURE p()\nBEGIN",
                "CREATE DEFINER = 'u'@'%' FUNCTION f() RETURNS INT BEGIN",
                "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW lbl: BEGIN",
                "CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN",
                "CREATE TEMPORARY TRIGGER t BEGIN",
                "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN",
                "CREATE OR REPLACE AGGREGATE FUNCTION g() RETURNS INT BEGIN",
                "create or replace\nprocedure p() begin",
                "CREATE FUNCTION f() RETURNS INT RETURN 1",
                "CREATE TABLE event (begin_date INT)",
                "CREATE OR REPLACE VIEW v AS SELECT 1",
                "CREATE INDEX i ON t (a)",
                "SELECT 1",
                "CREATE\tTRIGGER t BEGIN",
                "CREATE OR TABLE x",
                "CREATE DEFINER=x VIEW v AS SELECT 1",
                "CREATE",
                "create or replace",
                "CREATE/* c */TRIGGER t BEGIN",
                "CREATE -- c\nPROCEDURE p() BEGIN",
                "CREATE OR/**/REPLACE EVENT e DO BEGIN",
            ]),
            prop::collection::vec(
                prop::sample::select(vec![
                    "; ",
                    "x",
                    "BEGIN ",
                    "END",
                    " END;",
                    "CASE ",
                    "END CASE;",
                    "END IF;",
                    "IF a THEN ",
                    "WHILE 1 DO ",
                    "END WHILE;",
                    "'END;'",
                    "-- c; END\n",
                    "begin_date",
                    "NEW.end",
                    "\n",
                    "/* END; */",
                    "`end`",
                    "\"e;\"",
                    " ",
                ]),
                0..6,
            ),
            prop::sample::select(vec![" END;", ";", " END lbl;\n", "\n"]),
        );
        (prop::collection::vec(statement, 1..6), any::<bool>()).prop_map(|(statements, down)| {
            let mut text = String::from("-- revision: r1\n-- up\n");
            let mut down = down;
            for (head, pieces, end) in statements {
                text.push_str(&format!("{head} {}{end}\n", pieces.concat()));
                if std::mem::take(&mut down) {
                    text.push_str("-- down\n");
                }
            }
            text
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn the_fast_path_agrees_with_the_grammar_on_compound_statements(
            text in compound_file(),
            dialect in prop::sample::select(Dialect::ALL.to_vec()),
        ) {
            check_fast_path(&text, dialect)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        #[test]
        fn the_fast_path_agrees_with_the_grammar(
            text in revision_text(),
            dialect in prop::sample::select(Dialect::ALL.to_vec()),
        ) {
            check_fast_path(&text, dialect)?;
        }
    }

    proptest! {
        #[test]
        fn any_text_parses_or_fails_without_panicking(
            text in "(-- (revision|revises|up|down|statement-begin|statement-end|x)(: a)?\n|[a-c '\"$;/*#\\-\n])*",
            other in "\\PC{0,64}",
        ) {
            for dialect in Dialect::ALL {
                for text in [&text, &other] {
                    if let Err(errors) = parse_revision(text, &file(), dialect) {
                        prop_assert!(!errors.is_empty());
                        prop_assert!(errors.iter().all(|error| error.span.line > 0 && error.span.column > 0));
                    }
                }
            }
        }
    }
}
