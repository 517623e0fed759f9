//! The token store contract over the reference store: a record and a lease in memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    unreachable_pub
)]

#[path = "contract/harness.rs"]
mod harness;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use proptest::prelude::*;
use review_protocol::wechat::token_share::{
    LockOwner, StoreAnswer, StoreFailure, StoreKey, StoreOp, TokenRecord,
};

/// A key's record and lock (with its lease's end).
type Entry = (Option<TokenRecord>, Option<(LockOwner, Timestamp)>);

/// The simplest store that keeps the contract: what `MemoryBackend` does.
#[derive(Default)]
struct Model {
    entries: Mutex<HashMap<StoreKey, Entry>>,
}

impl harness::Backend for Model {
    fn run(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        let mut entries = self.entries.lock().unwrap();
        let (record, lock) = entries.entry(key.clone()).or_default();
        Ok(match op {
            StoreOp::Load => StoreAnswer::Record(record.clone()),
            StoreOp::Put {
                expected,
                record: new,
            } => {
                let ok = record.as_ref().map(|r| r.generation) == expected;
                if ok {
                    *record = Some(new);
                }
                StoreAnswer::Written(ok)
            }
            StoreOp::Lock { owner, lease, now } => {
                let free = lock.as_ref().is_none_or(|(_, until)| *until <= now);
                if free {
                    *lock = Some((owner, now + lease));
                }
                StoreAnswer::Locked(free)
            }
            StoreOp::Unlock { owner } => {
                if lock.as_ref().is_some_and(|(o, _)| *o == owner) {
                    *lock = None;
                }
                StoreAnswer::Unlocked
            }
        })
    }
}

static CASE: AtomicU64 = AtomicU64::new(0);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_model_keeps_the_contract(events in harness::events(4), seed in any::<u64>()) {
        let model = Model::default();
        let case = CASE.fetch_add(1, Ordering::Relaxed);
        harness::check(&model, &harness::key(case), 4, &events, seed);
    }
}

#[test]
fn one_token_request_for_many_processes() {
    let model = Model::default();
    let mut events = Vec::new();
    for p in 0..8 {
        events.push(harness::Event::Start(p));
    }
    for _ in 0..20 {
        for p in 0..8 {
            events.push(harness::Event::Step(p));
        }
    }
    harness::check(&model, &harness::key(u64::MAX), 8, &events, 1);
}
