//! Walks with many requests in flight, on both clients: `review_protocol::concurrent` decides
//! what to send and in which order items come out; these drivers send, wait and feed back.
//!
//! Each request runs through the client's call machine as usual (token, refresh, retries of
//! failures that may pass) except that a throttle (WeChat 45011 or -1, HTTP 429 or 503, TOP's
//! "App Call Limited") comes back at once: the walk slows all its requests down together
//! instead of letting each retry on its own.

mod blocking;
mod stream;

use review_protocol::Throttle;
use review_protocol::concurrent::ConcurrentStats;

use crate::error::ClientError;

pub use blocking::ConcurrentWalk;
pub use stream::ConcurrentPager;

/// What a concurrent walk did: the walk's own report, its lanes merged, and the scheduling's.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Walked<S> {
    /// The walk's report (windows, splits, pages...), merged over its lanes.
    pub walk: Option<S>,
    /// Requests sent, throttles met, lanes, the most in flight.
    pub concurrency: ConcurrentStats,
}

/// The throttle a failed request met, if that is why it failed.
pub(crate) fn throttle(err: &ClientError) -> Option<Throttle> {
    err.protocol().and_then(review_protocol::Error::throttle)
}
