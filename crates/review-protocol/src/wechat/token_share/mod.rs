//! One access token shared by every process of an app: the record a shared store keeps, the
//! operations it must offer, and the decisions around them, with no I/O.
//!
//! A [`TokenCache`](super::token_cache::TokenCache) serves the calls of one process. When it asks
//! for a refresh and the client has a shared store (a file, Redis, anything implementing the
//! four [`StoreOp`]s), the [call machine](crate::call) runs a [`SharedRefresh`] first: it reads
//! the [`TokenRecord`], uses the stored token if it is fresh, and otherwise takes the store's
//! refresh lock, **reads again** (another process may have refreshed while this one waited),
//! and only then sends the refresh, writes the new token by compare-and-set on the record's
//! generation and releases the lock. A token error runs a [`SharedInvalidate`], which clears
//! the stored token only if it is the one that failed.
//!
//! The rules, decided here and nowhere else, so that every store behaves alike:
//!
//! - One refresh at a time across every process sharing the store: the lock is a lease
//!   ([`LOCK_LEASE`]), shorter than the cache's refresh timeout, so a holder that dies (kill -9)
//!   releases it by expiry.
//! - Waiters poll the record ([`WAIT_POLL`]) and re-check it after taking the lock.
//! - A token is replaced only by a newer one: writes are compare-and-set on
//!   [`TokenRecord::generation`], and a write that loses keeps the winner's token.
//! - A token error clears the stored token only if it is the token that failed, and records it
//!   as refused. A refresh asks for WeChat's current stable token first (unforced, which every
//!   process shares); only if that is the refused token does it force a new one, within
//!   WeChat's limits ([`ForceLimits`]), which the record counts for every process.

mod force;
mod invalidate;
mod key;
mod op;
mod record;
mod refresh;

pub use force::{ForceLimits, ForceLog};
pub use invalidate::{InvalidateStep, SharedInvalidate};
pub use key::{LockOwner, StoreKey};
pub use op::{StoreAnswer, StoreFailure, StoreOp};
pub use record::{RecordError, StoredToken, TokenRecord};
pub use refresh::{SharedConfig, SharedOutcome, SharedRefresh, SharedStep};

use jiff::SignedDuration;

/// How long a refresh lock lasts unless released: longer than a token request takes, shorter
/// than [`DEFAULT_REFRESH_TIMEOUT`](super::token_cache::DEFAULT_REFRESH_TIMEOUT), so a dead
/// holder blocks the others for at most this long.
pub const LOCK_LEASE: SignedDuration = SignedDuration::from_secs(10);

/// How long a process waits between two looks at the record while another holds the lock.
pub const WAIT_POLL: SignedDuration = SignedDuration::from_millis(25);
