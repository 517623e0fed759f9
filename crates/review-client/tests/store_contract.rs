//! The token store contract (`review-protocol/tests/contract/harness.rs`) over this crate's
//! stores: `MemoryBackend` and `FileBackend`, driven through their blocking face.
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

use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use review_client::{FileBackend, MemoryBackend, TokenBackend};
use review_protocol::wechat::token_share::{StoreAnswer, StoreFailure, StoreKey, StoreOp};

struct Driven<B>(B);

impl<B: TokenBackend> harness::Backend for Driven<B> {
    fn run(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        self.0.run_blocking(key, op)
    }
}

static CASE: AtomicU64 = AtomicU64::new(0);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_memory_backend_keeps_the_contract(events in harness::events(4), seed in any::<u64>()) {
        let backend = Driven(MemoryBackend::new());
        let case = CASE.fetch_add(1, Ordering::Relaxed);
        harness::check(&backend, &harness::key(case), 4, &events, seed);
    }

    #[test]
    fn the_file_backend_keeps_the_contract(events in harness::events(4), seed in any::<u64>()) {
        let dir = tempfile::tempdir().unwrap();
        let backend = Driven(FileBackend::new(dir.path()).unwrap());
        let case = CASE.fetch_add(1, Ordering::Relaxed);
        harness::check(&backend, &harness::key(case), 4, &events, seed);
    }
}
