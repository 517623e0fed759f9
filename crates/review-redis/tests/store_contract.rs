//! The token store contract (`review-protocol/tests/contract/harness.rs`, the same one the
//! memory and file stores keep) over the real Redis server. Leases run on Redis's clock, so
//! the harness uses short ones and really waits for them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    unreachable_pub
)]

#[path = "../../review-protocol/tests/contract/harness.rs"]
mod harness;

use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use review_client::TokenBackend;
use review_protocol::wechat::token_share::{StoreAnswer, StoreFailure, StoreKey, StoreOp};
use review_redis::RedisBackend;

struct OnRedis(RedisBackend);

impl harness::Backend for OnRedis {
    fn run(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        self.0.run_blocking(key, op)
    }

    fn real_clock(&self) -> bool {
        true
    }
}

/// The server's URL and this run's key prefix, or `None` after one `skipped:` line (a
/// failure when `CI=true`).
fn redis() -> Option<&'static (String, String)> {
    static REDIS: OnceLock<Option<(String, String)>> = OnceLock::new();
    REDIS
        .get_or_init(|| {
            let url = std::env::var("REVIEWS_TEST_REDIS_URL")
                .unwrap_or_else(|_| "redis://127.0.0.1:6379/0".to_owned());
            match RedisBackend::connect(&url) {
                Ok(_) => {
                    let random = RandomState::new().hash_one(std::process::id());
                    Some((url, format!("reviews-test:contract:{random:016x}:")))
                }
                Err(err) => {
                    assert!(
                        std::env::var("CI").as_deref() != Ok("true"),
                        "Redis is not reachable and CI=true: {err}"
                    );
                    let _ = writeln!(std::io::stdout().lock(), "skipped: {err}");
                    None
                }
            }
        })
        .as_ref()
}

static CASE: AtomicU64 = AtomicU64::new(0);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_redis_backend_keeps_the_contract(events in harness::events(4), seed in any::<u64>()) {
        let Some((url, prefix)) = redis() else { return Ok(()) };
        let backend = OnRedis(RedisBackend::connect(url).unwrap().prefix(prefix.as_str()));
        let case = CASE.fetch_add(1, Ordering::Relaxed);
        let key = harness::key(case);
        harness::check(&backend, &key, 4, &events, seed);
        let _ = backend.0.run_blocking(&key, StoreOp::Load);
    }
}
