//! What every dialect's catalog reader shares: queries whose values are
//! all read as text.

use crate::backend::{Backend, DbError};
use crate::sql::Sql;

/// Every row of `query`, each value as text (NULL as empty).
pub(crate) fn rows(backend: &mut dyn Backend, query: &str) -> Result<Vec<Vec<String>>, DbError> {
    let rows = backend.query(&Sql {
        text: query.to_owned(),
        params: Vec::new(),
    })?;
    Ok(rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|value| value.as_text().unwrap_or_default())
                .collect()
        })
        .collect())
}

/// The first value of every row of `query`.
pub(crate) fn column(backend: &mut dyn Backend, query: &str) -> Result<Vec<String>, DbError> {
    Ok(rows(backend, query)?
        .into_iter()
        .filter_map(|row| row.into_iter().next())
        .collect())
}

/// `text`, or `None` when it is empty (SQL NULL reads as empty).
pub(crate) fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}
