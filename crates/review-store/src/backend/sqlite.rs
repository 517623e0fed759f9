//! The SQLite backend (rusqlite, SQLite compiled in): WAL, a busy timeout so several processes
//! share one file, statements prepared once and cached, keyed writes 64 rows to a statement and
//! statement journals in memory.

use std::collections::HashMap;
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
    /// Keyed statements rendered for a number of rows, by (template, columns, fixed, rows): a
    /// 64-row statement has over a thousand placeholders, rendered once rather than per batch.
    rendered: HashMap<(String, String, usize, usize), String>,
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
        // A multi-row write inside a transaction keeps a statement journal (to undo just that
        // statement on error); past 64 KiB SQLite spills it to a temporary file, which a batch
        // of 1,000 rows wrote about four times over. In memory it stays a copy of the pages.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.set_prepared_statement_cache_capacity(128);
        let mut sqlite = Self {
            conn,
            full: None,
            rendered: HashMap::new(),
        };
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

/// The most rows one keyed write binds (times 21 columns, well under SQLite's 32,766
/// parameters). One statement per row made the per-statement work (and, for `review_changes`,
/// the AUTOINCREMENT bookkeeping, done once per statement) a large share of a batch.
const CHUNK: usize = 64;

/// A keyed statement over `rows` rows: `{u}` becomes `(SELECT ?a AS c1, ... UNION ALL SELECT
/// ?b, ...) AS u`, parameters numbered after the `fixed` ones, row after row.
fn keyed_sql(sql: &str, fixed: usize, cols: &[Col<'_>], rows: usize) -> String {
    let mut source = String::from("(SELECT ");
    let mut n = fixed;
    for row in 0..rows {
        if row > 0 {
            source.push_str(" UNION ALL SELECT ");
        }
        for (k, col) in cols.iter().enumerate() {
            n += 1;
            if k > 0 {
                source.push_str(", ");
            }
            source.push_str(&format!("?{n}"));
            if row == 0 {
                source.push_str(" AS ");
                source.push_str(col.name);
            }
        }
    }
    source.push_str(") AS u");
    rewrite(sql).replace("{u}", &source)
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
    /// [`keyed_sql`], remembered.
    fn render(&mut self, sql: &str, fixed: usize, cols: &[Col<'_>], rows: usize) -> String {
        let names = cols
            .iter()
            .map(|col| col.name)
            .collect::<Vec<_>>()
            .join(",");
        let key = (sql.to_owned(), names, fixed, rows);
        if let Some(done) = self.rendered.get(&key) {
            return done.clone();
        }
        let done = keyed_sql(sql, fixed, cols, rows);
        self.rendered.insert(key, done.clone());
        done
    }

    fn run(
        &self,
        what: &'static str,
        sql: &str,
        params: &[Param<'_>],
        each: Option<&mut EachRow<'_>>,
    ) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|err| StoreError::query(what, err))?;
        run_prepared(&mut stmt, what, params, each)
    }
}

/// Runs a prepared statement once: the rows it changed, or each row to `each`.
fn run_prepared(
    stmt: &mut rusqlite::Statement<'_>,
    what: &'static str,
    params: &[Param<'_>],
    each: Option<&mut EachRow<'_>>,
) -> Result<u64, StoreError> {
    let q = |err| StoreError::query(what, err);
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
        if rows == 0 {
            return Ok(());
        }
        let fixed_params: Vec<Param<'_>> = fixed.iter().map(param).collect();
        if let Some(each) = each.as_mut() {
            // Statements that return rows run once per row: a row source of one row is a
            // key probe, and the rows come back in batch order.
            let sql = self.render(sql, fixed.len(), cols, 1);
            let mut stmt = self
                .conn
                .prepare_cached(&sql)
                .map_err(|err| StoreError::query(what, err))?;
            let mut params = fixed_params;
            for i in 0..rows {
                params.truncate(fixed.len());
                params.extend(cols.iter().map(|col| cell(&col.values, i)));
                run_prepared(&mut stmt, what, &params, Some(each))?;
            }
            return Ok(());
        }
        // Writes run over chunks of rows: CHUNK at a time, the rest in power-of-two pieces,
        // so each table sees few statements and the statement cache few shapes.
        let mut start = 0;
        while start < rows {
            let left = rows - start;
            let size = if left >= CHUNK {
                CHUNK
            } else {
                1 << left.ilog2()
            };
            let sql = self.render(sql, fixed.len(), cols, size);
            let mut stmt = self
                .conn
                .prepare_cached(&sql)
                .map_err(|err| StoreError::query(what, err))?;
            let mut params: Vec<Param<'_>> = Vec::with_capacity(fixed.len() + size * cols.len());
            params.extend(fixed.iter().map(param));
            for i in start..start + size {
                params.extend(cols.iter().map(|col| cell(&col.values, i)));
            }
            run_prepared(&mut stmt, what, &params, None)?;
            start += size;
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

    fn is_key_conflict(&self, err: &StoreError) -> bool {
        matches!(err, StoreError::Query { source, .. }
            if matches!(source.downcast_ref::<rusqlite::Error>(),
                Some(rusqlite::Error::SqliteFailure(e, _))
                    if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                        || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE))
    }

    fn is_postgres(&self) -> bool {
        false
    }
}
