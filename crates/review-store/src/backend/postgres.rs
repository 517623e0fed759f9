//! The PostgreSQL backend: the synchronous `postgres` client (its own small tokio runtime
//! inside), statements prepared once per connection, keyed statements as one `UNNEST` of arrays.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::str::FromStr;
use std::time::Duration;

use bytes::BytesMut;
use jiff::Timestamp;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, NoTls, Statement};

use super::{Backend, Col, EachRow, Row, Value, Values};
use crate::change::to_second;
use crate::{StoreError, text_time};

/// How long connecting may take when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) struct Postgres {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Postgres {
    /// Connects. The URL was validated when it was parsed.
    pub(crate) fn connect(url: &str) -> Result<Self, postgres::Error> {
        let mut config = Config::from_str(url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("reviews");
        }
        let client = config.connect(NoTls)?;
        Ok(Self {
            client,
            statements: HashMap::new(),
        })
    }

    fn statement(&mut self, what: &'static str, sql: &str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(sql)
            .map_err(|err| StoreError::query(what, err))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    fn run(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Box<dyn ToSql + Sync + '_>],
        each: Option<EachRow<'_>>,
    ) -> Result<u64, StoreError> {
        let statement = self.statement(what, sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as _).collect();
        let q = |err| StoreError::query(what, err);
        match each {
            None => self.client.execute(&statement, &refs).map_err(q),
            Some(each) => {
                for row in self.client.query(&statement, &refs).map_err(q)? {
                    each(&PgRow(&row))?;
                }
                Ok(0)
            }
        }
    }
}

/// JSON text bound as `json` or `jsonb` (whose binary form is a version byte, then the text).
#[derive(Debug)]
struct Json<'a>(&'a str);

impl ToSql for Json<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        if *ty == Type::JSONB {
            out.extend_from_slice(&[1]);
        }
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB || *ty == Type::JSON
    }

    to_sql_checked!();
}

fn param<'a>(value: &Value<'a>) -> Box<dyn ToSql + Sync + 'a> {
    match *value {
        Value::Text(text) => Box::new(text),
        Value::OptText(text) => Box::new(text),
        Value::Int(n) => Box::new(n),
        Value::Ts(at) => Box::new(to_second(at)),
        Value::TsMs(at) => Box::new(text_time::to_milli(at)),
    }
}

/// A column as one array parameter, and its array type for the `UNNEST` cast.
fn array<'a>(values: &Values<'a>) -> (Box<dyn ToSql + Sync + 'a>, &'static str) {
    match values {
        Values::Text(v) => (Box::new(v.clone()), "text[]"),
        Values::OptText(v) => (Box::new(v.clone()), "text[]"),
        Values::Int(v) => (Box::new(v.clone()), "int8[]"),
        Values::OptInt(v) => (Box::new(v.clone()), "int8[]"),
        Values::Bool(v) => (Box::new(v.clone()), "bool[]"),
        Values::Ts(v) => (
            Box::new(v.iter().copied().map(to_second).collect::<Vec<Timestamp>>()),
            "timestamptz[]",
        ),
        Values::OptTs(v) => (
            Box::new(
                v.iter()
                    .map(|at| at.map(to_second))
                    .collect::<Vec<Option<Timestamp>>>(),
            ),
            "timestamptz[]",
        ),
        Values::Json(v) => (
            Box::new(v.iter().map(|t| Json(t)).collect::<Vec<Json<'a>>>()),
            "jsonb[]",
        ),
    }
}

struct PgRow<'r>(&'r postgres::Row);

impl PgRow<'_> {
    fn get<'a, T: postgres::types::FromSql<'a>>(&'a self, i: usize) -> Result<T, StoreError> {
        self.0
            .try_get(i)
            .map_err(|err| StoreError::corrupt("column", err.to_string()))
    }
}

impl Row for PgRow<'_> {
    fn text(&self, i: usize) -> Result<String, StoreError> {
        self.get(i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        self.get(i)
    }
    fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.get(i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        self.get(i)
    }
    fn bool(&self, i: usize) -> Result<bool, StoreError> {
        self.get(i)
    }
    fn ts(&self, i: usize) -> Result<Timestamp, StoreError> {
        self.get(i)
    }
    fn opt_ts(&self, i: usize) -> Result<Option<Timestamp>, StoreError> {
        self.get(i)
    }
}

impl Backend for Postgres {
    fn batch(&mut self, what: &'static str, sql: &str) -> Result<(), StoreError> {
        self.client
            .batch_execute(sql)
            .map_err(|err| StoreError::query(what, err))
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        self.batch("begin", "BEGIN")
    }

    fn execute(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Value<'_>],
    ) -> Result<u64, StoreError> {
        let params: Vec<_> = params.iter().map(param).collect();
        self.run(what, sql, &params, None)
    }

    fn query(
        &mut self,
        what: &'static str,
        sql: &str,
        params: &[Value<'_>],
        each: EachRow<'_>,
    ) -> Result<(), StoreError> {
        let params: Vec<_> = params.iter().map(param).collect();
        self.run(what, sql, &params, Some(each)).map(drop)
    }

    fn keyed(
        &mut self,
        what: &'static str,
        sql: &str,
        fixed: &[Value<'_>],
        cols: &[Col<'_>],
        each: Option<EachRow<'_>>,
    ) -> Result<(), StoreError> {
        if cols.first().is_none_or(|col| col.values.len() == 0) {
            return Ok(());
        }
        let mut params: Vec<_> = fixed.iter().map(param).collect();
        let mut casts = Vec::with_capacity(cols.len());
        for (k, col) in cols.iter().enumerate() {
            let (value, ty) = array(&col.values);
            params.push(value);
            casts.push(format!("${}::{ty}", fixed.len() + k + 1));
        }
        let names: Vec<&str> = cols.iter().map(|col| col.name).collect();
        let source = format!("UNNEST({}) AS u({})", casts.join(", "), names.join(", "));
        let sql = sql.replace("{u}", &source);
        self.run(what, &sql, &params, each).map(drop)
    }

    fn durable(&mut self, _full: bool) -> Result<(), StoreError> {
        Ok(())
    }

    fn lock_clause(&self) -> &'static str {
        " FOR UPDATE SKIP LOCKED"
    }

    fn is_key_conflict(&self, err: &StoreError) -> bool {
        matches!(err, StoreError::Query { source, .. }
            if source.downcast_ref::<postgres::Error>()
                .and_then(postgres::Error::code)
                == Some(&postgres::error::SqlState::UNIQUE_VIOLATION))
    }

    fn is_postgres(&self) -> bool {
        true
    }
}
