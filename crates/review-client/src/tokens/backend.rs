//! The contract of a store shared between processes: four atomic operations, each with a
//! blocking face and an async one.

use std::future::Future;
use std::pin::Pin;

use review_protocol::wechat::token_share::{StoreAnswer, StoreFailure, StoreKey, StoreOp};

/// What [`TokenBackend::run_async`] returns.
pub type BoxStoreFuture<'a> =
    Pin<Box<dyn Future<Output = Result<StoreAnswer, StoreFailure>> + Send + 'a>>;

/// A store that shares tokens between processes.
///
/// It carries out [`StoreOp`]s on the entry of a [`StoreKey`], each atomically with respect to
/// every other process using the same store:
///
/// - `Load` reads the record (`None` if there is none, or if it cannot be decoded, so that a
///   damaged entry is replaced by the next refresh rather than stopping every process);
/// - `Put` writes it only if the stored generation is the one expected (compare-and-set);
/// - `Lock` takes the refresh lock for a lease unless another owner holds an unexpired one;
/// - `Unlock` deletes the lock only if its owner is the one given (compare-and-delete).
///
/// The blocking driver calls [`run_blocking`](Self::run_blocking), the async one
/// [`run_async`](Self::run_async), so a store doing network I/O (Redis) never blocks an
/// async runtime: the I/O happens where the driver waits, as a step of the call machine
/// ([`Step::Store`](review_protocol::call::Step::Store)), not inside the token cache's lock.
/// A store whose operations are short local system calls (a file) may run them inline in
/// both.
pub trait TokenBackend: Send + Sync {
    /// Carries out `op` on `key`'s entry, blocking the thread.
    fn run_blocking(&self, key: &StoreKey, op: StoreOp) -> Result<StoreAnswer, StoreFailure>;

    /// Carries out `op` on `key`'s entry without blocking an async runtime.
    fn run_async<'a>(&'a self, key: &'a StoreKey, op: StoreOp) -> BoxStoreFuture<'a>;

    /// Where the store is, for messages (`file store in /home/u/.cache/reviews/tokens`). No
    /// secrets: a URL is shown without its password.
    fn describe(&self) -> String;
}
