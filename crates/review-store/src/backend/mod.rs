//! The private seam between the mirror's logic and its two databases. The SQL is written once
//! (placeholders `$1`; the SQLite side rewrites them to `?1`); a backend binds the types its
//! way (times as text or `timestamptz`, JSON as text or `jsonb`) and runs "keyed" statements —
//! on SQLite once per batch row for queries and over up to 64 rows at a time (`UNION ALL`) for
//! writes, on PostgreSQL once, over one `UNNEST` of arrays.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use jiff::Timestamp;

use crate::StoreError;

/// One bound parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
    /// A review time, kept to the second.
    Ts(Timestamp),
    /// A push time, kept to the millisecond.
    TsMs(Timestamp),
}

/// A column of a keyed statement: its name in the `{u}` source and one value per row.
#[derive(Debug)]
pub(crate) struct Col<'a> {
    pub(crate) name: &'static str,
    pub(crate) values: Values<'a>,
}

/// The values of a column (all the same length in one statement).
#[derive(Debug)]
pub(crate) enum Values<'a> {
    Text(Vec<&'a str>),
    OptText(Vec<Option<&'a str>>),
    Int(Vec<i64>),
    OptInt(Vec<Option<i64>>),
    Bool(Vec<bool>),
    /// Review times, to the second.
    Ts(Vec<Timestamp>),
    OptTs(Vec<Option<Timestamp>>),
    /// JSON text (`jsonb` on PostgreSQL).
    Json(Vec<&'a str>),
}

impl Values<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Text(v) | Self::Json(v) => v.len(),
            Self::OptText(v) => v.len(),
            Self::Int(v) => v.len(),
            Self::OptInt(v) => v.len(),
            Self::Bool(v) => v.len(),
            Self::Ts(v) => v.len(),
            Self::OptTs(v) => v.len(),
        }
    }
}

/// A result row, read by column index.
pub(crate) trait Row {
    fn text(&self, i: usize) -> Result<String, StoreError>;
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError>;
    fn int(&self, i: usize) -> Result<i64, StoreError>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError>;
    fn bool(&self, i: usize) -> Result<bool, StoreError>;
    fn ts(&self, i: usize) -> Result<Timestamp, StoreError>;
    fn opt_ts(&self, i: usize) -> Result<Option<Timestamp>, StoreError>;
}

/// What the caller does with each row.
pub(crate) type EachRow<'f> = &'f mut dyn FnMut(&dyn Row) -> Result<(), StoreError>;

/// One database connection.
pub(crate) trait Backend: Send {
    /// Runs statements without parameters (transaction control, migrations).
    fn batch(&mut self, what: &'static str, sql: &str) -> Result<(), StoreError>;
    /// Starts a write transaction (SQLite takes the write lock at once: `BEGIN IMMEDIATE`).
    fn begin(&mut self) -> Result<(), StoreError>;
    /// Runs one statement; the rows it changed.
    fn execute(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Value<'_>],
    ) -> Result<u64, StoreError>;
    /// Runs one query.
    fn query(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Value<'_>],
        each: EachRow<'_>,
    ) -> Result<(), StoreError>;
    /// Runs `sql`, whose `{u}` is a row source `u` of `cols` (parameters after `fixed`), over
    /// every row of `cols`; `each` sees the rows it returns.
    fn keyed(
        &mut self,
        what: &'static str,
        sql: &str,
        fixed: &[Value<'_>],
        cols: &[Col<'_>],
        each: Option<EachRow<'_>>,
    ) -> Result<(), StoreError>;
    /// SQLite: `synchronous=FULL` (pushes, which answer the platform after the commit) or
    /// `NORMAL` (the sync path, which reads again after a crash). PostgreSQL: always durable.
    fn durable(&mut self, full: bool) -> Result<(), StoreError>;
    /// The row-lock clause of a claiming SELECT (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
    /// write transaction already excludes other writers).
    fn lock_clause(&self) -> &'static str;
    /// Whether `err` is a statement's primary-key or unique conflict.
    fn is_key_conflict(&self, err: &StoreError) -> bool;
    /// Whether this is PostgreSQL (migrations take an advisory lock).
    fn is_postgres(&self) -> bool;
}

/// Runs `body` in a write transaction: committed if it returns `Ok`, rolled back otherwise.
pub(crate) fn in_tx<T>(
    backend: &mut dyn Backend,
    body: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    backend.begin()?;
    match body(backend) {
        Ok(value) => {
            backend.batch("commit", "COMMIT")?;
            Ok(value)
        }
        Err(err) => {
            // The first error is the one to report; a failed rollback leaves the connection
            // to be closed with the handle.
            let _ = backend.batch("rollback", "ROLLBACK");
            Err(err)
        }
    }
}
