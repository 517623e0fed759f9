//! A backend shared by the clients of one process: what a shared store does, without the
//! sharing, so that force limits are counted and every store behaves alike.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use jiff::Timestamp;
use review_protocol::wechat::token_share::{
    LockOwner, StoreAnswer, StoreFailure, StoreKey, StoreOp, TokenRecord,
};

use super::backend::{BoxStoreFuture, TokenBackend};

#[derive(Debug, Default)]
struct Entry {
    record: Option<TokenRecord>,
    lock: Option<(LockOwner, Timestamp)>,
}

/// Records and locks in this process's memory. The lock's lease runs on the callers' clock.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    entries: Mutex<HashMap<StoreKey, Entry>>,
}

impl MemoryBackend {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn run(&self, key: &StoreKey, op: StoreOp) -> StoreAnswer {
        // Nothing under this lock panics; a poisoned one is used as is.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.entry(key.clone()).or_default();
        apply(entry, op)
    }
}

fn apply(entry: &mut Entry, op: StoreOp) -> StoreAnswer {
    match op {
        StoreOp::Load => StoreAnswer::Record(entry.record.clone()),
        StoreOp::Put { expected, record } => {
            let current = entry.record.as_ref().map(|r| r.generation);
            if current == expected {
                entry.record = Some(record);
                StoreAnswer::Written(true)
            } else {
                StoreAnswer::Written(false)
            }
        }
        StoreOp::Lock { owner, lease, now } => {
            let free = entry.lock.as_ref().is_none_or(|(_, until)| *until <= now);
            if free {
                let until = now.checked_add(lease).unwrap_or(Timestamp::MAX);
                entry.lock = Some((owner, until));
            }
            StoreAnswer::Locked(free)
        }
        StoreOp::Unlock { owner } => {
            if entry.lock.as_ref().is_some_and(|(held, _)| *held == owner) {
                entry.lock = None;
            }
            StoreAnswer::Unlocked
        }
    }
}

impl TokenBackend for MemoryBackend {
    fn run_blocking(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure> {
        Ok(self.run(key, op))
    }

    fn run_async<'a>(&'a self, key: &'a StoreKey, op: StoreOp) -> BoxStoreFuture<'a> {
        let answer = self.run(key, op);
        Box::pin(async move { Ok(answer) })
    }

    fn describe(&self) -> String {
        "memory store (this process only)".to_owned()
    }
}
