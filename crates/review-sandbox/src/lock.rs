//! Locking that survives a panicked handler: the data behind a poisoned lock is still usable,
//! because every critical section leaves it consistent before anything can panic.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex, ignoring poisoning.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
