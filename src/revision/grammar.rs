//! The pest parser generated from `grammar/revision.pest`.

// Written from `src/`: pest looks in the manifest's directory, then in its
// `src/`. The `sqlmig` package finds `src/../grammar/` (the first probe,
// outside the repository, finds nothing); `sqlmig-core`, which builds these
// same sources from its own directory, finds `sqlmig-core/../grammar/`.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/revision.pest"]
pub(crate) struct RevisionGrammar;

#[cfg(test)]
mod tests {
    //! One test per token rule: what it consumes from the start of an input
    //! (`None`: it does not match there). Silent character rules are
    //! exercised through the `code_*` and `statement_*` rules that use them.

    use pest::Parser;

    use super::*;

    /// The text `rule` consumes at the start of `input`.
    fn consumed(rule: Rule, input: &str) -> Option<&str> {
        let mut pairs = RevisionGrammar::parse(rule, input).ok()?;
        pairs.next().map(|pair| pair.as_str())
    }

    #[track_caller]
    fn assert_consumes(rule: Rule, cases: &[(&str, Option<&str>)]) {
        for &(input, expected) in cases {
            assert_eq!(consumed(rule, input), expected, "{rule:?} on {input:?}");
        }
    }

    #[test]
    fn standard_strings_double_their_quotes() {
        assert_consumes(
            Rule::string,
            &[
                ("'a;b' x", Some("'a;b'")),
                ("'it''s' x", Some("'it''s'")),
                ("'a\\' x'", Some("'a\\'")),
                ("'line\n-- down\n' x", Some("'line\n-- down\n'")),
                ("'never closed", None),
                ("x'a'", None),
            ],
        );
    }

    #[test]
    fn postgres_escape_strings_take_backslashes() {
        assert_consumes(
            Rule::escape_string,
            &[
                ("E'\\'' x", Some("E'\\''")),
                ("e'a\\\\' x", Some("e'a\\\\'")),
                ("E'it''s;' x", Some("E'it''s;'")),
                ("E'ends in \\'", None),
                ("'x'", None),
            ],
        );
    }

    #[test]
    fn mysql_strings_take_backslashes_and_doubled_quotes() {
        assert_consumes(
            Rule::string_mysql,
            &[
                ("'it\\'s;' x", Some("'it\\'s;'")),
                ("'a''b' x", Some("'a''b'")),
                ("'a\\\\' x", Some("'a\\\\'")),
                ("'a\\'", None),
            ],
        );
        assert_consumes(
            Rule::double_quoted_string_mysql,
            &[
                ("\"a\\\";\" x", Some("\"a\\\";\"")),
                ("\"a\"\"b\" x", Some("\"a\"\"b\"")),
                ("\"a", None),
            ],
        );
    }

    #[test]
    fn quoted_identifiers_double_their_quotes() {
        assert_consumes(
            Rule::quoted_identifier,
            &[
                ("\"a;\"\"b\" x", Some("\"a;\"\"b\"")),
                ("\"a\\\" x", Some("\"a\\\"")),
                ("\"a", None),
            ],
        );
        assert_consumes(
            Rule::backtick_identifier,
            &[("`a;``b` x", Some("`a;``b`")), ("`a", None)],
        );
        assert_consumes(
            Rule::bracket_identifier,
            &[
                ("[a;b] x", Some("[a;b]")),
                ("[a]] x", Some("[a]")),
                ("[a", None),
            ],
        );
    }

    #[test]
    fn dollar_quotes_end_at_their_own_tag() {
        assert_consumes(
            Rule::dollar_quote,
            &[
                ("$$ a; $$ x", Some("$$ a; $$")),
                ("$fn$ $$ ; $$ $fn$ x", Some("$fn$ $$ ; $$ $fn$")),
                ("$a$ $b$ $a$ x", Some("$a$ $b$ $a$")),
                ("$_1$x$_1$", Some("$_1$x$_1$")),
                ("$é$;$é$ x", Some("$é$;$é$")),
                ("$$-- down\n$$", Some("$$-- down\n$$")),
                ("$1$ x $1$", None),
                ("$a$ never closed", None),
            ],
        );
        assert_consumes(
            Rule::dollar_tag,
            &[
                ("abc$", Some("abc")),
                ("_a1$", Some("_a1")),
                ("1a", None),
                ("a$b", Some("a")),
            ],
        );
    }

    #[test]
    fn line_comments_run_to_the_end_of_the_line() {
        assert_consumes(
            Rule::line_comment,
            &[
                ("-- a; 'b\nx", Some("-- a; 'b")),
                ("--\n", Some("--")),
                ("--x", Some("--x")),
            ],
        );
        assert_consumes(
            Rule::line_comment_mysql,
            &[
                ("# a; b\nx", Some("# a; b")),
                ("-- a\nx", Some("-- a")),
                ("--\tx", Some("--\tx")),
                ("--\nx", Some("--")),
                ("--", Some("--")),
                ("--x", None),
            ],
        );
    }

    #[test]
    fn block_comments_nest_only_in_postgres() {
        assert_consumes(
            Rule::block_comment,
            &[
                ("/* a /* b */ c */", Some("/* a /* b */")),
                ("/**/x", Some("/**/")),
                ("/* a", None),
            ],
        );
        assert_consumes(
            Rule::block_comment_postgres,
            &[
                ("/* a /* b */ c */ d", Some("/* a /* b */ c */")),
                ("/*/**/*/x", Some("/*/**/*/")),
                ("/*/ */x", Some("/*/ */")),
                ("/**/*/", Some("/**/")),
                ("/* /* */", None),
            ],
        );
        assert_consumes(
            Rule::executable_comment,
            &[
                ("/*!40101 SET a=1; */ x", Some("/*!40101 SET a=1; */")),
                ("/*M!100101 SET a=1 */ x", Some("/*M!100101 SET a=1 */")),
                ("/* plain */", None),
            ],
        );
    }

    #[test]
    fn postgres_code_keeps_identifiers_whole_and_stops_before_openers() {
        assert_consumes(
            Rule::code_postgres,
            &[
                ("SELECT a$b$, $1 ; x", Some("SELECT a$b$, $1")),
                ("a - b / c * d[1] # e", Some("a - b / c * d[1] # e")),
                ("a -- c", Some("a")),
                ("a/*c*/", Some("a")),
                ("SELECT E'x'", Some("SELECT")),
                ("xE'a'", Some("xE")),
                ("eval(e)", Some("eval(e)")),
                ("$1$$ x $$", Some("$1")),
                ("a$$b$$", Some("a$$b$$")),
                ("x $tag$", Some("x")),
                ("$ 1", Some("$ 1")),
                ("1e5 \t\n2", Some("1e5")),
                ("ü = 'x'", Some("ü =")),
                ("\"q\"", None),
                ("; x", None),
                (" x", None),
            ],
        );
    }

    #[test]
    fn mysql_code_needs_a_space_after_dashes_for_a_comment() {
        assert_consumes(
            Rule::code_mysql,
            &[
                ("1--1 x", Some("1--1 x")),
                ("a -- c", Some("a")),
                ("a --\tc", Some("a")),
                ("a # c", Some("a")),
                ("a$b [c]", Some("a$b [c]")),
                ("a `b`", Some("a")),
                ("a /*! 1 */", Some("a")),
            ],
        );
    }

    #[test]
    fn sqlite_code_stops_before_brackets_and_backticks() {
        assert_consumes(
            Rule::code_sqlite,
            &[
                ("a[b]", Some("a")),
                ("a `b`", Some("a")),
                ("a#b $c", Some("a#b $c")),
                ("a--b", Some("a")),
                ("x]", Some("x]")),
            ],
        );
    }

    #[test]
    fn statements_exclude_surrounding_comments_and_stop_at_markers() {
        for rule in [
            Rule::statement_postgres,
            Rule::statement_mysql,
            Rule::statement_sqlite,
        ] {
            assert_consumes(
                rule,
                &[
                    ("SELECT 1 /* c */ ; x", Some("SELECT 1")),
                    ("a -- c\n  b;", Some("a -- c\n  b")),
                    ("a /* c */ b ", Some("a /* c */ b")),
                    ("a\n-- down\nb", Some("a")),
                    ("a\n  -- Statement-Begin\nb", Some("a")),
                    ("a\n-- downstairs\nb", Some("a\n-- downstairs\nb")),
                    ("'a' 'b'", Some("'a' 'b'")),
                    ("a 'never", Some("a")),
                    (";", None),
                ],
            );
        }
    }

    #[test]
    fn block_statements_keep_inner_semicolons_but_not_a_final_one() {
        for rule in [
            Rule::block_statement_postgres,
            Rule::block_statement_mysql,
            Rule::block_statement_sqlite,
        ] {
            assert_consumes(
                rule,
                &[
                    (
                        "BEGIN x; END; /* c */\n-- statement-end",
                        Some("BEGIN x; END"),
                    ),
                    ("a; b", Some("a; b")),
                    ("a;", Some("a")),
                    ("a;\nb;", Some("a;\nb")),
                    (";", None),
                ],
            );
        }
    }

    #[test]
    fn compound_statements_need_a_strict_head_and_a_begin() {
        for rule in [Rule::compound_mysql, Rule::compound_sqlite] {
            assert_consumes(
                rule,
                &[
                    (
                        "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END; x",
                        Some("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END"),
                    ),
                    (
                        "create trigger t begin select case when 1 then 2 end; end x; y",
                        Some("create trigger t begin select case when 1 then 2 end; end x"),
                    ),
                    // Unclosed: to the end, or to a marker line, before a final `;`.
                    (
                        "CREATE TRIGGER t BEGIN x; y;  ",
                        Some("CREATE TRIGGER t BEGIN x; y"),
                    ),
                    (
                        "CREATE TRIGGER t BEGIN x;\n-- up\n",
                        Some("CREATE TRIGGER t BEGIN x"),
                    ),
                    ("CREATE TRIGGER t BEGIN 'a", Some("CREATE TRIGGER t BEGIN")),
                    ("CREATE TRIGGER t SELECT 1; BEGIN END", None),
                    ("CREATE TRIGGER t", None),
                    ("CREATE TRIGGERS t BEGIN END", None),
                    ("CREATE TABLE trigger (begin INT, end INT)", None),
                    ("CREATETRIGGER t BEGIN END", None),
                ],
            );
        }
        assert_consumes(
            Rule::compound_mysql,
            &[
                (
                    "CREATE OR REPLACE DEFINER = 'a'@'%' AGGREGATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END;",
                    Some(
                        "CREATE OR REPLACE DEFINER = 'a'@'%' AGGREGATE FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
                    ),
                ),
                (
                    "CREATE EVENT e DO BEGIN IF 1 THEN BEGIN END; END IF; END; x",
                    Some("CREATE EVENT e DO BEGIN IF 1 THEN BEGIN END; END IF; END"),
                ),
                (
                    "CREATE PROCEDURE p() l: BEGIN CASE 1 WHEN 1 THEN SELECT 1; END CASE; END l; x",
                    Some(
                        "CREATE PROCEDURE p() l: BEGIN CASE 1 WHEN 1 THEN SELECT 1; END CASE; END l",
                    ),
                ),
                ("CREATE FUNCTION f() RETURNS INT RETURN 1; BEGIN END", None),
                ("CREATE DEFINER PROCEDURE p() BEGIN END", None),
                ("CREATE TEMP TRIGGER t BEGIN END", None),
            ],
        );
        assert_consumes(
            Rule::compound_sqlite,
            &[
                (
                    "CREATE TEMPORARY TRIGGER IF NOT EXISTS t BEGIN SELECT [end;]; END; x",
                    Some("CREATE TEMPORARY TRIGGER IF NOT EXISTS t BEGIN SELECT [end;]; END"),
                ),
                ("CREATE PROCEDURE p() BEGIN END", None),
            ],
        );
    }

    #[test]
    fn markers_are_whole_lines() {
        for input in ["-- up", "--up", "-- UP ", "  -- Up\t", "\t--\tuP"] {
            assert_eq!(
                consumed(Rule::section_marker, input),
                Some(input),
                "{input:?}"
            );
        }
        assert_consumes(
            Rule::section_marker,
            &[
                ("-- down\nx", Some("-- down")),
                ("-- upx", None),
                ("-- up x", None),
                ("- up", None),
                ("x -- up", None),
            ],
        );
        assert_consumes(
            Rule::statement_begin,
            &[
                ("-- statement-begin\n", Some("-- statement-begin")),
                ("--STATEMENT-BEGIN ", Some("--STATEMENT-BEGIN ")),
                ("-- statement-begin;", None),
            ],
        );
        assert_consumes(
            Rule::statement_end,
            &[
                ("  -- statement-end", Some("  -- statement-end")),
                ("-- statement-ends", None),
            ],
        );
        assert_consumes(Rule::up, &[("UP", Some("UP")), ("down", None)]);
        assert_consumes(Rule::down, &[("Down", Some("Down")), ("up", None)]);
    }

    #[test]
    fn header_entries_need_a_key_a_colon_and_a_space() {
        assert_consumes(
            Rule::header_entry,
            &[
                ("-- revision: a\nx", Some("-- revision: a")),
                ("--revision:\tb", Some("--revision:\tb")),
                ("-- revision:", Some("-- revision:")),
                ("-- TODO: x", Some("-- TODO: x")),
                ("-- see http://x", None),
                ("-- revision:x", None),
                ("-- 1a: x", None),
                ("revision: a", None),
            ],
        );
        assert_consumes(
            Rule::header_key,
            &[
                ("depends-on: a", Some("depends-on")),
                ("depends_on", Some("depends_on")),
                ("1a", None),
            ],
        );
        assert_consumes(
            Rule::header_value,
            &[("  x y \nz", Some("  x y ")), ("\n", Some(""))],
        );
        assert_consumes(
            Rule::sql_before_up,
            &[("SELECT 1\nx", Some("SELECT 1")), ("\n", None)],
        );
    }

    #[test]
    fn delimiter_commands_are_whole_words() {
        assert_consumes(
            Rule::delimiter_command,
            &[
                ("DELIMITER //\nx", Some("DELIMITER //")),
                ("delimiter ;", Some("delimiter ;")),
                ("DELIMITERS", None),
            ],
        );
    }

    #[test]
    fn unterminated_constructs_run_to_the_end_of_the_input() {
        for rule in [
            Rule::unterminated_string,
            Rule::unterminated_identifier,
            Rule::unterminated_dollar_quote,
            Rule::unterminated_block_comment,
        ] {
            assert_consumes(
                rule,
                &[("'a\n-- down\nb", Some("'a\n-- down\nb")), ("", None)],
            );
        }
    }
}
