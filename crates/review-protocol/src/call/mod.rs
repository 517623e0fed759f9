//! One call, from its first request to its result, as a state machine with no I/O: the access
//! token from a shared [`TokenStore`], a token error refreshed and retried (at once the first
//! time on an old token, then with backoff within the retry budget), retryable failures backed
//! off with jitter within that budget, and a write repeated only when it provably did not
//! execute.
//!
//! A driver loops over the [`Step`]s of a [`Machine`]: it sends each [`Step::Send`] however it
//! likes and [feeds](Machine::feed) the answer back, waits out each [`Step::Sleep`] however it
//! likes and asks for the [`next`](Machine::next) step, and stops at [`Step::Done`]. It supplies
//! the time (`now`, at every step) and the randomness (a seed per call, for the jitter); it
//! decides nothing, so a blocking driver, an async one and a test cannot disagree.
//!
//! ```
//! use std::sync::Mutex;
//! use std::time::Duration;
//!
//! use jiff::Timestamp;
//! use review_model::{AppId, CommentId, Secret};
//! use review_protocol::BaseUrl;
//! use review_protocol::call::{Machine, Step, Unanswered, WechatCall};
//! use review_protocol::retry::RetryPolicy;
//! use review_protocol::wechat::token_cache::{RefreshKind, TokenCache, TokenConfig};
//! use review_protocol::wechat::ResetKfQuota;
//!
//! let store = Mutex::new(TokenCache::new(
//!     AppId::new("wx1"),
//!     Secret::new("s3cr3t"),
//!     TokenConfig::new(RefreshKind::Plain),
//! ));
//! let base = BaseUrl::wechat();
//! let endpoint = ResetKfQuota::new(CommentId::new("1"));
//! let seed = 7; // the driver's randomness: a fresh random `u64` per call
//! let mut machine = Machine::new(WechatCall::new(&endpoint, &base), RetryPolicy::default(), seed)
//!     .with_tokens(&store, &base);
//!
//! // A transport that refuses the first connection, then answers.
//! let mut refused_once = false;
//! let mut send = |request: http::Request<Vec<u8>>| {
//!     if !refused_once {
//!         refused_once = true;
//!         let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
//!         return Err(Unanswered::not_sent(refused));
//!     }
//!     let body: &[u8] = if request.uri().path() == "/cgi-bin/token" {
//!         br#"{"access_token":"t0ken","expires_in":7200}"#
//!     } else {
//!         br#"{"errcode":0,"errmsg":"ok"}"#
//!     };
//!     Ok(http::Response::new(body.to_vec()))
//! };
//!
//! let mut now: Timestamp = "2024-05-01T08:00:00Z".parse()?;
//! let mut step = machine.next(now);
//! let mut slept = Duration::ZERO;
//! let result = loop {
//!     step = match step {
//!         Step::Send(request) => machine.feed(send(request), now),
//!         Step::Sleep(wait) => {
//!             slept += wait;
//!             now = now + wait; // a real driver sleeps, then reads its clock
//!             machine.next(now)
//!         }
//!         // Only a machine `with_shared` (a store shared between processes) asks this.
//!         Step::Store(op) => unreachable!("no shared store: {op:?}"),
//!         Step::Done(result) => break result,
//!     };
//! };
//! result?;
//! assert!(slept >= Duration::from_millis(50) && slept <= Duration::from_millis(100));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod answer;
mod budget;
mod error;
mod jitter;
mod machine;
mod operation;
mod platform;
mod store;

pub use answer::{Answer, Delivery, Unanswered};
pub use error::{CallError, CallErrorKind};
pub use machine::{Machine, Step};
pub use operation::Call;
pub use platform::{Fw199Call, WechatCall};
pub use store::TokenStore;
