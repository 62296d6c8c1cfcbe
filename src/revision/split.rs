//! Cutting SQL text into statements. The lexical rules live in
//! `grammar/revision.pest`; this module walks the pairs of one body (a
//! section of a revision file, or a standalone script) and turns them into
//! [`Statement`]s and positioned errors. `parse_revision` uses the same walker
//! for its sections, so a file and a script are always split alike.

use pest::Parser;
use pest::iterators::Pair;

use super::grammar::{RevisionGrammar, Rule};
use super::{ParseErrorKind, Statement, Unterminated};
use crate::dialect::Dialect;
use crate::span::{LineIndex, to_u32};

/// A problem found while splitting standalone SQL text.
#[derive(Debug, thiserror::Error)]
#[error("{line}:{column}: {kind}")]
pub struct SplitError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// Splits `sql` into statements under `dialect`'s lexical rules, exactly as a
/// section of a revision file would be split: `-- statement-begin` /
/// `-- statement-end` blocks are honoured, and a `-- up` / `-- down` line
/// ends the statement before it and is otherwise ignored. Positions are
/// relative to `sql` (line 1, column 1 at its start). The first problem in
/// text order is returned.
pub fn split_statements(sql: &str, dialect: Dialect) -> Result<Vec<Statement>, SplitError> {
    let rule = match dialect {
        Dialect::Postgres => Rule::script_postgres,
        Dialect::Mysql => Rule::script_mysql,
        Dialect::Sqlite => Rule::script_sqlite,
    };
    let mut locator = Locator::new(sql);
    let script = parse_entry(rule, sql).map_err(|problem| problem.split_error(&mut locator))?;
    let mut statements = Vec::new();
    let mut problems = Vec::new();
    for pair in script.into_inner() {
        match pair.as_rule() {
            Rule::body_postgres | Rule::body_mysql | Rule::body_sqlite => {
                let body = split_body(pair, &mut locator);
                statements.extend(body.statements);
                problems.extend(body.problems);
            }
            Rule::section_marker | Rule::EOI => {}
            rule => unreachable!("{rule:?} is not a child of a script"),
        }
    }
    match problems.into_iter().min_by_key(|problem| problem.offset) {
        Some(first) => Err(first.split_error(&mut locator)),
        None => Ok(statements),
    }
}

/// Runs one entry rule of the grammar. The grammar accepts every text, so
/// this only fails when pest itself gives up (its call or stack limit).
pub(crate) fn parse_entry(rule: Rule, text: &str) -> Result<Pair<'_, Rule>, Problem> {
    match RevisionGrammar::parse(rule, text) {
        Ok(mut pairs) => match pairs.next() {
            Some(entry) => Ok(entry),
            None => unreachable!("entry rules are not silent"),
        },
        Err(error) => {
            let offset = match error.location {
                pest::error::InputLocation::Pos(offset) => offset,
                pest::error::InputLocation::Span((start, _)) => start,
            };
            let message = error.variant.message().into_owned();
            Err(Problem::new(offset, ParseErrorKind::Unparsable { message }))
        }
    }
}

/// A problem at a byte offset, before it is turned into a line and column.
#[derive(Debug)]
pub(crate) struct Problem {
    /// Byte offset of the start of the offending construct.
    pub(crate) offset: usize,
    /// What is wrong.
    pub(crate) kind: ParseErrorKind,
}

impl Problem {
    pub(crate) fn new(offset: usize, kind: ParseErrorKind) -> Self {
        Problem { offset, kind }
    }

    fn split_error(self, locator: &mut Locator<'_>) -> SplitError {
        let (line, column) = locator.line_column(self.offset);
        SplitError {
            line,
            column,
            kind: self.kind,
        }
    }
}

/// The statements and problems of one body.
#[derive(Debug, Default)]
pub(crate) struct BodySplit {
    pub(crate) statements: Vec<Statement>,
    pub(crate) problems: Vec<Problem>,
}

/// Walks the pairs of one `body_*`: statements, statement blocks, stray
/// `-- statement-end` lines and constructs that never close.
pub(crate) fn split_body(body: Pair<'_, Rule>, locator: &mut Locator<'_>) -> BodySplit {
    let mut split = BodySplit::default();
    // The begin marker of a block that ended without `-- statement-end`; the
    // grammar only lets another block (or nothing) follow it.
    let mut unclosed_block: Option<usize> = None;
    for pair in body.into_inner() {
        match pair.as_rule() {
            Rule::statement_postgres | Rule::statement_mysql | Rule::statement_sqlite => {
                split.push_statement(&pair, false, locator);
            }
            Rule::statement_block_postgres
            | Rule::statement_block_mysql
            | Rule::statement_block_sqlite => {
                let begin = marker_offset(&pair);
                if let Some(open) = unclosed_block.take() {
                    let open_line = locator.line_column(open).0;
                    split.problem(begin, ParseErrorKind::NestedStatementBlock { open_line });
                }
                if !split.walk_block(pair, locator) {
                    unclosed_block = Some(begin);
                }
            }
            Rule::statement_end => {
                split.problem(marker_offset(&pair), ParseErrorKind::UnopenedStatementBlock);
            }
            Rule::delimiter_command => {
                split.problem(pair.as_span().start(), ParseErrorKind::DelimiterCommand);
            }
            rule if is_comment(rule) => {}
            rule => split.unterminated(&pair, rule, "a body"),
        }
    }
    if let Some(open) = unclosed_block {
        split.problem(open, ParseErrorKind::UnclosedStatementBlock);
    }
    split
}

impl BodySplit {
    fn problem(&mut self, offset: usize, kind: ParseErrorKind) {
        self.problems.push(Problem::new(offset, kind));
    }

    fn push_statement(
        &mut self,
        pair: &Pair<'_, Rule>,
        delimited: bool,
        locator: &mut Locator<'_>,
    ) {
        let (line, column) = locator.line_column(pair.as_span().start());
        self.statements.push(Statement {
            sql: pair.as_str().to_owned(),
            line,
            column,
            delimited,
        });
    }

    /// Reports a construct that never closes; `rule` is the last kind of
    /// pair a body or block can hold, so it is one of `unterminated_*`.
    fn unterminated(&mut self, pair: &Pair<'_, Rule>, rule: Rule, parent: &str) {
        let Some(kind) = unterminated_kind(rule) else {
            unreachable!("{rule:?} is not a child of {parent}");
        };
        self.problem(pair.as_span().start(), ParseErrorKind::Unterminated(kind));
    }

    /// Turns one `statement_block_*` into a delimited statement; returns
    /// `false` when the block has no `-- statement-end`.
    fn walk_block(&mut self, block: Pair<'_, Rule>, locator: &mut Locator<'_>) -> bool {
        let begin = marker_offset(&block);
        let mut closed = false;
        let mut has_statement = false;
        let mut unterminated = false;
        for pair in block.into_inner() {
            match pair.as_rule() {
                Rule::statement_begin => {}
                Rule::statement_end => closed = true,
                Rule::block_statement_postgres
                | Rule::block_statement_mysql
                | Rule::block_statement_sqlite => {
                    has_statement = true;
                    self.push_statement(&pair, true, locator);
                }
                Rule::delimiter_command => {
                    has_statement = true;
                    self.problem(pair.as_span().start(), ParseErrorKind::DelimiterCommand);
                }
                rule if is_comment(rule) => {}
                rule => {
                    self.unterminated(&pair, rule, "a statement block");
                    unterminated = true;
                }
            }
        }
        // A construct that never closes ran to the end of the input: that is
        // the one problem to report, not the missing end marker it swallowed.
        if unterminated {
            return true;
        }
        if closed && !has_statement {
            self.problem(begin, ParseErrorKind::EmptyStatementBlock);
        }
        closed
    }
}

/// The kind of construct an `unterminated_*` rule stands for.
fn unterminated_kind(rule: Rule) -> Option<Unterminated> {
    match rule {
        Rule::unterminated_string => Some(Unterminated::String),
        Rule::unterminated_identifier => Some(Unterminated::QuotedIdentifier),
        Rule::unterminated_dollar_quote => Some(Unterminated::DollarQuote),
        Rule::unterminated_block_comment => Some(Unterminated::BlockComment),
        _ => None,
    }
}

/// Comments between statements leave pairs (their rules are atomic so that
/// they scan fast); nothing is done with them.
pub(crate) fn is_comment(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::line_comment
            | Rule::line_comment_mysql
            | Rule::block_comment
            | Rule::block_comment_postgres
    )
}

/// Where a marker line's `--` is (its pair starts with the line's indentation).
pub(crate) fn marker_offset(pair: &Pair<'_, Rule>) -> usize {
    let text = pair.as_str();
    pair.as_span().start() + (text.len() - text.trim_start_matches([' ', '\t']).len())
}

/// Line and column of byte offsets. Offsets mostly come in increasing order
/// (statements do), so the position is carried forward from the previous
/// one; only a step back consults a [`LineIndex`], built on first use. So a
/// long line with many statements is never rescanned from its start.
pub(crate) struct Locator<'t> {
    text: &'t str,
    index: Option<LineIndex<'t>>,
    offset: usize,
    line: u32,
    column: u32,
}

impl<'t> Locator<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Locator {
            text,
            index: None,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    /// 1-based line and column (in characters) of `offset`.
    pub(crate) fn line_column(&mut self, offset: usize) -> (u32, u32) {
        match self.text.get(self.offset..offset) {
            Some(between) => match between.rfind('\n') {
                Some(last_newline) => {
                    let newlines = between.bytes().filter(|&byte| byte == b'\n').count();
                    self.line = self.line.saturating_add(to_u32(newlines));
                    self.column = 1 + to_u32(between[last_newline + 1..].chars().count());
                }
                None => self.column = self.column.saturating_add(to_u32(between.chars().count())),
            },
            None => {
                let text = self.text;
                let index = self.index.get_or_insert_with(|| LineIndex::new(text));
                (self.line, self.column) = index.line_column(offset);
            }
        }
        self.offset = offset;
        (self.line, self.column)
    }
}
