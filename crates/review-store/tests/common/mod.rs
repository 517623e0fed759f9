//! The databases every test runs over: SQLite on a temporary file, and PostgreSQL on a database
//! of its own (`reviews_t_<hex>`, dropped at the end) when `REVIEWS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) answers. Without it a test prints `skipped:`
//! and runs on SQLite alone, unless `CI=true`.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::panic)]

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use review_model::mirror::{Observed, ReviewState};
use review_model::{Platform, Review, Sentiment, Stars};
use review_store::{Mirror, MirrorUrl};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// One database under test.
pub struct Db {
    pub name: &'static str,
    pub url: MirrorUrl,
    guard: Guard,
}

enum Guard {
    Sqlite(tempfile::TempDir, std::path::PathBuf),
    Postgres {
        admin: String,
        database: String,
        url: String,
    },
}

impl Db {
    pub fn open(&self) -> Mirror {
        Mirror::open(&self.url).unwrap()
    }

    /// Runs SQL straight on the database, past the mirror.
    pub fn exec(&self, sqlite: &str, postgres: &str) {
        match &self.guard {
            Guard::Sqlite(_, path) => {
                rusqlite::Connection::open(path)
                    .unwrap()
                    .execute_batch(sqlite)
                    .unwrap();
            }
            Guard::Postgres { url, .. } => {
                pg_client(url).batch_execute(postgres).unwrap();
            }
        }
    }

    /// One integer from the database.
    pub fn scalar(&self, sql: &str) -> i64 {
        match &self.guard {
            Guard::Sqlite(_, path) => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(sql, [], |row| row.get(0))
                .unwrap(),
            Guard::Postgres { url, .. } => pg_client(url).query_one(sql, &[]).unwrap().get(0),
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Guard::Postgres {
            admin, database, ..
        } = &self.guard
            && let Ok(mut client) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ =
                client.batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"));
        }
    }
}

fn pg_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

fn unique_hex() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hash = RandomState::new().hash_one((std::process::id(), n, Timestamp::now()));
    format!("{hash:016x}")
}

/// SQLite always; PostgreSQL when reachable.
pub fn backends() -> Vec<Db> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mirror.sqlite3");
    let mut dbs = vec![Db {
        name: "sqlite",
        url: format!("sqlite:{}", path.display()).parse().unwrap(),
        guard: Guard::Sqlite(dir, path),
    }];
    if let Some(db) = postgres_db() {
        dbs.push(db);
    }
    dbs
}

/// A fresh PostgreSQL database, or `None` after one `skipped:` line (a failure under CI).
pub fn postgres_db() -> Option<Db> {
    let admin = std::env::var("REVIEWS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.into());
    let shown = admin
        .parse::<MirrorUrl>()
        .map_or_else(|_| "(bad URL)".to_owned(), |url| url.to_string());
    let mut config: postgres::Config = admin.parse().unwrap();
    config.connect_timeout(std::time::Duration::from_secs(3));
    let mut client = match config.connect(postgres::NoTls) {
        Ok(client) => client,
        Err(err) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("PostgreSQL not reachable at {shown}: {err}");
            }
            let _ = writeln!(
                std::io::stdout().lock(),
                "skipped: PostgreSQL not reachable at {shown}"
            );
            return None;
        }
    };
    let database = format!("reviews_t_{}", unique_hex());
    client
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .unwrap();
    let url = with_database(&admin, &database);
    Some(Db {
        name: "postgres",
        url: url.parse().unwrap(),
        guard: Guard::Postgres {
            admin,
            database,
            url,
        },
    })
}

/// The admin URL pointed at another database.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{database}{query}", &base[..host_end])
}

pub fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// A WeChat review with `stars`, unreplied.
pub fn wechat(id: &str, stars: u8, created_at: &str) -> Observed {
    let stars = Stars::new(stars).unwrap();
    Observed {
        review: Review {
            platform: Platform::Wechat,
            id: id.into(),
            order_id: Some(format!("order-{id}")),
            created_at: ts(created_at),
            stars: Some(stars),
            sentiment: stars.sentiment(),
            text: format!("review {id}"),
            author: Some("Li".into()),
            replied: false,
            reply: None,
            media: vec!["https://img.example/1.jpg".into()],
            items: vec!["teapot".into()],
            amount_fen: Some(5900),
            user_id: Some("openid-1".into()),
        },
        raw: format!(
            r#"{{"commentId":"{id}","score":{}}}"#,
            u16::from(stars.get()) * 100
        ),
        state: ReviewState::default(),
        process: None,
    }
}

/// A Taobao rate with `sentiment`, unreplied.
pub fn taobao(id: &str, sentiment: Sentiment, created_at: &str) -> Observed {
    Observed {
        review: Review {
            platform: Platform::Taobao,
            id: id.into(),
            order_id: Some("1702473948221565830".into()),
            created_at: ts(created_at),
            stars: None,
            sentiment,
            text: format!("rate {id}"),
            author: Some("supercode".into()),
            replied: false,
            reply: None,
            media: vec![],
            items: vec!["tea".into()],
            amount_fen: Some(150),
            user_id: None,
        },
        raw: format!(r#"{{"oid":"{id}","result":"{sentiment}"}}"#),
        state: ReviewState::default(),
        process: None,
    }
}
