//! Runtime-free drivers of the `reviews` SDK: one set of decisions, two ways to wait.
//!
//! [`AsyncClient`] and [`BlockingClient`] have the same methods (one per endpoint, named for its
//! operation, plus walks through one [`Pager`]: an `Iterator` on one, a `futures::Stream` on the
//! other) and run the same state machine: the access token comes from a shared
//! [`TokenStore`] (one refresh at a time per app, across every task and thread), a token error
//! refreshes and retries (at once the first time, then with backoff within the retry budget),
//! retryable failures back off with jitter within that budget, and a write is repeated only
//! when it provably did not execute. Every decision comes from
//! `review_protocol::call`; the drivers only send, wait and feed the answers back, supplying the
//! time and the randomness, through a transport: `review-reqwest` for tokio, `review-ureq` for
//! threads, or any closure.

mod blocking;
mod concurrent;
mod config;
mod drive;
mod error;
mod methods;
mod nonblocking;
mod pager;
mod requests;
mod route;
mod run;
mod tokens;
mod trace;
mod transport;

pub use blocking::BlockingClient;
pub use concurrent::{ConcurrentPager, ConcurrentWalk, Walked};
pub use config::ClientConfig;
#[doc(hidden)]
pub use drive::Throttles;
pub use error::{ClientError, ErrorKind};
pub use nonblocking::AsyncClient;
pub use pager::Pager;
pub use requests::{Paged, RateRange, TaobaoMirror, TaobaoReviews, WechatMirror, WechatReviews};
pub use route::Route;
#[doc(inline)]
pub use tokens::{
    BoxStoreFuture, FileBackend, FileStoreError, MemoryBackend, MemoryTokenStore, TokenBackend,
    TokenStore, WechatTokens,
};
pub use transport::{
    AsyncTransport, BlockingTransport, BoxHttpFuture, FnTransport, HttpResult, TransportError,
    TransportErrorKind,
};
