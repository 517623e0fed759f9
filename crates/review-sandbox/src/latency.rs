//! The network delay of [`SandboxBuilder::latency`]: every answer of both platforms' routes
//! waits `latency × [0.8, 1.2]` before it is sent, the factor drawn per request from the seed
//! and the request's arrival order. The wait is a timer, not a blocked thread, so concurrent
//! requests wait together: a hundred at 30 ms take about 30-40 ms in all.
//!
//! The handler runs first and the answer waits (a slow link back): the request's body is read
//! at once, so no body deadline of the server is spent waiting.
//!
//! [`SandboxBuilder::latency`]: crate::SandboxBuilder::latency

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Mixed into the seed for the jitter's draws.
const STREAM: u64 = 0x6c61_7465_6e63_792d;

/// The jitter's range, in thousandths of the latency: 800 to 1200.
const LOW: u64 = 800;
const SPREAD: u64 = 401;

/// The delay of every answer, and the counter its draws come from.
#[derive(Debug)]
pub(crate) struct Latency {
    base: Duration,
    seed: u64,
    next: AtomicU64,
}

impl Latency {
    /// Answers wait about `base`, drawn from `seed`.
    pub(crate) fn new(base: Duration, seed: u64) -> Self {
        Self {
            base,
            seed: seed ^ STREAM,
            next: AtomicU64::new(0),
        }
    }

    /// Whether answers wait at all.
    pub(crate) fn enabled(&self) -> bool {
        !self.base.is_zero()
    }

    /// The wait of the next request.
    pub(crate) fn draw(&self) -> Duration {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        delay(
            self.base,
            mix(self.seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        )
    }
}

/// `base` scaled by the thousandths `800 + draw % 401`: within [0.8, 1.2] × `base`.
pub(crate) fn delay(base: Duration, draw: u64) -> Duration {
    let micros = u64::try_from(base.as_micros()).unwrap_or(u64::MAX);
    let factor = LOW + draw % SPREAD;
    Duration::from_micros(micros.saturating_mul(factor) / 1000)
}

/// splitmix64's finaliser: spreads a counter over 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The middleware: runs the request, then holds its answer for the drawn delay.
pub(crate) async fn delay_answers(
    State(latency): State<Arc<Latency>>,
    request: Request,
    next: Next,
) -> Response {
    if !latency.enabled() {
        return next.run(request).await;
    }
    let wait = latency.draw();
    let response = next.run(request).await;
    tokio::time::sleep(wait).await;
    response
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn draws_are_reproducible_and_spread() {
        let (a, b) = (
            Latency::new(Duration::from_millis(100), 5),
            Latency::new(Duration::from_millis(100), 5),
        );
        let first: Vec<Duration> = (0..50).map(|_| a.draw()).collect();
        let second: Vec<Duration> = (0..50).map(|_| b.draw()).collect();
        assert_eq!(first, second);
        let distinct: std::collections::HashSet<&Duration> = first.iter().collect();
        assert!(distinct.len() > 30, "{distinct:?}");
        assert!(!Latency::new(Duration::ZERO, 5).enabled());
    }

    proptest! {
        #[test]
        fn a_delay_is_within_80_to_120_percent(ms in 0u64..=60_000, draw in any::<u64>()) {
            let base = Duration::from_millis(ms);
            let wait = delay(base, draw);
            prop_assert!(wait >= base * 4 / 5);
            prop_assert!(wait <= base * 6 / 5);
        }
    }
}
