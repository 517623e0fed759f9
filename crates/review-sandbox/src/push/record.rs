//! The log of push delivery attempts.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use serde::Serialize;

use crate::lock::lock;

/// One delivery attempt of a bad-review push, as `Sandbox::pushes()` and `GET /sandbox/pushes`
/// show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PushRecord {
    /// The bad review pushed (`result.comment_id`).
    pub comment_id: String,
    /// 1 for the first delivery, up to 4 (three retries).
    pub attempt: u32,
    /// The receiver's HTTP status, if it answered in time.
    pub status: Option<u16>,
    /// Why there is no status: a timeout, a refused connection...
    pub error: Option<String>,
    /// When the attempt started (sandbox time).
    pub at: Timestamp,
}

impl PushRecord {
    /// Whether the receiver accepted it (a 2xx answer in time).
    pub fn delivered(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// The log of deliveries, and the numbers that seed each delivery's random bytes.
#[derive(Debug, Default)]
pub(crate) struct Pushes {
    records: Mutex<Vec<PushRecord>>,
    deliveries: AtomicU64,
    client: std::sync::OnceLock<Option<reqwest::Client>>,
}

impl Pushes {
    /// Every attempt so far, in order.
    pub(crate) fn records(&self) -> Vec<PushRecord> {
        lock(&self.records).clone()
    }

    pub(crate) fn record(&self, record: PushRecord) {
        lock(&self.records).push(record);
    }

    /// The number of the next delivery (0, 1, ...): its random stream.
    pub(crate) fn next_delivery(&self) -> u64 {
        self.deliveries.fetch_add(1, Ordering::Relaxed)
    }

    /// The HTTP client of every delivery: no proxy, no redirects.
    pub(crate) fn client(&self) -> Option<&reqwest::Client> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .no_proxy()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .ok()
            })
            .as_ref()
    }
}
