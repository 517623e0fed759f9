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

// Leaves: locking, the clock, configuration, credentials, the write log, routing from metadata.
mod clock;
mod config;
mod credentials;
mod error;
mod lock;
mod routing;
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
    DEFAULT_SEED, MAX_COMMENTS, MAX_FAULT_RATE, MAX_PUSH_INTERVAL, MAX_PUSH_RETRY_AFTER, MAX_RATES,
    MAX_SLOW_RESPONSE, MAX_TOKEN_LIFETIME, MIN_PUSH_INTERVAL, MIN_PUSH_RETRY_AFTER,
    MIN_TOKEN_LIFETIME,
};
pub use credentials::{TaobaoCredentials, WechatCredentials};
pub use error::SandboxError;
pub use faults::{FaultKind, UnknownFaultKind};
pub use handle::Sandbox;
pub use push::{PushRecord, PushTarget};
pub use review_server::{Limits, ServeError};
pub use router::emulates;
pub use writes::WriteRecord;
