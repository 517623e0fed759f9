//! The log of every write the sandbox executed, so tests can check that a client never
//! duplicated one, even when answers were lost.

use std::sync::Mutex;

use jiff::Timestamp;
use serde::Serialize;

use crate::lock::lock;

/// One executed write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteRecord {
    /// When it executed (sandbox time).
    pub at: Timestamp,
    /// The tenant whose data it changed (0 unless [`SandboxBuilder::tenants`] is above 1).
    ///
    /// [`SandboxBuilder::tenants`]: crate::SandboxBuilder::tenants
    pub tenant: usize,
    /// The endpoint's path (`/wxaapi/comment/reply/add`).
    pub path: String,
    /// The request's JSON body (or a summary for non-JSON bodies), as executed.
    pub body: serde_json::Value,
    /// Whether the answer was then deliberately lost by a fault.
    pub answer_lost: bool,
}

/// Every executed write, in order: the platforms append, the fault layer marks lost answers.
#[derive(Debug, Default)]
pub(crate) struct Writes(Mutex<Vec<WriteRecord>>);

impl Writes {
    /// Records a write to `path` of `tenant`'s data that executed at `at`.
    pub(crate) fn record(&self, at: Timestamp, tenant: usize, path: &str, body: serde_json::Value) {
        lock(&self.0).push(WriteRecord {
            at,
            tenant,
            path: path.to_owned(),
            body,
            answer_lost: false,
        });
    }

    /// How many writes executed so far: where a request's own writes will start.
    pub(crate) fn len(&self) -> usize {
        lock(&self.0).len()
    }

    /// Every write so far.
    pub(crate) fn all(&self) -> Vec<WriteRecord> {
        lock(&self.0).clone()
    }

    /// Marks the write a request executed (the first unmarked record of `path` since `before`)
    /// as having lost its answer. Returns whether one was found.
    ///
    /// Exact for a sequential client; two concurrent writes to the same path may have their
    /// marks swapped, never lost or doubled.
    pub(crate) fn mark_lost(&self, before: usize, path: &str) -> bool {
        let mut writes = lock(&self.0);
        let record = writes
            .iter_mut()
            .skip(before)
            .find(|record| record.path == path && !record.answer_lost);
        match record {
            Some(record) => {
                record.answer_lost = true;
                true
            }
            None => false,
        }
    }
}
