//! SQL that sqlmig writes itself (state-table rows, guards): text plus values.
//!
//! Online, values are bound as parameters; offline, the same builder writes
//! them as literals quoted for the dialect. One builder serves both, so the
//! offline script holds exactly the statements the online run executes.

use std::fmt::Write as _;

use crate::dialect::Dialect;

/// A value sqlmig binds or writes into its own statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text, or a typed NULL for a text column.
    Text(Option<String>),
    /// A 64-bit integer, or a typed NULL for an integer column.
    Integer(Option<i64>),
}

impl Value {
    /// A text value.
    pub fn text(text: impl Into<String>) -> Self {
        Value::Text(Some(text.into()))
    }

    /// An integer value.
    pub fn integer(value: i64) -> Self {
        Value::Integer(Some(value))
    }

    /// The value as text, if it holds any (integers are formatted).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Text(text) => text.clone(),
            Value::Integer(value) => value.map(|value| value.to_string()),
        }
    }

    /// The value as an integer, if it holds one (text is parsed).
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Value::Integer(value) => *value,
            Value::Text(text) => text.as_deref().and_then(|text| text.trim().parse().ok()),
        }
    }
}

/// Whether values become placeholders (online) or literals (offline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// `$1` / `?` / `?1` placeholders with the values kept aside.
    Parameters,
    /// Literals quoted for the dialect, written into the text.
    Inline,
}

/// A statement sqlmig writes: its text and, when bound, its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sql {
    /// The statement text.
    pub text: String,
    /// The parameters, in placeholder order (empty when inline).
    pub params: Vec<Value>,
}

/// Builds one [`Sql`] statement for a dialect and a [`Binding`].
#[derive(Debug)]
pub(crate) struct SqlBuilder {
    dialect: Dialect,
    binding: Binding,
    text: String,
    params: Vec<Value>,
}

impl SqlBuilder {
    pub(crate) fn new(dialect: Dialect, binding: Binding) -> Self {
        SqlBuilder {
            dialect,
            binding,
            // Room for a state-table row: no regrowing while it is written.
            text: String::with_capacity(512),
            params: Vec::new(),
        }
    }

    /// Appends SQL text written by sqlmig.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a value: a placeholder, or a quoted literal.
    pub(crate) fn value(&mut self, value: Value) -> &mut Self {
        match self.binding {
            Binding::Parameters => {
                self.params.push(value);
                let placeholder = self.dialect.profile().placeholder(self.params.len());
                self.text.push_str(&placeholder);
            }
            Binding::Inline => match &value {
                Value::Text(Some(text)) => self.dialect.push_literal(text, &mut self.text),
                Value::Integer(Some(integer)) => {
                    let _ = write!(self.text, "{integer}");
                }
                Value::Text(None) | Value::Integer(None) => self.text.push_str("NULL"),
            },
        }
        self
    }

    /// Appends `values` separated by `, `.
    pub(crate) fn values(&mut self, values: impl IntoIterator<Item = Value>) -> &mut Self {
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.value(value);
        }
        self
    }

    pub(crate) fn finish(self) -> Sql {
        Sql {
            text: self.text,
            params: self.params,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_dialect() {
        let build = |dialect| {
            let mut builder = SqlBuilder::new(dialect, Binding::Parameters);
            builder
                .push("VALUES (")
                .values([Value::text("a"), Value::integer(1)])
                .push(")");
            builder.finish()
        };
        assert_eq!(build(Dialect::Postgres).text, "VALUES ($1, $2)");
        assert_eq!(build(Dialect::Sqlite).text, "VALUES (?1, ?2)");
        assert_eq!(build(Dialect::Mysql).text, "VALUES (?, ?)");
        assert_eq!(
            build(Dialect::Mysql).params,
            vec![Value::text("a"), Value::integer(1)]
        );
    }

    #[test]
    fn inline_values_are_literals() {
        let mut builder = SqlBuilder::new(Dialect::Sqlite, Binding::Inline);
        builder
            .push("VALUES (")
            .values([Value::text("it's"), Value::integer(-3), Value::Text(None)])
            .push(")");
        let sql = builder.finish();
        assert_eq!(sql.text, "VALUES ('it''s', -3, NULL)");
        assert!(sql.params.is_empty());
    }
}
