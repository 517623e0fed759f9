//! What a sync tells as it goes: for progress bars and `--changes` outputs.

use review_model::mirror::{Change, Observed};
use review_protocol::Window;
use review_store::Tenant;

/// Hooks called on the caller's thread (task) as the sync goes; all do nothing by default, and
/// `()` is the observer that wants nothing.
pub trait SyncObserver {
    /// A chunk of `tenant` starts.
    fn chunk(&mut self, tenant: &Tenant, window: Window) {
        let _ = (tenant, window);
    }

    /// `count` more reviews were read.
    fn read(&mut self, count: u64) {
        let _ = count;
    }

    /// A committed review was new or changed (`changes` is never empty).
    fn changed(&mut self, tenant: &Tenant, review: &Observed, changes: &[Change]) {
        let _ = (tenant, review, changes);
    }

    /// Asked after every review read: `true` stops the sync there (Ctrl-C, a deadline). What
    /// was handed to the mirror is committed first; the sync then ends with
    /// [`SyncError::Stopped`](crate::SyncError::Stopped) and the next one goes on from its
    /// bookmark.
    fn stop(&mut self) -> bool {
        false
    }
}

impl SyncObserver for () {}
