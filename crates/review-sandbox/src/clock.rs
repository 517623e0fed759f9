//! The sandbox's clock: real time plus an offset tests can move forward.

use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

use crate::lock::lock;

/// Real time, shifted by an adjustable offset so a test can watch a token expire without
/// waiting two hours.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<SignedDuration>,
}

impl Clock {
    /// The sandbox's now.
    pub(crate) fn now(&self) -> Timestamp {
        let offset = *lock(&self.offset);
        Timestamp::now()
            .saturating_add(offset)
            .unwrap_or(Timestamp::MAX)
    }

    /// Moves the sandbox's time forward (or back, with a negative duration).
    pub(crate) fn advance(&self, by: SignedDuration) {
        let mut offset = lock(&self.offset);
        *offset = offset.saturating_add(by);
    }
}
