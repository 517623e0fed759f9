//! The local mirror of the reviews SDK: every review a sync read, what changed between reads,
//! how far each tenant's sync got, and the webhook's pushes, kept durably before they are
//! answered. In SQLite (a file per user, nothing to install) or PostgreSQL (shared by a fleet).
//!
//! ```
//! use jiff::Timestamp;
//! use review_model::mirror::{Change, Observed, ReviewState};
//! use review_model::{Platform, Review, Sentiment, Stars};
//! use review_store::{Batch, InboxView, Mirror, MirrorUrl, Tenant};
//!
//! let mut mirror = Mirror::open(&"sqlite::memory:".parse::<MirrorUrl>()?)?;
//! let tenant = Tenant::new(Platform::Wechat, "wx0123456789abcdef");
//! let review = Review {
//!     platform: Platform::Wechat,
//!     id: "1001".into(),
//!     order_id: Some("4200001".into()),
//!     created_at: "2024-05-01T08:00:00Z".parse()?,
//!     stars: Stars::new(1).ok(),
//!     sentiment: Sentiment::Negative,
//!     text: "arrived broken".into(),
//!     author: Some("Li".into()),
//!     replied: false,
//!     reply: None,
//!     media: vec![],
//!     items: vec!["teapot".into()],
//!     amount_fen: Some(5900),
//!     user_id: None,
//! };
//! let observed = [Observed { review, raw: "{}".into(), state: ReviewState::default(), process: None }];
//! let now: Timestamp = "2024-05-02T00:00:00Z".parse()?;
//! let batch = Batch { tenant: &tenant, reviews: &observed, covered: None, now };
//!
//! let applied = mirror.apply(&batch)?;
//! assert_eq!(applied.changed[0].changes, [Change::New]);
//! // The same read again changes nothing and writes nothing.
//! assert_eq!(mirror.apply(&batch)?.unchanged, 1);
//!
//! let inbox = mirror.inbox(InboxView::Unanswered)?;
//! assert_eq!(inbox[0].review.text, "arrived broken");
//! assert_eq!(inbox[0].first_seen_at, now);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Why these libraries
//!
//! `rusqlite` (SQLite compiled in with the `bundled` feature, so no system library) and the
//! synchronous `postgres` crate (tokio-postgres underneath), behind one private backend trait
//! with the SQL written once (`$1` placeholders, rewritten to `?1` for SQLite; types bound per
//! backend). Both are synchronous, which is how the sync driver and the webhook run the mirror:
//! on a thread of their own. sqlx was passed over: its SQLite driver goes through a worker
//! thread per connection, and its `Any` driver, the one way to write the code once, loses the
//! column types. Both crates prepare statements once per connection, and PostgreSQL takes a
//! whole batch as arrays (`UNNEST`) in one round trip.
//!
//! # How a batch is applied
//!
//! One transaction: a lookup of the batch's stored rows by primary key (on PostgreSQL a
//! `LATERAL` probe per id, so the plan does not hang on statistics a first sync has not
//! gathered yet; the stored `raw` compared with the new one as `jsonb` only for the rows
//! found), the classification in Rust, then only the rows that changed written — on SQLite 64
//! rows to a statement, on PostgreSQL one statement for the found rows (`ON CONFLICT DO UPDATE`)
//! and one for the new ones (a plain insert, falling back to the upsert from a savepoint if
//! another writer stored one meanwhile) — and their `review_changes` in one more. An unchanged
//! read writes nothing. SQLite keeps statement journals in memory (`temp_store=MEMORY`).
//!
//! # What is stored
//!
//! The schema (tables, columns, types on each backend, example queries) is in `docs/mirror.md`.
//! Review times are kept to the second (SQLite: fixed-width UTC text, so text order is time
//! order), push arrival times to the millisecond. On PostgreSQL `raw` is `jsonb`, so it reads
//! back as the same JSON value in PostgreSQL's normalised text.

mod apply;
mod backend;
mod change;
mod error;
mod migrate;
mod mirror;
mod read;
mod sql;
mod text_time;
mod types;
mod url;

pub use error::{DriverError, StoreError};
pub use mirror::Mirror;
pub use types::{
    Applied, Batch, Bookmark, Changed, InboxView, PendingPush, PushRecord, PushRow, PushStatus,
    Recorded, ReviewQuery, StoredReview, Tenant,
};
pub use url::MirrorUrl;
