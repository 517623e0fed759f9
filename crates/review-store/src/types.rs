//! The values the mirror takes and gives back.

use jiff::Timestamp;
use review_model::Platform;
use review_model::Review;
use review_model::mirror::{Change, Observed, ProcessStep, ReviewState};

/// Whose reviews: a platform and its account (the WeChat appid, the Taobao seller nick). Rows,
/// bookmarks and changes are kept per tenant, so one mirror serves several shops.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant {
    /// The platform.
    pub platform: Platform,
    /// The appid or seller nick.
    pub account: String,
}

impl Tenant {
    /// A tenant.
    pub fn new(platform: Platform, account: impl Into<String>) -> Self {
        Self {
            platform,
            account: account.into(),
        }
    }
}

/// One read's reviews for one tenant, applied in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// Whose reviews.
    pub tenant: &'a Tenant,
    /// What the read saw. A later duplicate id wins.
    pub reviews: &'a [Observed],
    /// The window this batch completes, if any: stored as the tenant's bookmark in the same
    /// transaction as the rows.
    pub covered: Option<Bookmark>,
    /// The time of the read: `changed_at`, `first_seen_at` and the bookmark's `synced_at`.
    pub now: Timestamp,
}

/// Every review created in `[from, until]` was read (for a tenant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bookmark {
    /// The window's start.
    pub from: Timestamp,
    /// The window's end.
    pub until: Timestamp,
}

/// What `apply` did.
#[derive(Debug, Default)]
pub struct Applied {
    /// The reviews that changed in a way a user hears of, in batch order.
    pub changed: Vec<Changed>,
    /// The reviews left as they were, or updated silently (a nickname, the raw JSON...).
    pub unchanged: u64,
}

/// One changed review of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Its index in `Batch::reviews` (the last of duplicates).
    pub index: usize,
    /// How it changed: non-empty, sorted, deduplicated.
    pub changes: Vec<Change>,
}

/// Which reviews `Mirror::reviews` returns. Ordered by platform, tenant, `created_at`
/// descending, id.
#[derive(Debug, Clone, Default)]
pub struct ReviewQuery {
    /// Only this platform.
    pub platform: Option<Platform>,
    /// Only this tenant's account.
    pub tenant: Option<String>,
}

/// A review as the mirror keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReview {
    /// The tenant's account.
    pub tenant: String,
    /// The unified record (timestamps to the second).
    pub review: Review,
    /// The WeChat listing state.
    pub state: ReviewState,
    /// The bad-review process steps, oldest first (empty when never fetched).
    pub process: Vec<ProcessStep>,
    /// The platform's JSON (on PostgreSQL as `jsonb` prints it: same value, normalised text).
    pub raw: String,
    /// When the mirror first saw it.
    pub first_seen_at: Timestamp,
    /// When it last changed in the mirror.
    pub changed_at: Timestamp,
}

/// The inbox's views, read from the mirror alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxView {
    /// WeChat 1–2 stars and Taobao negative or neutral, without a merchant reply.
    Unanswered,
    /// WeChat bad reviews not settled yet.
    PendingSettlement,
    /// WeChat bad reviews not settled yet that already have a reply.
    RepliedUnsettled,
}

/// A webhook push to keep before answering it.
#[derive(Debug, Clone, Copy)]
pub struct PushRecord<'a> {
    /// What makes two deliveries the same push (kept once).
    pub dedup_key: &'a str,
    /// The tenant's account (the appid).
    pub tenant: &'a str,
    /// The event name.
    pub event: &'a str,
    /// The review it is about, if any.
    pub comment_id: Option<&'a str>,
    /// The push's own time.
    pub create_time: Timestamp,
    /// When it arrived (kept to the millisecond).
    pub received_at: Timestamp,
    /// The body as received.
    pub raw: &'a str,
    /// `Pending` when the review's detail is still to fetch; `Received` when nothing more is due.
    pub status: PushStatus,
}

/// Where a push is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushStatus {
    /// The detail is to fetch.
    Pending,
    /// Nothing more to do.
    Received,
    /// The detail was fetched and applied.
    Fetched,
    /// Gave up on it.
    Failed,
}

impl PushStatus {
    /// The `status` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Received => "received",
            Self::Fetched => "fetched",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Received, Self::Fetched, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// What `record_push` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored now, with this id.
    New(i64),
    /// The key was there already, with this id: nothing written.
    Duplicate(i64),
}

/// A claimed push whose detail the caller fetches now.
#[derive(Debug, Clone)]
pub struct PendingPush {
    /// Its id.
    pub id: i64,
    /// The tenant's account.
    pub tenant: String,
    /// The review to fetch.
    pub comment_id: String,
    /// Claims so far, this one included.
    pub attempts: u32,
}

/// A `push_events` row.
#[derive(Debug, Clone)]
pub struct PushRow {
    /// Its id.
    pub id: i64,
    /// The deduplication key.
    pub dedup_key: String,
    /// The tenant's account.
    pub tenant: String,
    /// The event name.
    pub event: String,
    /// The review it is about.
    pub comment_id: Option<String>,
    /// The push's own time.
    pub create_time: Timestamp,
    /// When it arrived.
    pub received_at: Timestamp,
    /// Where it is.
    pub status: PushStatus,
    /// Claims so far.
    pub attempts: u32,
    /// The last fetch error.
    pub last_error: Option<String>,
}
