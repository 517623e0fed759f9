//! How hard a concurrent walk may press a platform.

use std::time::Duration;

/// The bounds of a [`Concurrent`](super::Concurrent) walk.
///
/// ```
/// use std::time::Duration;
/// use review_protocol::concurrent::Concurrency;
///
/// let settings = Concurrency::new(8).quota_window(Duration::from_secs(60));
/// assert_eq!((settings.max_in_flight(), settings.hold()), (8, 16));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency {
    max_in_flight: usize,
    hold: usize,
    quota_window: Duration,
    busy_backoff: Duration,
    max_backoff: Duration,
    max_refusals: u32,
}

/// How many requests a walk has in flight unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

impl Default for Concurrency {
    fn default() -> Self {
        Self::new(DEFAULT_CONCURRENCY)
    }
}

impl Concurrency {
    /// At most `max_in_flight` requests at once (at least 1; 1 is the sequential walk), pages
    /// held ahead of their turn at most twice that, WeChat's one-minute quota window, a busy
    /// platform first waited out for 200 ms (doubling up to a minute), and a request refused
    /// 10 times in a row given up.
    pub fn new(max_in_flight: usize) -> Self {
        let max_in_flight = max_in_flight.max(1);
        Self {
            max_in_flight,
            hold: max_in_flight.saturating_mul(2),
            quota_window: Duration::from_secs(60),
            busy_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(60),
            max_refusals: 10,
        }
    }

    /// Holds at most `pages` answered pages that are not yet the walk's turn (at least 1).
    #[must_use]
    pub fn hold_pages(mut self, pages: usize) -> Self {
        self.hold = pages.max(1);
        self
    }

    /// The length of the platform's quota windows, aligned to the Unix epoch as calendar
    /// minutes are: a spent quota pauses sending until the next one starts.
    #[must_use]
    pub fn quota_window(mut self, window: Duration) -> Self {
        self.quota_window = window.max(Duration::from_millis(1));
        self
    }

    /// The first wait after a busy answer; it doubles with each one in a row, up to
    /// `max_backoff`.
    #[must_use]
    pub fn busy_backoff(mut self, first: Duration, max_backoff: Duration) -> Self {
        self.busy_backoff = first;
        self.max_backoff = max_backoff.max(first);
        self
    }

    /// Gives a request up after it was refused `refusals` times in a row (at least 1).
    #[must_use]
    pub fn max_refusals(mut self, refusals: u32) -> Self {
        self.max_refusals = refusals.max(1);
        self
    }

    /// The most requests in flight.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    /// The most pages held ahead of their turn.
    pub fn hold(&self) -> usize {
        self.hold
    }

    /// The quota window.
    pub fn window(&self) -> Duration {
        self.quota_window
    }

    /// The most refusals in a row of one request.
    pub fn refusals(&self) -> u32 {
        self.max_refusals
    }

    /// The wait after the `n`th busy answer in a row (from 1).
    pub(crate) fn busy_wait(&self, n: u32) -> Duration {
        let doublings = n.saturating_sub(1).min(20);
        self.busy_backoff
            .saturating_mul(1_u32 << doublings)
            .min(self.max_backoff)
    }
}
