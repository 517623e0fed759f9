//! The four operations a shared store offers, each atomic, and what they answer.

use std::fmt;

use jiff::{SignedDuration, Timestamp};

use super::key::LockOwner;
use super::record::TokenRecord;

/// One operation on the store's entry for a key, asked by a [`SharedRefresh`](super::SharedRefresh)
/// or [`SharedInvalidate`](super::SharedInvalidate) and carried out by the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOp {
    /// Read the record: [`StoreAnswer::Record`].
    Load,
    /// Write `record` only if the stored record's generation is `expected` (`None`: only if
    /// there is none): [`StoreAnswer::Written`].
    Put {
        /// The generation read before.
        expected: Option<u64>,
        /// The record to store; its generation is `expected + 1`.
        record: TokenRecord,
    },
    /// Take the refresh lock for `lease` unless someone holds it: [`StoreAnswer::Locked`].
    /// `now` is the caller's clock, for stores that keep no clock of their own; a store with a
    /// clock (Redis's `PX`) may use its own.
    Lock {
        /// The lock's holder if taken.
        owner: LockOwner,
        /// How long the lock lasts unless released.
        lease: SignedDuration,
        /// The caller's clock.
        now: Timestamp,
    },
    /// Release the refresh lock if `owner` still holds it (compare-and-delete):
    /// [`StoreAnswer::Unlocked`].
    Unlock {
        /// The holder named when the lock was taken.
        owner: LockOwner,
    },
}

impl StoreOp {
    /// Whether carrying this out may end a refresh other callers wait for (it writes a token
    /// or frees the refresh lock): once done, they may look again.
    pub fn may_end_a_refresh(&self) -> bool {
        matches!(self, Self::Put { .. } | Self::Unlock { .. })
    }
}

/// What a store answers to a [`StoreOp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreAnswer {
    /// To [`StoreOp::Load`]: the record, if there is one that can be read.
    Record(Option<TokenRecord>),
    /// To [`StoreOp::Put`]: whether the record was written.
    Written(bool),
    /// To [`StoreOp::Lock`]: whether the lock is now ours.
    Locked(bool),
    /// To [`StoreOp::Unlock`].
    Unlocked,
}

/// A store that could not carry out an operation (Redis unreachable, a file not writable).
///
/// The call fails with it: falling back to a token of the process's own would start the
/// refresh storm a shared store exists to prevent. The message must not hold secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreFailure {
    message: String,
}

impl StoreFailure {
    /// A failure described by `message` (what failed and where, no secrets).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The description.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for StoreFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreFailure({:?})", self.message)
    }
}

impl fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreFailure {}
