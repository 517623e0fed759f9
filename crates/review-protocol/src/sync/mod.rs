//! Keeping a local mirror fresh: which ranges a sync reads, decided from the mirror's bookmark
//! alone (no clock: `now` is an argument).
//!
//! Neither platform can list "what changed since": both list by creation time. So a sync reads,
//! like the sync tools built on such APIs (Airbyte's Yotpo and Trustpilot sources), from its
//! bookmark minus a lookback window to now: replies, revisions and process steps of the
//! lookback's reviews are caught; older changes are not. The range is cut into chunks read
//! oldest first, and the bookmark is advanced with each chunk's last rows, so a sync killed at
//! any moment resumes where its last commit left off.

mod plan;

pub use plan::{BACKFILL, CHUNK, LOOKBACK, SyncPlan};
