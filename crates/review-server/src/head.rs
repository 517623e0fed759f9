//! The request-head timeout, which is also the idle keep-alive timeout: a connection that is
//! not serving a request must deliver a complete head within the timeout of when it became
//! idle (accepted, or its last response handed to hyper), or it is closed.
//!
//! hyper's own `header_read_timeout` does the same, but arms a new boxed timer for every
//! request and registers it with the time driver each time the head is not there yet; on a
//! busy keep-alive connection that cost a seventh of the webhook's throughput. Here each
//! connection has one timer, reset only when it fires: at most one timer operation per
//! timeout period per connection, whatever the request rate. The service marks when a
//! request starts and ends ([`HeadClock::started`], [`HeadClock::finished`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// Per connection: requests in progress, and since when it has been waiting for a head.
#[derive(Debug)]
pub(crate) struct HeadClock {
    origin: Instant,
    in_flight: AtomicU32,
    /// Milliseconds after `origin` at which the connection last became idle.
    idle_since: AtomicU64,
}

impl HeadClock {
    /// A clock for a connection accepted now: idle from this moment.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            origin: Instant::now(),
            in_flight: AtomicU32::new(0),
            idle_since: AtomicU64::new(0),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A complete head arrived: the connection is serving a request.
    pub(crate) fn started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
    }

    /// The response is made: the connection waits for the next head from now.
    pub(crate) fn finished(&self) {
        self.idle_since.store(self.now_ms(), Ordering::Release);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// Resolves once the connection has waited for a head longer than `timeout`.
    pub(crate) async fn expired(&self, timeout: Duration) {
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let sleep = tokio::time::sleep(timeout);
        tokio::pin!(sleep);
        loop {
            sleep.as_mut().await;
            let now = self.now_ms();
            let due = if self.in_flight.load(Ordering::Acquire) > 0 {
                // Serving: look again a whole timeout later (a request that ends now gives the
                // client that long for its next head anyway).
                now.saturating_add(timeout_ms)
            } else {
                let idle_since = self.idle_since.load(Ordering::Acquire);
                let due = idle_since.saturating_add(timeout_ms);
                if now >= due {
                    return;
                }
                due
            };
            sleep
                .as_mut()
                .reset(self.origin + Duration::from_millis(due));
        }
    }
}
