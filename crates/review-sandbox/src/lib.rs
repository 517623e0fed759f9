//! An embedded emulator of WeChat's transaction-evaluation API and of Taobao's trade rates
//! behind the fw199 gateway, for tests, demos and users' CI.
//!
//! It serves every endpoint of the protocol's lists (`review_protocol::wechat::ENDPOINTS`,
//! `review_protocol::taobao::ENDPOINTS`) at its documented method and path under one base URL,
//! so any client written from the documents works against it unchanged; [`emulates`] says which
//! it emulates (the others answer a refusal naming them). Data is seeded and deterministic: the
//! same seed gives the same ids, whatever the day. Faults are injected at a configurable rate,
//! and bad reviews can be pushed to a webhook in every mode WeChat uses.
//!
//! The token endpoints keep WeChat's rules: a plain token lives 5 minutes past the next plain
//! fetch, stable tokens are apart from plain ones, `/cgi-bin/token` has a daily quota (2,000)
//! and a forced stable refresh a daily quota (20) and a 30 s spacing, in China Standard Time
//! days by the sandbox's clock (errcode 45009 and 45011; see the builder).
//!
//! For measuring a client on a realistic network and across a fleet, the builder adds
//! [`latency`](SandboxBuilder::latency) (every platform answer waits, with seeded jitter,
//! concurrent ones together), a per-tenant request quota in fixed windows of the sandbox's
//! clock ([`quota_per_minute`](SandboxBuilder::quota_per_minute): WeChat 45011, the gateway
//! code 10007), and [`tenants`](SandboxBuilder::tenants): many mini programs and shops, each
//! with its own credentials ([`Sandbox::tenants`]), data, tokens, quota and writes; tenant 0
//! is the single-tenant sandbox unchanged.
//!
//! Its own routes, never faulted, never delayed and never counted in the stats:
//!
//! | route | does |
//! | --- | --- |
//! | `GET /sandbox/health` | `{"ok":true}` |
//! | `POST /sandbox/bad-review` | a new bad review, pushed to the target; answers the comment |
//! | `GET /sandbox/writes` | every executed write ([`WriteRecord`]) |
//! | `GET /sandbox/pushes` | every push attempt ([`PushRecord`]) |
//! | `POST /sandbox/clock?advance=SECONDS` | moves the clock ([`Sandbox::advance_clock`]) |
//! | `GET /sandbox/stats` | requests, token calls, tokens minted, answers ([`SandboxStats`]) |
//! | `POST /sandbox/stats/reset` | zeroes the stats, answering the counts cleared |
//! | `GET /sandbox/tenants` | every tenant's credentials ([`Sandbox::tenants`]) |
//!
//! It is served by [`review_server::serve`], so a slow, stalled or idle client is cut off
//! after the [`Limits`]' timeouts, at most `max_connections` are served at once, and stopping
//! never waits past the shutdown grace. Every size has a documented range (the `MAX_*` and
//! `MIN_*` constants, for a command line to check with the same numbers), and
//! [`SandboxBuilder::start`] refuses a value outside it instead of exhausting memory.
//!
//! ```
//! use review_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::builder().seed(7).comments(50).rates(2000).start("127.0.0.1:0")?;
//! let base_url = sandbox.base_url(); // http://127.0.0.1:PORT
//! let appid = sandbox.wechat().appid.clone();
//! assert!(base_url.starts_with("http://127.0.0.1:"));
//! assert!(appid.as_str().starts_with("wx"));
//! // ... point a client at base_url; the server stops when `sandbox` is dropped.
//! # Ok::<(), review_sandbox::SandboxError>(())
//! ```

// Leaves: locking, the clock, configuration, credentials, the write log, routing from metadata,
// the stats.
mod clock;
mod config;
mod credentials;
mod error;
mod latency;
mod lock;
mod routing;
mod stats;
mod throttle;
mod writes;

// Each platform: its own state and routes, over the leaves only.
mod taobao;
mod wechat;

// Over the platforms: faults, pushes, the sandbox's own routes.
mod admin;
mod faults;
mod push;

// The top: composing everything, the running handle, the builder.
mod builder;
mod handle;
mod router;

pub use builder::SandboxBuilder;
pub use config::{
    DEFAULT_SEED, MAX_COMMENTS, MAX_FAULT_RATE, MAX_FORCE_REFRESH_INTERVAL, MAX_LATENCY,
    MAX_PUSH_INTERVAL, MAX_PUSH_RETRY_AFTER, MAX_QUOTA_PER_MINUTE, MAX_QUOTA_WINDOW, MAX_RATES,
    MAX_SLOW_RESPONSE, MAX_TENANTS, MAX_TOKEN_DAILY_QUOTA, MAX_TOKEN_LIFETIME, MIN_PUSH_INTERVAL,
    MIN_PUSH_RETRY_AFTER, MIN_QUOTA_WINDOW, MIN_TOKEN_LIFETIME,
};
pub use credentials::{TaobaoCredentials, TenantCredentials, WechatCredentials};
pub use error::SandboxError;
pub use faults::{FaultKind, UnknownFaultKind};
pub use handle::Sandbox;
pub use push::{PushRecord, PushTarget};
pub use review_server::{Limits, ServeError};
pub use router::emulates;
pub use stats::{SandboxStats, TokenRequests};
pub use writes::WriteRecord;
