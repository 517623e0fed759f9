//! The SQLite backend (rusqlite, SQLite compiled in): WAL, a busy timeout so several processes
//! share one file, statements prepared once and cached.

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, params_from_iter};

use super::{Backend, Col, EachRow, Row, Value, Values};
use crate::{StoreError, text_time};

/// How long a writer waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct Sqlite {
    conn: Connection,
    full: Option<bool>,
}

impl Sqlite {
    /// Opens (creating) the file, or a private in-memory database for `None`.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, rusqlite::Error> {
        let conn = match path {
            Some(path) => Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?,
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if path.is_some() {
            // journal_mode answers with a row: read it rather than execute.
            let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
        }
        conn.set_prepared_statement_cache_capacity(64);
        let mut sqlite = Self { conn, full: None };
        sqlite.set_sync(false)?;
        Ok(sqlite)
    }

    fn set_sync(&mut self, full: bool) -> Result<(), rusqlite::Error> {
        if self.full != Some(full) {
            let level = if full { "FULL" } else { "NORMAL" };
            self.conn.pragma_update(None, "synchronous", level)?;
            self.full = Some(full);
        }
        Ok(())
    }
}

/// SQLite numbers its parameters `?1`; the shared SQL writes `$1`.
fn rewrite(sql: &str) -> String {
    sql.replace('$', "?")
}

/// A parameter as SQLite takes it: borrowed text where possible.
enum Param<'a> {
    Text(&'a str),
    Owned(String),
    Int(i64),
    Null,
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Self::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Self::Owned(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
            Self::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Self::Null => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

fn param<'a>(value: &Value<'a>) -> Param<'a> {
    match *value {
        Value::Text(text) => Param::Text(text),
        Value::OptText(text) => text.map_or(Param::Null, Param::Text),
        Value::Int(n) => Param::Int(n),
        Value::Ts(at) => Param::Owned(text_time::seconds(at)),
        Value::TsMs(at) => Param::Owned(text_time::millis(at)),
    }
}

fn cell<'a>(values: &Values<'a>, i: usize) -> Param<'a> {
    let ts = |at: &Timestamp| Param::Owned(text_time::seconds(*at));
    match values {
        Values::Text(v) | Values::Json(v) => v.get(i).map_or(Param::Null, |t| Param::Text(t)),
        Values::OptText(v) => v.get(i).copied().flatten().map_or(Param::Null, Param::Text),
        Values::Int(v) => v.get(i).map_or(Param::Null, |n| Param::Int(*n)),
        Values::OptInt(v) => v.get(i).copied().flatten().map_or(Param::Null, Param::Int),
        Values::Bool(v) => v.get(i).map_or(Param::Null, |b| Param::Int(i64::from(*b))),
        Values::Ts(v) => v.get(i).map_or(Param::Null, ts),
        Values::OptTs(v) => v.get(i).and_then(Option::as_ref).map_or(Param::Null, ts),
    }
}

struct SqliteRow<'r, 's>(&'r rusqlite::Row<'s>);

#[allow(clippy::needless_pass_by_value)] // the map_err shape
fn bad(err: rusqlite::Error) -> StoreError {
    StoreError::corrupt("column", err.to_string())
}

fn parse_ts(text: &str) -> Result<Timestamp, StoreError> {
    text_time::parse(text).ok_or_else(|| StoreError::corrupt("timestamp", text.to_owned()))
}

impl Row for SqliteRow<'_, '_> {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        self.0.get(i).map_err(bad)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        self.0.get(i).map_err(bad)
    }
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.0.get(i).map_err(bad)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        self.0.get(i).map_err(bad)
    }
    fn bool(&self, i: usize) -> Result<bool, StoreError> {
        self.0.get::<_, i64>(i).map(|n| n != 0).map_err(bad)
    }
    fn ts(&self, i: usize) -> Result<Timestamp, StoreError> {
        parse_ts(&self.text(i)?)
    }
    fn opt_ts(&self, i: usize) -> Result<Option<Timestamp>, StoreError> {
        self.opt_text(i)?.as_deref().map(parse_ts).transpose()
    }
}

impl Sqlite {
    fn run(
        &self,
        what: &'static str,
        sql: &str,
        params: &[Param<'_>],
        each: Option<&mut EachRow<'_>>,
    ) -> Result<u64, StoreError> {
        let q = |err| StoreError::query(what, err);
        let mut stmt = self.conn.prepare_cached(sql).map_err(q)?;
        match each {
            None => stmt
                .execute(params_from_iter(params.iter()))
                .map(|n| n as u64)
                .map_err(q),
            Some(each) => {
                let mut rows = stmt.query(params_from_iter(params.iter())).map_err(q)?;
                while let Some(row) = rows.next().map_err(q)? {
                    each(&SqliteRow(row))?;
                }
                Ok(0)
            }
        }
    }
}

impl Backend for Sqlite {
    fn batch(&mut self, what: &'static str, sql: &str) -> Result<(), StoreError> {
        self.conn
            .execute_batch(sql)
            .map_err(|err| StoreError::query(what, err))
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        if !self.conn.is_autocommit() {
            // A transaction left open by an earlier failure: nothing of it was committed.
            self.batch("rollback", "ROLLBACK")?;
        }
        self.batch("begin", "BEGIN IMMEDIATE")
    }

    fn execute(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Value<'_>],
    ) -> Result<u64, StoreError> {
        let params: Vec<Param<'_>> = params.iter().map(param).collect();
        self.run(what, &rewrite(sql), &params, None)
    }

    fn query(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Value<'_>],
        mut each: EachRow<'_>,
    ) -> Result<(), StoreError> {
        let params: Vec<Param<'_>> = params.iter().map(param).collect();
        self.run(what, &rewrite(sql), &params, Some(&mut each))
            .map(drop)
    }

    fn keyed(
        &mut self,
        what: &'static str,
        sql: &str,
        fixed: &[Value<'_>],
        cols: &[Col<'_>],
        mut each: Option<EachRow<'_>>,
    ) -> Result<(), StoreError> {
        let rows = cols.first().map_or(0, |col| col.values.len());
        let source = cols
            .iter()
            .enumerate()
            .map(|(k, col)| format!("?{} AS {}", fixed.len() + k + 1, col.name))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = rewrite(sql).replace("{u}", &format!("(SELECT {source}) AS u"));
        let mut params: Vec<Param<'_>> = fixed.iter().map(param).collect();
        for i in 0..rows {
            params.truncate(fixed.len());
            params.extend(cols.iter().map(|col| cell(&col.values, i)));
            self.run(what, &sql, &params, each.as_mut())?;
        }
        Ok(())
    }

    fn durable(&mut self, full: bool) -> Result<(), StoreError> {
        self.set_sync(full)
            .map_err(|err| StoreError::query("synchronous", err))
    }

    fn lock_clause(&self) -> &'static str {
        ""
    }

    fn is_postgres(&self) -> bool {
        false
    }
}
