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
    let mut problems = Problems::default();
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
    match problems.into_sorted().0.into_iter().next() {
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

/// How many problems of one file are kept; the rest are only counted.
pub(crate) const MAX_FILE_PROBLEMS: usize = 20;

/// The problems of one file: the first [`MAX_FILE_PROBLEMS`] in text order
/// are kept, the others only counted, so a file with a million mistakes (a
/// megabyte of empty `revises` entries) costs no more memory than one with
/// twenty.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    /// The kept problems, each with its arrival number (the tie-break
    /// between problems at one offset).
    kept: Vec<(usize, Problem)>,
    /// Every problem pushed, kept or not.
    count: usize,
}

impl Problems {
    /// Adds `problem`; when the list is full it replaces the last kept one in
    /// text order if it comes before it.
    pub(crate) fn push(&mut self, problem: Problem) {
        let arrival = self.count;
        self.count += 1;
        if self.kept.len() < MAX_FILE_PROBLEMS {
            self.kept.push((arrival, problem));
            return;
        }
        let last = self
            .kept
            .iter_mut()
            .max_by_key(|(arrival, kept)| (kept.offset, *arrival));
        if let Some(last) = last.filter(|(_, kept)| problem.offset < kept.offset) {
            *last = (arrival, problem);
        }
    }

    /// Adds the problems of another part of the file. The first problems of
    /// the whole are among the first of each part, so none is lost.
    pub(crate) fn extend(&mut self, other: Problems) {
        let omitted = other.omitted();
        for (_, problem) in other.sorted_kept() {
            self.push(problem);
        }
        self.count += omitted;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn omitted(&self) -> usize {
        self.count - self.kept.len()
    }

    fn sorted_kept(mut self) -> Vec<(usize, Problem)> {
        self.kept
            .sort_unstable_by_key(|(arrival, problem)| (problem.offset, *arrival));
        self.kept
    }

    /// The kept problems in text order, and how many more there were.
    pub(crate) fn into_sorted(self) -> (Vec<Problem>, usize) {
        let omitted = self.omitted();
        let kept = self.sorted_kept();
        (
            kept.into_iter().map(|(_, problem)| problem).collect(),
            omitted,
        )
    }
}

/// The statements and problems of one body.
#[derive(Debug, Default)]
pub(crate) struct BodySplit {
    pub(crate) statements: Vec<Statement>,
    pub(crate) problems: Problems,
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
            // A routine or trigger body kept whole without markers: it may
            // hold bare `;` like the statement of a block.
            Rule::compound_mysql | Rule::compound_sqlite => {
                split.push_statement(&pair, true, locator);
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

    /// Turns one `statement_block_*` into a delimited statement. Returns
    /// `false` when the block is left open: no `-- statement-end`, and no
    /// construct that never closes (which is reported instead) cut it off.
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

#[cfg(test)]
mod tests {
    use pest::Parser;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn problems_keep_the_first_in_text_order_and_count_the_rest() {
        let offsets = |problems: Problems| {
            let (kept, omitted) = problems.into_sorted();
            (kept.iter().map(|p| p.offset).collect::<Vec<_>>(), omitted)
        };
        let problem = |offset| Problem::new(offset, ParseErrorKind::MissingUp);
        // Pushed backwards: the last 20 pushed are the first in the text.
        let mut problems = Problems::default();
        (0..100)
            .rev()
            .for_each(|offset| problems.push(problem(offset)));
        assert_eq!(offsets(problems), ((0..20).collect(), 80));
        // Two parts merged: the first 20 of the whole, and every other counted.
        let (mut even, mut odd) = (Problems::default(), Problems::default());
        for offset in 0..100 {
            let part = if offset % 2 == 0 { &mut even } else { &mut odd };
            part.push(problem(offset));
        }
        even.extend(odd);
        assert!(!even.is_empty());
        assert_eq!(offsets(even), ((0..20).collect(), 80));
    }

    fn texts(sql: &str, dialect: Dialect) -> Vec<String> {
        match split_statements(sql, dialect) {
            Ok(statements) => statements
                .into_iter()
                .map(|statement| statement.sql)
                .collect(),
            Err(error) => panic!("{dialect}: {sql:?}: {error}"),
        }
    }

    /// `line:column: message` of the first problem.
    fn error(sql: &str, dialect: Dialect) -> String {
        match split_statements(sql, dialect) {
            Ok(statements) => panic!("{dialect}: {sql:?} split into {statements:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn semicolons_inside_quotes_and_comments_do_not_split() {
        let sql = "SELECT 'a;b', \"c;d\" -- e;f\n/* g;h */ FROM t; SELECT 2";
        for dialect in Dialect::ALL {
            assert_eq!(
                texts(sql, dialect),
                ["SELECT 'a;b', \"c;d\" -- e;f\n/* g;h */ FROM t", "SELECT 2"],
                "{dialect}"
            );
        }
    }

    #[test]
    fn postgres_dollar_quotes_and_escape_strings() {
        let postgres = Dialect::Postgres;
        let function = "CREATE FUNCTION f() RETURNS int AS $fn$\nBEGIN\n  PERFORM $$ ; $$;\n  RETURN 1;\nEND\n$fn$ LANGUAGE plpgsql";
        assert_eq!(
            texts(&format!("{function};\nDO $$ BEGIN NULL; END $$;"), postgres),
            [function, "DO $$ BEGIN NULL; END $$"]
        );
        assert_eq!(
            texts("SELECT E'\\';'; SELECT e'x'", postgres),
            ["SELECT E'\\';'", "SELECT e'x'"]
        );
        // In a standard string a backslash is just a character.
        assert_eq!(
            texts("SELECT '\\'; SELECT 2", postgres),
            ["SELECT '\\'", "SELECT 2"]
        );
        // Identifiers are read whole: `a$b$` does not open a dollar quote,
        // and `$1` is a parameter.
        assert_eq!(
            texts("SELECT a$b$; SELECT $1; SELECT 2", postgres),
            ["SELECT a$b$", "SELECT $1", "SELECT 2"]
        );
        assert_eq!(texts("SELECT $1$$;$$", postgres), ["SELECT $1$$;$$"]);
        assert_eq!(
            texts("SELECT x /* a /* b; */ c; */ + 1; SELECT 2", postgres),
            ["SELECT x /* a /* b; */ c; */ + 1", "SELECT 2"]
        );
        // `#` is an operator and `[` a subscript, not an identifier quote.
        assert_eq!(
            texts("SELECT 1 # 2; SELECT a[1;2]", postgres),
            ["SELECT 1 # 2", "SELECT a[1", "2]"]
        );
    }

    #[test]
    fn mysql_backslashes_hash_comments_and_dashes() {
        let mysql = Dialect::Mysql;
        assert_eq!(
            texts("SELECT 'it\\'s;'; SELECT \"a\\\";\"", mysql),
            ["SELECT 'it\\'s;'", "SELECT \"a\\\";\""]
        );
        assert_eq!(
            texts("SELECT 1 # a; b\n; SELECT 2", mysql),
            ["SELECT 1", "SELECT 2"]
        );
        assert_eq!(
            texts("SELECT 1--1; SELECT 2 -- x;\n", mysql),
            ["SELECT 1--1", "SELECT 2"]
        );
        assert_eq!(
            texts("SELECT `a;``b` FROM t", mysql),
            ["SELECT `a;``b` FROM t"]
        );
        // Comments do not nest in MySQL; executable comments are SQL.
        assert_eq!(
            texts("SELECT /* a /* b */ 1; /*!40101 SET a = 1; */;", mysql),
            ["SELECT /* a /* b */ 1", "/*!40101 SET a = 1; */"]
        );
        // Elsewhere `--x` is a comment.
        assert_eq!(
            texts("SELECT 1--x;\nSELECT 2", Dialect::Postgres),
            ["SELECT 1--x;\nSELECT 2"]
        );
    }

    #[test]
    fn sqlite_brackets_and_backticks() {
        let sqlite = Dialect::Sqlite;
        assert_eq!(
            texts("SELECT [a;b], `c;d` FROM t; SELECT 2", sqlite),
            ["SELECT [a;b], `c;d` FROM t", "SELECT 2"]
        );
        assert_eq!(
            texts("SELECT /* a /* b */ 1; SELECT 2", sqlite),
            ["SELECT /* a /* b */ 1", "SELECT 2"]
        );
        assert_eq!(
            texts("SELECT $a, :b, @c, ?1", sqlite),
            ["SELECT $a, :b, @c, ?1"]
        );
    }

    #[test]
    fn empty_statements_and_comment_only_text_give_nothing() {
        for dialect in Dialect::ALL {
            assert!(texts("", dialect).is_empty());
            assert!(texts(" ;; ;\n\t;", dialect).is_empty());
            assert!(texts("-- only a comment\n/* and; another */\n", dialect).is_empty());
            assert_eq!(
                texts(";SELECT 1;;SELECT 2", dialect),
                ["SELECT 1", "SELECT 2"]
            );
        }
    }

    #[test]
    fn statements_keep_their_first_character_position() {
        let sql = "-- header\n  SELECT 1; /* ü */ SELECT\n  2;\n\né;";
        let statements = split_statements(sql, Dialect::Postgres).unwrap();
        let positions: Vec<(&str, u32, u32)> = statements
            .iter()
            .map(|statement| (statement.sql.as_str(), statement.line, statement.column))
            .collect();
        assert_eq!(
            positions,
            [("SELECT 1", 2, 3), ("SELECT\n  2", 2, 21), ("é", 5, 1)]
        );
        assert!(statements.iter().all(|statement| !statement.delimited));
    }

    #[test]
    fn statement_blocks_keep_bodies_whole() {
        let trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n  UPDATE c SET n = n + 1;\nEND";
        let sql = format!("SELECT 1;\n-- statement-begin\n{trigger};\n-- statement-end\nSELECT 2");
        for dialect in Dialect::ALL {
            let statements = split_statements(&sql, dialect).unwrap();
            let found: Vec<(&str, u32, bool)> = statements
                .iter()
                .map(|statement| (statement.sql.as_str(), statement.line, statement.delimited))
                .collect();
            assert_eq!(
                found,
                [
                    ("SELECT 1", 1, false),
                    (trigger, 3, true),
                    ("SELECT 2", 8, false)
                ],
                "{dialect}"
            );
        }
        // Text before the begin marker is a statement of its own, and a marker
        // inside a string is text.
        let sql = "SELECT 1\n-- statement-begin\nSELECT '\n-- statement-end\n'; x\n  -- STATEMENT-END  \n";
        assert_eq!(
            texts(sql, Dialect::Sqlite),
            ["SELECT 1", "SELECT '\n-- statement-end\n'; x"]
        );
    }

    #[test]
    fn markers_inside_quotes_and_comments_are_text() {
        let sql = "SELECT $$\n-- statement-end\n$$, '\n-- statement-begin\n', /*\n-- up\n*/ 1";
        assert_eq!(texts(sql, Dialect::Postgres), [sql]);
        // A section marker line ends the statement before it.
        assert_eq!(
            texts("SELECT 1\n-- down\nSELECT 2", Dialect::Postgres),
            ["SELECT 1", "SELECT 2"]
        );
    }

    #[test]
    fn unterminated_constructs_are_reported_where_they_start() {
        let cases = [
            (
                Dialect::Postgres,
                "SELECT 1;\nSELECT 'a;\n-- down\n",
                "2:8: unterminated string literal",
            ),
            (
                Dialect::Postgres,
                "SELECT E'a\\'",
                "1:8: unterminated string literal",
            ),
            (
                Dialect::Postgres,
                "SELECT \"a",
                "1:8: unterminated quoted identifier",
            ),
            (
                Dialect::Postgres,
                "SELECT $tag$ a $$",
                "1:8: unterminated dollar-quoted string",
            ),
            (
                Dialect::Postgres,
                "SELECT 1 /* a /* b */",
                "1:10: unterminated block comment",
            ),
            (
                Dialect::Mysql,
                "SELECT 'a\\'",
                "1:8: unterminated string literal",
            ),
            (
                Dialect::Mysql,
                "SELECT \"a",
                "1:8: unterminated string literal",
            ),
            (
                Dialect::Mysql,
                "SELECT `a",
                "1:8: unterminated quoted identifier",
            ),
            (
                Dialect::Mysql,
                "SELECT /*! 1",
                "1:8: unterminated block comment",
            ),
            (
                Dialect::Sqlite,
                "SELECT [a",
                "1:8: unterminated quoted identifier",
            ),
            (Dialect::Sqlite, "ü /* a", "1:3: unterminated block comment"),
        ];
        for (dialect, sql, expected) in cases {
            assert_eq!(error(sql, dialect), expected, "{dialect}: {sql:?}");
        }
    }

    #[test]
    fn statement_block_mistakes_are_reported_at_their_markers() {
        let sqlite = Dialect::Sqlite;
        assert_eq!(
            error("SELECT 1;\n  -- statement-begin\nx;\n", sqlite),
            "2:3: `-- statement-begin` has no matching `-- statement-end`"
        );
        assert_eq!(
            error("x;\n-- statement-end\n", sqlite),
            "2:1: `-- statement-end` without a preceding `-- statement-begin`"
        );
        assert_eq!(
            error(
                "-- statement-begin\nx;\n-- statement-begin\ny;\n-- statement-end\n",
                sqlite
            ),
            "3:1: `-- statement-begin` inside a block already opened on line 1"
        );
        assert_eq!(
            error("-- statement-begin\n-- c\n ;\n-- statement-end", sqlite),
            "1:1: `-- statement-begin` / `-- statement-end` block holds no statement"
        );
        // A string that never closes swallows the end marker: that is the
        // only problem.
        assert_eq!(
            error("-- statement-begin\n'a;\n-- statement-end\n", sqlite),
            "2:1: unterminated string literal"
        );
    }

    #[test]
    fn mysql_delimiter_commands_are_rejected() {
        let sql =
            "SELECT 1;\nDELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\nDELIMITER ;\n";
        assert_eq!(
            error(sql, Dialect::Mysql),
            "2:1: `DELIMITER` is a command of the mysql client, not SQL: drop the `DELIMITER` lines and end the body with `;` (a `CREATE ... BEGIN ... END` body stays whole), or wrap it in `-- statement-begin` / `-- statement-end` lines"
        );
        assert_eq!(
            texts("SELECT delimiter FROM t", Dialect::Mysql),
            ["SELECT delimiter FROM t"]
        );
        assert_eq!(texts("DELIMITER", Dialect::Postgres), ["DELIMITER"]);
    }

    /// Statements with their `delimited` flag.
    fn flagged(sql: &str, dialect: Dialect) -> Vec<(String, bool)> {
        match split_statements(sql, dialect) {
            Ok(statements) => statements
                .into_iter()
                .map(|statement| (statement.sql, statement.delimited))
                .collect(),
            Err(error) => panic!("{dialect}: {sql:?}: {error}"),
        }
    }

    /// `sql` (ending with `;`) is one compound statement, kept whole without
    /// its final `;`, and followed by `SELECT 2`.
    #[track_caller]
    fn assert_compound(sql: &str, dialect: Dialect) {
        let text = format!("{sql}\nSELECT 2;");
        let body = sql.strip_suffix(';').unwrap_or(sql).trim_end();
        assert_eq!(
            flagged(&text, dialect),
            [(body.to_owned(), true), ("SELECT 2".to_owned(), false)],
            "{dialect}: {sql:?}"
        );
    }

    #[test]
    fn mysql_compound_statements_are_kept_whole_without_markers() {
        let mysql = Dialect::Mysql;
        for sql in [
            // Nested blocks, labels, a CASE statement and a CASE expression.
            "CREATE PROCEDURE p() BEGIN DECLARE i INT DEFAULT 0; WHILE i < 3 DO SET i = i + 1; END WHILE; END;",
            "CREATE PROCEDURE p(IN n INT)\nouter_block: BEGIN\n  DECLARE i INT DEFAULT 0;\n  inner_block: BEGIN\n    \
             SET i = CASE WHEN n > 0 THEN n ELSE 0 END;\n    BEGIN SELECT i; END;\n  END inner_block;\n  \
             CASE i WHEN 1 THEN SELECT 'one'; ELSE BEGIN SELECT 'other'; END; END CASE;\nEND outer_block;",
            "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC\nBEGIN\n  IF x > 0 THEN RETURN 1; ELSEIF x < 0 THEN \
             RETURN -1; END IF;\n  RETURN 0;\nEND;",
            "CREATE PROCEDURE loops() BEGIN\n  l: LOOP LEAVE l; END LOOP l;\n  REPEAT SET @a = 1; UNTIL 1 END REPEAT;\n  \
             WHILE 0 DO SET @b = 1; END WHILE;\n  FOR i IN 1..2 DO SELECT i; END FOR;\n  \
             SELECT a FROM t WHERE b = CASE WHEN 1 THEN 2 END FOR UPDATE;\nEND;",
            // DEFINER forms, OR REPLACE, AGGREGATE, events and triggers.
            "CREATE DEFINER = 'root'@'localhost' PROCEDURE p() BEGIN SELECT 1; END;",
            "CREATE DEFINER=`u`@`%` TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END;",
            "CREATE DEFINER=CURRENT_USER() FUNCTION f() RETURNS INT BEGIN RETURN 1; END;",
            "create definer = root@127.0.0.1 event e on schedule every 1 day do begin delete from a; end;",
            "CREATE OR REPLACE DEFINER=CURRENT_USER AGGREGATE FUNCTION g(x INT) RETURNS INT\nBEGIN\n  \
             DECLARE s INT DEFAULT 0;\n  DECLARE CONTINUE HANDLER FOR NOT FOUND RETURN s;\n  \
             LOOP FETCH GROUP NEXT ROW; SET s = s + x; END LOOP;\nEND;",
            // Words are whole: `begin_date`, `ends` and `NEW.end` are names.
            "CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW BEGIN SET NEW.begin_date = NEW.ends; \
             SET NEW.end = OLD.`end`; END;",
            // Comments and strings with `;` and `END` inside.
            "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW\nBEGIN\n  -- comment; with semicolons END;\n  \
             # and END; here\n  /* END; */ INSERT INTO b VALUES ('END;', \"end; \\\" END\", `e;nd`);\nEND;",
            "CREATE PROCEDURE x() BEGIN /*!50003 SELECT 1; */ END;",
        ] {
            assert_compound(sql, mysql);
        }
        // A whole file's worth: statements around compound ones.
        assert_eq!(
            texts(
                "CREATE TABLE event (id INT, begin_date DATE);\nCREATE PROCEDURE p() BEGIN SELECT 1; END;\n\
                 INSERT INTO event VALUES (1, NULL);\nCALL p();",
                mysql
            ),
            [
                "CREATE TABLE event (id INT, begin_date DATE)",
                "CREATE PROCEDURE p() BEGIN SELECT 1; END",
                "INSERT INTO event VALUES (1, NULL)",
                "CALL p()"
            ]
        );
    }

    #[test]
    fn statements_that_only_look_compound_split_as_before() {
        let mysql = Dialect::Mysql;
        let cases = [
            (
                "CREATE FUNCTION f() RETURNS INT RETURN 1; SELECT 2",
                vec!["CREATE FUNCTION f() RETURNS INT RETURN 1", "SELECT 2"],
            ),
            (
                "CREATE TABLE event (begin_date DATE, `end` INT); CREATE TABLE procedure_log (a INT)",
                vec![
                    "CREATE TABLE event (begin_date DATE, `end` INT)",
                    "CREATE TABLE procedure_log (a INT)",
                ],
            ),
            (
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.begin_date = NOW(); SELECT 2",
                vec![
                    "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.begin_date = NOW()",
                    "SELECT 2",
                ],
            ),
            (
                "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM a; SELECT 2",
                vec![
                    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM a",
                    "SELECT 2",
                ],
            ),
            (
                "SELECT 1; BEGIN; SELECT 2; END",
                vec!["SELECT 1", "BEGIN", "SELECT 2", "END"],
            ),
            (
                "CREATE VIEW begin AS SELECT 1; END",
                vec!["CREATE VIEW begin AS SELECT 1", "END"],
            ),
        ];
        for (sql, expected) in cases {
            assert_eq!(
                flagged(sql, mysql)
                    .iter()
                    .filter(|(_, delimited)| *delimited)
                    .count(),
                0
            );
            assert_eq!(texts(sql, mysql), expected, "{sql:?}");
        }
        // PostgreSQL has no compound statements without dollar quotes.
        assert_eq!(
            texts(
                "CREATE PROCEDURE p() BEGIN SELECT 1; END",
                Dialect::Postgres
            ),
            ["CREATE PROCEDURE p() BEGIN SELECT 1", "END"]
        );
    }

    #[test]
    fn sqlite_triggers_are_kept_whole_without_markers() {
        let sqlite = Dialect::Sqlite;
        for sql in [
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (NEW.x); UPDATE c SET n = n + 1; END;",
            "CREATE TEMP TRIGGER IF NOT EXISTS t BEFORE DELETE ON a\nWHEN OLD.x > 0\nBEGIN\n  \
             SELECT CASE WHEN OLD.x > 9 THEN RAISE(ABORT, 'no; END') END;\n  \
             UPDATE b SET \"end\" = [begin;], begin_date = 1; -- c; END\n  /* END; */\nEND;",
            "create temporary trigger t after update of body on notes for each row begin\n  \
             insert into h values (old.id, case old.body when 'x' then 'END' else old.body end);\nend;",
        ] {
            assert_compound(sql, sqlite);
        }
        // SQLite has no procedures: they split as before (and fail on the server).
        assert_eq!(
            texts("CREATE PROCEDURE p() BEGIN SELECT 1; END", sqlite),
            ["CREATE PROCEDURE p() BEGIN SELECT 1", "END"]
        );
        assert_eq!(
            texts(
                "CREATE TABLE trigger (begin INT); CREATE TRIGGER t AFTER INSERT ON a SELECT 1; END",
                sqlite
            ),
            [
                "CREATE TABLE trigger (begin INT)",
                "CREATE TRIGGER t AFTER INSERT ON a SELECT 1",
                "END"
            ]
        );
    }

    #[test]
    fn markers_still_end_and_win_over_compound_statements() {
        for dialect in [Dialect::Mysql, Dialect::Sqlite] {
            // A marked body is one statement block, as before.
            let marked = "-- statement-begin\nCREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN SELECT 1; END;\n-- statement-end\nSELECT 2";
            assert_eq!(
                flagged(marked, dialect),
                [
                    (
                        "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN SELECT 1; END"
                            .to_owned(),
                        true
                    ),
                    ("SELECT 2".to_owned(), false)
                ],
                "{dialect}"
            );
            // A section marker ends a block that never closed, before its final `;`.
            assert_eq!(
                texts(
                    "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n-- down\nSELECT 2",
                    dialect
                ),
                [
                    "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1",
                    "SELECT 2"
                ],
                "{dialect}"
            );
            // A begin marker inside a body ends it too, and its block follows.
            assert_eq!(
                texts(
                    "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;\n-- statement-begin\nSELECT 2; END\n-- statement-end",
                    dialect
                ),
                [
                    "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1",
                    "SELECT 2; END"
                ],
                "{dialect}"
            );
            // A marker in the head ends the statement before `BEGIN` is read.
            assert_eq!(
                texts("CREATE TRIGGER t\n-- up\nBEGIN SELECT 1; END", dialect),
                ["CREATE TRIGGER t", "BEGIN SELECT 1", "END"],
                "{dialect}"
            );
        }
    }

    #[test]
    fn unterminated_compound_statements_run_to_the_end_and_never_panic() {
        let mysql = Dialect::Mysql;
        // A BEGIN without its END: the rest of the text, sent whole, is the
        // server's to refuse.
        assert_eq!(
            flagged("CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2;\n", mysql),
            [(
                "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2".to_owned(),
                true
            )]
        );
        assert_eq!(
            texts(
                "CREATE PROCEDURE p() BEGIN IF 1 THEN BEGIN SELECT 1; END IF; END",
                mysql
            ),
            ["CREATE PROCEDURE p() BEGIN IF 1 THEN BEGIN SELECT 1; END IF; END"]
        );
        // A construct that never closes inside a body is reported as ever.
        assert_eq!(
            error("CREATE PROCEDURE p() BEGIN SELECT 'a; END;", mysql),
            "1:35: unterminated string literal"
        );
        assert_eq!(
            error(
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN /* x; END;",
                Dialect::Sqlite
            ),
            "1:42: unterminated block comment"
        );
        assert_eq!(
            error("CREATE PROCEDURE `p; BEGIN END;", mysql),
            "1:18: unterminated quoted identifier"
        );
        // Heads alone, and text that stops anywhere in a head.
        let full = "CREATE OR REPLACE DEFINER = 'u'@'%' AGGREGATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END";
        for end in 0..=full.len() {
            let _ = split_statements(&full[..end], mysql);
            let _ = split_statements(&full[..end], Dialect::Sqlite);
        }
    }

    #[test]
    fn pathological_inputs_take_linear_time() {
        // Each of these is quadratic or worse for a backtracking lexer; here
        // they finish in milliseconds.
        let inputs = [
            "/*".repeat(20_000),
            "$".repeat(40_000),
            "$a$ ".repeat(10_000),
            "'".repeat(40_001),
            "E'".repeat(20_000),
            "x".repeat(200_000),
            "x;".repeat(20_000),
            "-- statement-begin\n".repeat(5_000),
            "\n".repeat(40_000),
            "CREATE PROCEDURE p() BEGIN x;".repeat(5_000),
            "CREATE TRIGGER t BEGIN CASE ".repeat(5_000),
            format!("CREATE TRIGGER t BEGIN {}", "BEGIN CASE ".repeat(20_000)),
            "CREATE PROCEDURE p() ".repeat(10_000),
            "CREATE PROCEDURE p() BEGIN END;".repeat(5_000),
        ];
        for input in &inputs {
            for dialect in Dialect::ALL {
                let _ = split_statements(input, dialect);
            }
        }
    }

    /// Byte offset of a 1-based line and character column.
    fn offset_of(text: &str, line: u32, column: u32) -> usize {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum();
        let within: usize = text[line_start..]
            .chars()
            .take(column as usize - 1)
            .map(char::len_utf8)
            .sum();
        line_start + within
    }

    /// Byte ranges of what may sit between statements besides white space
    /// and `;`: comments and marker lines, as the grammar sees them.
    fn trivia(sql: &str, dialect: Dialect) -> Vec<std::ops::Range<usize>> {
        let rule = match dialect {
            Dialect::Postgres => Rule::script_postgres,
            Dialect::Mysql => Rule::script_mysql,
            Dialect::Sqlite => Rule::script_sqlite,
        };
        let pairs = RevisionGrammar::parse(rule, sql).unwrap().flatten();
        pairs
            .filter(|pair| {
                is_comment(pair.as_rule())
                    || matches!(
                        pair.as_rule(),
                        Rule::section_marker | Rule::statement_begin | Rule::statement_end
                    )
            })
            .map(|pair| pair.as_span().start()..pair.as_span().end())
            .collect()
    }

    fn check_split(sql: &str, dialect: Dialect) -> Result<(), TestCaseError> {
        let Ok(statements) = split_statements(sql, dialect) else {
            return Ok(());
        };
        let trivia = trivia(sql, dialect);
        let mut end = 0;
        for statement in &statements {
            let start = offset_of(sql, statement.line, statement.column);
            prop_assert!(
                start >= end,
                "{statement:?} overlaps the previous statement"
            );
            prop_assert_eq!(
                &sql[start..start + statement.sql.len()],
                statement.sql.as_str()
            );
            check_gap(sql, end..start, &trivia)?;
            end = start + statement.sql.len();
        }
        check_gap(sql, end..sql.len(), &trivia)
    }

    fn check_gap(
        sql: &str,
        gap: std::ops::Range<usize>,
        trivia: &[std::ops::Range<usize>],
    ) -> Result<(), TestCaseError> {
        for (offset, character) in sql[gap.clone()].char_indices() {
            let offset = gap.start + offset;
            let insignificant = matches!(
                character,
                ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ';'
            );
            let in_trivia = trivia.iter().any(|range| range.contains(&offset));
            prop_assert!(
                insignificant || in_trivia,
                "{character:?} at {offset} is between statements in {sql:?}"
            );
        }
        Ok(())
    }

    fn sql_fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-cE1 ;\n]{1,4}",
            2 => prop::sample::select(vec![
                "'", "\"", "`", "$", "$$", "$a$", ";", "-", "--", "/", "*", "/*", "*/", "#", "[", "]", "\\",
                "E'", "é", "\t", "\r", "/*!",
            ]).prop_map(str::to_owned),
            1 => prop::sample::select(vec![
                "CREATE PROCEDURE p() BEGIN ", "create temp trigger t begin ", "BEGIN ", " END", "CASE ",
                " END IF", "END CASE", "begin_date", ".end", "CREATE DEFINER='u'@'%' EVENT e DO BEGIN ",
            ]).prop_map(str::to_owned),
            1 => prop::sample::select(vec![
                "\n-- statement-begin\n", "\n-- statement-end\n", "\n-- up\n", "\n-- down\n", "\nDELIMITER //\n",
            ]).prop_map(str::to_owned),
        ]
    }

    proptest! {
        #[test]
        fn random_sql_splits_into_slices_separated_by_trivia(
            fragments in prop::collection::vec(sql_fragment(), 0..40),
            dialect in prop::sample::select(Dialect::ALL.to_vec()),
        ) {
            check_split(&fragments.concat(), dialect)?;
        }

        #[test]
        fn any_text_splits_without_panicking(sql in "\\PC{0,80}|[ab '\"`$;\\-/*#\\[\\]\n\\\\E]{0,80}") {
            for dialect in Dialect::ALL {
                check_split(&sql, dialect)?;
            }
        }
    }
}
