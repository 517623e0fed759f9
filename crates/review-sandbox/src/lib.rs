//! An embedded emulator of WeChat's transaction-evaluation API and the fw199 trade-rate
//! gateway, for tests, demos and users' CI.
//!
//! It serves the documented paths (`/cgi-bin/...`, `/wxaapi/comment/...`,
//! `/gateway/taobao/traderates/get`) under one base URL, so any client written from the
//! documents works against it unchanged. Data is seeded and deterministic: the same seed gives
//! the same ids, whatever the day. Faults are injected at a configurable rate, and bad reviews
//! can be pushed to a webhook in every mode WeChat uses.
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

mod admin;
mod builder;
mod clock;
mod credentials;
mod faults;
mod fw199;
mod handle;
mod push;
mod router;
mod shared;
mod wechat;
mod writes;

pub use builder::{
    DEFAULT_SEED, MAX_COMMENTS, MAX_FAULT_RATE, MAX_PUSH_INTERVAL, MAX_PUSH_RETRY_AFTER, MAX_RATES,
    MAX_SLOW_RESPONSE, MAX_TOKEN_LIFETIME, MIN_PUSH_INTERVAL, MIN_PUSH_RETRY_AFTER,
    MIN_TOKEN_LIFETIME, SandboxBuilder, SandboxError,
};
pub use credentials::{Fw199SandboxCredentials, WechatCredentials};
pub use faults::{FaultKind, UnknownFaultKind};
pub use handle::Sandbox;
pub use push::{PushRecord, PushTarget};
pub use review_server::{Limits, ServeError};
pub use writes::WriteRecord;
