//! Mysql backend (being written).

use std::time::Duration;

use super::{Backend, ConnectError, ConnectOptions, DbError, LockError};
use crate::database_url::DatabaseUrl;
use crate::dialect::Dialect;
use crate::sql::{Sql, Value};

/// A Mysql connection.
#[derive(Debug)]
pub struct MysqlBackend {
    _private: (),
}

impl MysqlBackend {
    /// Connects to the database of `url`.
    pub fn connect(url: &DatabaseUrl, _options: &ConnectOptions) -> Result<Self, ConnectError> {
        Err(ConnectError::Connect {
            target: url.redacted(),
            source: Box::new(DbError::connection("this backend is being written")),
        })
    }
}

impl Backend for MysqlBackend {
    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }
    fn execute(&mut self, _sql: &str) -> Result<(), DbError> {
        unreachable!("never connected")
    }
    fn execute_with(&mut self, _sql: &Sql) -> Result<u64, DbError> {
        unreachable!("never connected")
    }
    fn query(&mut self, _sql: &Sql) -> Result<Vec<Vec<Value>>, DbError> {
        unreachable!("never connected")
    }
    fn lock(&mut self, _scope: &str, _timeout: Duration, _waiting: &mut dyn FnMut(&str)) -> Result<(), LockError> {
        unreachable!("never connected")
    }
    fn unlock(&mut self) -> Result<(), DbError> {
        unreachable!("never connected")
    }
}
