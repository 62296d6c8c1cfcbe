//! What SQLite keeps only in a table's `CREATE TABLE` text: CHECK
//! constraints, collations, generated-column expressions, AUTOINCREMENT.
//! The text is cut into tokens (strings, quoted names, comments and
//! brackets respected); expressions are given canonical spacing, with
//! comments dropped, so re-spaced text compares equal.

/// One top-level item of a table's body: a column or a table constraint,
/// as its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Item {
    tokens: Vec<String>,
}

/// The items of `CREATE TABLE name (item, item, ...) options`.
pub(super) fn items(sql: &str) -> Vec<Item> {
    let tokens = tokens(sql);
    let Some(open) = tokens.iter().position(|token| token == "(") else {
        return Vec::new();
    };
    let mut items = Vec::new();
    let mut current = Vec::new();
    let mut depth = 0usize;
    for token in &tokens[open + 1..] {
        match token.as_str() {
            "(" => depth += 1,
            ")" if depth == 0 => break,
            ")" => depth -= 1,
            "," if depth == 0 => {
                items.push(Item {
                    tokens: std::mem::take(&mut current),
                });
                continue;
            }
            _ => {}
        }
        current.push(token.clone());
    }
    if !current.is_empty() {
        items.push(Item { tokens: current });
    }
    items
}

impl Item {
    /// The column this item defines, unquoted; `None` for a table constraint.
    pub(super) fn column_name(&self) -> Option<String> {
        let first = self.tokens.first()?;
        let keyword = first.to_ascii_uppercase();
        if matches!(
            keyword.as_str(),
            "CONSTRAINT" | "PRIMARY" | "UNIQUE" | "CHECK" | "FOREIGN"
        ) {
            return None;
        }
        Some(unquote(first))
    }

    /// The CHECK constraints of the item: (name, `CHECK (...)` text).
    pub(super) fn checks(&self) -> Vec<(String, String)> {
        let mut checks = Vec::new();
        let mut index = 0;
        while index < self.tokens.len() {
            if self.keyword(index, "CHECK") && self.tokens.get(index + 1).is_some_and(|t| t == "(")
            {
                let end = self.closing(index + 1);
                let name = if index >= 2 && self.keyword(index - 2, "CONSTRAINT") {
                    unquote(&self.tokens[index - 1])
                } else {
                    String::new()
                };
                checks.push((
                    name,
                    format!("CHECK {}", join(&self.tokens[index + 1..=end])),
                ));
                index = end + 1;
            } else {
                index += 1;
            }
        }
        checks
    }

    /// The column's `COLLATE` name, upper-cased (collation names are case-insensitive).
    pub(super) fn collation(&self) -> Option<String> {
        let at = (0..self.tokens.len()).find(|&index| self.keyword(index, "COLLATE"))?;
        self.tokens
            .get(at + 1)
            .map(|name| unquote(name).to_ascii_uppercase())
    }

    /// The column's generation clause, `GENERATED ALWAYS AS (expr) STORED|VIRTUAL`.
    pub(super) fn generated(&self) -> Option<String> {
        let at = (1..self.tokens.len()).find(|&index| {
            self.keyword(index, "AS") && self.tokens.get(index + 1).is_some_and(|t| t == "(")
        })?;
        let end = self.closing(at + 1);
        let stored = self.keyword(end + 1, "STORED");
        Some(format!(
            "GENERATED ALWAYS AS {} {}",
            join(&self.tokens[at + 1..=end]),
            if stored { "STORED" } else { "VIRTUAL" }
        ))
    }

    /// Whether the column is `AUTOINCREMENT`.
    pub(super) fn autoincrement(&self) -> bool {
        (0..self.tokens.len()).any(|index| self.keyword(index, "AUTOINCREMENT"))
    }

    fn keyword(&self, index: usize, word: &str) -> bool {
        self.tokens
            .get(index)
            .is_some_and(|token| token.eq_ignore_ascii_case(word))
    }

    /// The index of the `)` closing the `(` at `open`.
    fn closing(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for (index, token) in self.tokens.iter().enumerate().skip(open) {
            match token.as_str() {
                "(" => depth += 1,
                ")" => {
                    depth -= 1;
                    if depth == 0 {
                        return index;
                    }
                }
                _ => {}
            }
        }
        self.tokens.len() - 1
    }
}

/// `sql` with canonical spacing and without comments.
pub(super) fn normalize(sql: &str) -> String {
    join(&tokens(sql))
}

/// A name without its quotes (`"a""b"` is `a"b`).
pub(super) fn unquote(token: &str) -> String {
    let mut chars = token.chars();
    match (chars.next(), token.chars().last()) {
        (Some('"'), Some('"')) if token.len() >= 2 => {
            token[1..token.len() - 1].replace("\"\"", "\"")
        }
        (Some('`'), Some('`')) if token.len() >= 2 => token[1..token.len() - 1].replace("``", "`"),
        (Some('['), Some(']')) if token.len() >= 2 => token[1..token.len() - 1].to_owned(),
        _ => token.to_owned(),
    }
}

/// Tokens joined with single spaces, none inside brackets, before commas or
/// between a name and its `(`.
fn join(tokens: &[String]) -> String {
    let mut text = String::new();
    let mut previous: Option<&str> = None;
    for token in tokens {
        let call = token == "("
            && previous.is_some_and(|word| {
                word.starts_with(|c: char| {
                    c.is_alphanumeric() || matches!(c, '_' | '"' | '`' | '[')
                })
            });
        let tight = call
            || matches!(token.as_str(), ")" | "," | ";" | ".")
            || matches!(previous, Some("(" | "."))
            || previous.is_none();
        if !tight {
            text.push(' ');
        }
        text.push_str(token);
        previous = Some(token);
    }
    text
}

/// The tokens of `sql`: words, numbers, strings, quoted names, operators;
/// white space and comments dropped.
fn tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let start = index;
        match c {
            c if c.is_whitespace() => {
                index += 1;
                continue;
            }
            '-' if chars.get(index + 1) == Some(&'-') => {
                while index < chars.len() && chars[index] != '\n' {
                    index += 1;
                }
                continue;
            }
            '/' if chars.get(index + 1) == Some(&'*') => {
                index += 2;
                while index < chars.len()
                    && !(chars[index] == '*' && chars.get(index + 1) == Some(&'/'))
                {
                    index += 1;
                }
                index += 2;
                continue;
            }
            '\'' | '"' | '`' => {
                index += 1;
                loop {
                    match chars.get(index) {
                        None => break,
                        Some(&quote) if quote == c => {
                            if chars.get(index + 1) == Some(&c) {
                                index += 2;
                            } else {
                                index += 1;
                                break;
                            }
                        }
                        Some(_) => index += 1,
                    }
                }
            }
            '[' => {
                while index < chars.len() && chars[index] != ']' {
                    index += 1;
                }
                index += 1;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                while index < chars.len()
                    && (chars[index].is_alphanumeric() || matches!(chars[index], '_' | '$'))
                {
                    index += 1;
                }
            }
            '<' | '>' | '!' | '=' | '|'
                if matches!(chars.get(index + 1), Some('=' | '>' | '|')) =>
            {
                index += 2;
            }
            _ => index += 1,
        }
        let end = index.min(chars.len());
        tokens.push(chars[start..end].iter().collect());
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_checks_collations_and_generated_columns_are_read_from_the_text() {
        let sql = "CREATE TABLE \"t\" ( -- a comment, with a comma\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  name TEXT COLLATE nocase CHECK (length(name)  >  0),\n  doubled INT GENERATED ALWAYS AS (id*2) STORED,\n  half INT AS (id / 2),\n  CONSTRAINT positive CHECK(id>0), UNIQUE (name, 'x,y')\n) STRICT";
        let items = items(sql);
        assert_eq!(items.len(), 6);
        assert_eq!(items[0].column_name().as_deref(), Some("id"));
        assert!(items[0].autoincrement());
        assert_eq!(items[1].collation().as_deref(), Some("NOCASE"));
        assert_eq!(
            items[1].checks(),
            [(String::new(), String::from("CHECK (length(name) > 0)"))]
        );
        assert_eq!(
            items[2].generated().as_deref(),
            Some("GENERATED ALWAYS AS (id * 2) STORED")
        );
        assert_eq!(
            items[3].generated().as_deref(),
            Some("GENERATED ALWAYS AS (id / 2) VIRTUAL")
        );
        assert_eq!(items[4].column_name(), None);
        assert_eq!(
            items[4].checks(),
            [(String::from("positive"), String::from("CHECK (id > 0)"))]
        );
        assert_eq!(
            normalize("CREATE  VIEW v AS\n SELECT a ,b FROM t /* x */ WHERE a>=1"),
            "CREATE VIEW v AS SELECT a, b FROM t WHERE a >= 1"
        );
        assert_eq!(unquote("\"a\"\"b\""), "a\"b");
    }
}
