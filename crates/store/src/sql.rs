//! One WHERE builder for both engines: the terms are written once, the placeholder
//! style (`?N` for SQLite, `$N` for PostgreSQL) is a parameter.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

/// How a bound argument is written in the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placeholder {
    /// `?1, ?2, …` (SQLite).
    Question,
    /// `$1, $2, …` (PostgreSQL).
    Dollar,
}

/// A bound argument; each engine binds it in its own column type (SQLite stores
/// instants as microseconds, PostgreSQL as `timestamptz`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Text(String),
    Time(DateTime<Utc>),
}

/// ` WHERE 1=1 AND …` with its arguments in placeholder order.
#[derive(Debug, Clone)]
pub(crate) struct Where {
    style: Placeholder,
    sql: String,
    args: Vec<Value>,
}

impl Where {
    pub(crate) fn new(style: Placeholder) -> Where {
        Where {
            style,
            sql: String::from(" WHERE 1=1"),
            args: Vec::new(),
        }
    }

    /// Appends ` AND {column} {op} <next placeholder>`.
    pub(crate) fn and(&mut self, column: &str, op: &str, value: Value) {
        self.args.push(value);
        let mark = match self.style {
            Placeholder::Question => '?',
            Placeholder::Dollar => '$',
        };
        // Writing to a String cannot fail.
        let _ = write!(self.sql, " AND {column} {op} {mark}{}", self.args.len());
    }

    /// Appends ` AND ({condition})`: a fixed condition without arguments.
    pub(crate) fn raw(&mut self, condition: &'static str) {
        let _ = write!(self.sql, " AND ({condition})");
    }

    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn args(&self) -> &[Value] {
        &self.args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_style() {
        for (style, want) in [
            (Placeholder::Question, " WHERE 1=1 AND a >= ?1 AND +b < ?2"),
            (Placeholder::Dollar, " WHERE 1=1 AND a >= $1 AND +b < $2"),
        ] {
            let mut w = Where::new(style);
            w.and("a", ">=", Value::Text("x".into()));
            w.and("+b", "<", Value::Text("y".into()));
            assert_eq!(w.sql(), want);
            assert_eq!(w.args().len(), 2);
        }
    }
}
