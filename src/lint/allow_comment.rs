//! `-- sqlmig:allow rule-id[, rule-id] because <reason>`: the comment lines
//! right above a statement that silence rules for it.

use super::rules::rule;

/// What the comment lines above one statement allow.
#[derive(Debug, Default)]
pub(crate) struct Allowed {
    /// The rule ids silenced.
    pub(crate) rules: Vec<&'static str>,
    /// Malformed allow comments: (line, what is wrong).
    pub(crate) problems: Vec<(u32, String)>,
}

const MARKER: &str = "sqlmig:allow";

/// Reads the comment lines directly above 1-based `line` of `lines` (the
/// file's lines), up to the first line that is not a `--` comment.
pub(crate) fn allowed_above(lines: &[&str], line: u32) -> Allowed {
    let mut allowed = Allowed::default();
    let mut number = line as usize;
    while number >= 2 {
        number -= 1;
        let text = lines.get(number - 1).map_or("", |text| text.trim());
        let Some(comment) = text.strip_prefix("--") else {
            break;
        };
        let Some(rest) = comment.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        read_one(rest, crate::span::to_u32(number), &mut allowed);
    }
    allowed
}

/// One allow comment's text after the marker.
fn read_one(rest: &str, line: u32, allowed: &mut Allowed) {
    let (ids, reason) = match rest.split_once(" because ") {
        Some((ids, reason)) => (ids, reason.trim()),
        None => (rest.trim_end().trim_end_matches("because"), ""),
    };
    if reason.is_empty() {
        allowed.problems.push((
            line,
            String::from("this allow comment gives no reason: it must end with `because <reason>`, and silences nothing until it does"),
        ));
        return;
    }
    for id in ids.split(',').map(str::trim) {
        match rule(id) {
            Some(known) => allowed.rules.push(known.id),
            None => allowed.problems.push((
                line,
                if id.is_empty() {
                    String::from("this allow comment names no rule")
                } else {
                    format!("this allow comment names `{id}`, which is not a rule id (`sqlmig lint --explain` lists them)")
                },
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_comments_need_a_reason_and_known_rules() {
        let lines = [
            "-- sqlmig:allow drop-data, create-index-blocking because tiny table",
            "-- another comment",
            "DROP TABLE t;",
        ];
        let allowed = allowed_above(&lines, 3);
        assert_eq!(allowed.rules, ["drop-data", "create-index-blocking"]);
        assert!(allowed.problems.is_empty());

        let allowed = allowed_above(&["-- sqlmig:allow drop-data", "DROP TABLE t;"], 2);
        assert!(allowed.rules.is_empty());
        assert_eq!(allowed.problems[0].0, 1);

        let allowed = allowed_above(&["-- sqlmig:allow drop-date because x", "DROP TABLE t;"], 2);
        assert!(allowed.problems[0].1.contains("drop-date"));

        let allowed = allowed_above(
            &["-- sqlmig:allow drop-data because x", "", "DROP TABLE t;"],
            3,
        );
        assert!(allowed.rules.is_empty());
    }
}
