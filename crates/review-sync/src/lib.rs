//! A local mirror kept fresh: the reviews of a client's tenants synced into a
//! [`review_store::Mirror`], blocking ([`sync_blocking`]) or async ([`sync_async`]), with one
//! set of decisions for both.
//!
//! Which windows to read comes from the mirror's bookmark
//! ([`SyncPlan`](review_protocol::sync::SyncPlan): from `since` on a first run, from the
//! bookmark minus a lookback later); the reviews are read through the client's walks and written
//! in batches by a thread of their own, so reading and writing overlap and an async caller's
//! executor never waits on the database. Each chunk's bookmark is committed in the transaction
//! of its last rows: a sync killed at any moment and run again leaves the mirror as an
//! uninterrupted run would.
//!
//! ```no_run
//! # fn demo<T: review_client::BlockingTransport>(client: review_client::BlockingClient<T>) -> Result<(), Box<dyn std::error::Error>> {
//! use review_model::Platform;
//! use review_store::{Mirror, Tenant};
//! use review_sync::{SyncRequest, sync_blocking};
//!
//! let mut mirror = Mirror::open(&"sqlite:reviews.sqlite3".parse()?)?;
//! let request = SyncRequest::new(vec![Tenant::new(Platform::Wechat, "wx0123456789abcdef")]);
//! let report = sync_blocking(&client, &mut mirror, &request, &mut ())?;
//! println!("{} new, {} unchanged, {} requests", report.new, report.unchanged, report.requests);
//! # Ok(())
//! # }
//! ```

mod blocking;
mod error;
mod nonblocking;
mod observer;
mod report;
mod request;
mod run;
mod walked;
mod writer;

pub use blocking::sync_blocking;
pub use error::SyncError;
pub use nonblocking::sync_async;
pub use observer::SyncObserver;
pub use report::{SyncReport, TenantReport};
pub use request::SyncRequest;
pub use writer::MirrorWriter;
