//! Statements built at run time (filters, `IN (…)` lists) with `$1, $2, …`
//! placeholders, which SQLite and PostgreSQL both understand, and the values bound to
//! them. Every dynamic query goes through [`Statement`], so no value is ever spliced
//! into SQL text.

use sqlx::Any;

/// A value bound to a filter's placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Text(String),
    Int(i64),
}

/// A statement with `$1, $2, …` placeholders (understood by SQLite and PostgreSQL) and
/// the values for them.
#[derive(Debug, Clone, Default)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<SqlParam>,
}

impl Statement {
    pub fn new(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            params: Vec::new(),
        }
    }

    /// Appends text.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: SqlParam) -> &mut Self {
        self.params.push(value);
        self.sql.push_str(&format!("${}", self.params.len()));
        self
    }

    /// The statement as an sqlx query with its values bound.
    pub(crate) fn to_sqlx(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.sql.as_str()));
        for p in &self.params {
            q = match p {
                SqlParam::Text(s) => q.bind(s.as_str()),
                SqlParam::Int(i) => q.bind(*i),
            };
        }
        q
    }
}
