//! A Redis token store: one WeChat access token, and one refresh at a time, for every process
//! of a fleet that connects to the same server, database and key prefix.
//!
//! [`RedisBackend`] is a [`review_client::TokenBackend`]: it carries out the four operations
//! of `review_protocol::wechat::token_share` (the decisions are made there, as for every store)
//! on two keys per [`StoreKey`](review_protocol::wechat::token_share::StoreKey):
//!
//! - `<prefix><slug>`, a hash with the fields `generation` (decimal) and `record` (the
//!   [`TokenRecord`](review_protocol::wechat::token_share::TokenRecord)'s JSON, token
//!   included: keep the Redis server where only the app's own processes reach it);
//! - `<prefix><slug>:lock`, the refresh lock: the owner's random name.
//!
//! The prefix defaults to `reviews:token:`, the slug is the key's
//! [`slug`](review_protocol::wechat::token_share::StoreKey::slug)
//! (`api.weixin.qq.com_wx1234_stable`).
//!
//! | operation | Redis |
//! | --- | --- |
//! | `Load` | `HMGET generation record`, decoded |
//! | `Put` | a script: `HGET generation`; if it is the expected one (or absent when none is expected), `HSET generation record` and answer 1, else 0 |
//! | `Lock` | `SET <lock> <owner> NX PX <lease ms>` |
//! | `Unlock` | a script: `GET <lock>`; if it is the owner, `DEL` |
//!
//! Each is one command or one script, so atomic for every client of the server. Scripts run by
//! `EVALSHA`, loaded on first use.
//!
//! - **The lease runs on Redis's clock** (`PX`): the `now` of a `Lock` is ignored, so the
//!   processes' clocks need not agree for a dead holder's lock to expire on time.
//! - **A record that cannot be read** (damaged, written in another format, a key of another
//!   type) loads as `None` and is deleted, if still the one read, so that the next refresh
//!   writes a new one: a `Put` expecting no record would never match its generation.
//! - **Expiry**: a record holding a token expires a day after the token does (`PEXPIREAT`),
//!   so that the records of apps no longer used go away while a day's count of forced
//!   refreshes outlives its token; a record without a token (one a token error cleared, which
//!   remembers that the next refresh must force) never expires. The lock expires with its lease.
//! - **Timeouts**: connecting may take 2 s and a command's answer 2 s ([`RedisBuilder`] sets
//!   both): a store that hangs fails the call with a
//!   [`StoreFailure`](review_protocol::wechat::token_share::StoreFailure) rather than hanging
//!   it. A connection the server closed (a restart) is replaced and the
//!   operation tried once more.
//! - **Not supported**: TLS (`rediss://`), Redis Cluster and Sentinel.
//!
//! # Two faces
//!
//! The blocking face (`run_blocking`) uses a small pool of blocking connections. The async
//! face (`run_async`) uses one multiplexed tokio connection, made on first async use, so that
//! a blocking-only program needs no runtime. It exists because a store doing network I/O must
//! not block an async runtime: the call machine yields a `Step::Store` and the async driver
//! awaits `run_async` where it waits, outside the token cache's lock. It needs a tokio runtime
//! with I/O and time enabled; outside one it fails with [`RedisStoreError::NoRuntime`].
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use review_client::{ClientConfig, WechatTokens};
//! use review_model::{AppId, Secret};
//! use review_redis::RedisBackend;
//!
//! // One store for every client of the process; every process connecting to the same Redis
//! // with the same prefix shares the token.
//! let backend = RedisBackend::connect("redis://127.0.0.1:6379/0")?.prefix("shop-a:token:");
//! let config = ClientConfig::new().wechat_tokens(
//!     "https://api.weixin.qq.com".parse()?,
//!     AppId::new("wx1234567890abcdef"),
//!     Secret::new("..."),
//!     WechatTokens::stable().backend(Arc::new(backend)),
//! );
//! # let _ = config;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backend;
mod error;
mod ops;

pub use backend::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_PREFIX, DEFAULT_RESPONSE_TIMEOUT, RedisBackend, RedisBuilder,
};
pub use error::RedisStoreError;
