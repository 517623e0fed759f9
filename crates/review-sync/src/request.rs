//! What one sync reads.

use jiff::{SignedDuration, Timestamp};
use review_protocol::concurrent::Concurrency;
use review_protocol::sync::{CHUNK, LOOKBACK};
use review_store::Tenant;

/// The tenants to sync and how far back to read.
///
/// A tenant's platform picks the walk and its account names its rows: the WeChat appid or the
/// Taobao seller nick the client is configured for.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// The tenants, synced in this order.
    pub tenants: Vec<Tenant>,
    /// Where a first sync starts (default: 180 days back); on later syncs, an earlier `since`
    /// than the mirror holds backfills the difference.
    pub since: Option<Timestamp>,
    /// How far before the bookmark later syncs read again (default 14 days).
    pub lookback: SignedDuration,
    /// The longest chunk committed with one bookmark (default 30 days).
    pub chunk: SignedDuration,
    /// Rows per transaction (default 1,000).
    pub batch: usize,
    /// The sync's "now" (default: the clock when the sync starts).
    pub now: Option<Timestamp>,
    /// How many pages of a chunk are in flight at once, and how a throttle slows them down
    /// (default: [`Concurrency::default`]).
    pub concurrency: Concurrency,
}

impl SyncRequest {
    /// `tenants`, with the defaults.
    pub fn new(tenants: Vec<Tenant>) -> Self {
        Self {
            tenants,
            since: None,
            lookback: LOOKBACK,
            chunk: CHUNK,
            batch: 1_000,
            now: None,
            concurrency: Concurrency::default(),
        }
    }

    /// Starting a first sync at `since`.
    #[must_use]
    pub fn since(mut self, since: Timestamp) -> Self {
        self.since = Some(since);
        self
    }

    /// With `concurrency` pages in flight.
    #[must_use]
    pub fn concurrency(mut self, concurrency: Concurrency) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// Reading `lookback` before the bookmark again.
    #[must_use]
    pub fn lookback(mut self, lookback: SignedDuration) -> Self {
        self.lookback = lookback;
        self
    }
}
