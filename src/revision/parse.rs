//! Turning one normalised revision file into a [`Revision`]. The grammar in
//! `grammar/revision.pest` gives the header entries, the section markers and
//! the section bodies; this module checks the header values and the order of
//! the sections, and splits the bodies with the walker of `split`. Every
//! problem of a file is reported, not only the first; header problems point
//! at the first character of their key.

use std::collections::HashSet;

use pest::iterators::Pair;

use super::grammar::Rule;
use super::split::{Locator, Problem, is_comment, marker_offset, parse_entry, split_body};
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
    let rule = match dialect {
        Dialect::Postgres => Rule::file_postgres,
        Dialect::Mysql => Rule::file_mysql,
        Dialect::Sqlite => Rule::file_sqlite,
    };
    let mut locator = Locator::new(text);
    let mut problems = Vec::new();
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
            problems.sort_by_key(|problem| problem.offset);
            let errors = problems.into_iter().map(|problem| {
                let (line, column) = locator.line_column(problem.offset);
                ParseError::new(Span::new(&file.path, line, column), problem.kind)
            });
            Err(errors.collect())
        }
    }
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
    problems: &mut Vec<Problem>,
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
                statements: self.up.statements,
            },
            down: self.down.map(|down| Section {
                line: down.line,
                checksum: Checksum::of_down(down.text),
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
        problems: &mut Vec<Problem>,
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
        problems: &mut Vec<Problem>,
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
        problems: &mut Vec<Problem>,
    ) {
        let mut inner = entry.into_inner();
        let (Some(key_pair), Some(value_pair)) = (inner.next(), inner.next()) else {
            unreachable!("a header entry is a key and a value");
        };
        let offset = key_pair.as_span().start();
        let mut report = |kind| problems.push(Problem::new(offset, kind));
        let written = key_pair.as_str();
        let Some(key) = HeaderKey::named(written) else {
            report(ParseErrorKind::UnknownKey {
                key: written.to_owned(),
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
        let value = value_pair.as_str().trim_ascii();
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
mod scratch {
    use super::*;
    use std::time::Instant;
    const SMALL: &str = "-- revision: 9f3c2a1b7d4e\n-- revises: 1a2b3c4d5e6f\n-- message: add bio column to users\n\n-- up\nALTER TABLE users ADD COLUMN bio TEXT;\n\n-- down\nALTER TABLE users DROP COLUMN bio;\n";
    fn big() -> String {
        let statement = "CREATE TABLE users (\n    id bigint PRIMARY KEY, -- the id\n    name text NOT NULL DEFAULT 'x;y',\n    bio text /* free text */\n);\nINSERT INTO users (id, name) VALUES (1, 'O''Brien'), (2, \"q\");\n\n-- a comment line between statements\nCREATE INDEX users_name ON users (name);\n";
        let mut text = String::from("-- revision: a\n-- revises: b\n-- message: big\n\n-- up\n");
        while text.len() < std::env::var("BIG").map_or(5_000_000, |size| size.parse().unwrap()) { text.push_str(statement); }
        text
    }
    #[test]
    #[ignore]
    fn mode() {
        let file = SourceFile { path: "m/a.sql".into(), relative_path: "a.sql".into() };
        match std::env::var("MODE").as_deref() {
            Ok("small") => for _ in 0..10_000 { parse_revision(SMALL, &file, Dialect::Postgres).unwrap(); },
            Ok("big") => { let text = big(); for dialect in Dialect::ALL { parse_revision(&text, &file, dialect).unwrap(); } },
            _ => {
                let mut best = std::time::Duration::MAX;
                for _ in 0..15 { let start = Instant::now(); for _ in 0..10_000 { parse_revision(SMALL, &file, Dialect::Postgres).unwrap(); } best = best.min(start.elapsed()); }
                println!("10k small files: best {best:?}");
                let text = big();
                for dialect in Dialect::ALL {
                    let mut best = std::time::Duration::MAX;
                    for _ in 0..5 { let start = Instant::now(); parse_revision(&text, &file, dialect).unwrap(); best = best.min(start.elapsed()); }
                    println!("{dialect}: {:.1} MB/s", text.len() as f64 / best.as_secs_f64() / 1e6);
                }
            }
        }
    }
}
