//! The mirror on a thread of its own: batches are written while the next pages are read, and an
//! async caller awaits the answers instead of blocking its executor on the database (the
//! PostgreSQL client must not run inside an async task at all).

use std::sync::mpsc;
use std::thread;

use futures_channel::oneshot;
use jiff::Timestamp;
use review_model::mirror::{Bookmark, Observed};
use review_store::{Applied, Batch, Mirror, StoreError, Tenant};

use crate::error::SyncError;

/// Rows to commit in one transaction, with the bookmark they complete.
pub(crate) struct Rows {
    pub(crate) tenant: Tenant,
    pub(crate) reviews: Vec<Observed>,
    pub(crate) covered: Option<Bookmark>,
    pub(crate) now: Timestamp,
}

/// A committed batch: its rows back (for the observer) and what the mirror made of them.
pub(crate) struct Written {
    pub(crate) rows: Rows,
    pub(crate) applied: Applied,
}

/// Where the writer sends an answer: a oneshot, which a thread can block on and a task await.
type Reply<T> = oneshot::Sender<T>;

/// An answer still to come.
pub(crate) struct Ticket<T>(oneshot::Receiver<T>);

impl<T> Ticket<T> {
    fn pair() -> (Reply<T>, Self) {
        let (tx, rx) = oneshot::channel();
        (tx, Self(rx))
    }

    /// The answer, waiting on this thread.
    pub(crate) fn wait(self) -> Result<T, SyncError> {
        futures_executor::block_on(self.0).map_err(|_| SyncError::WriterGone)
    }

    /// The answer, awaited.
    pub(crate) async fn wait_async(self) -> Result<T, SyncError> {
        self.0.await.map_err(|_| SyncError::WriterGone)
    }
}

enum Job {
    Bookmark(Tenant, Reply<Result<Option<Bookmark>, StoreError>>),
    Apply(Rows, Reply<Result<Written, StoreError>>),
}

/// The sending side, shared by the scoped writer of [`sync_blocking`](crate::sync_blocking) and
/// the owned [`MirrorWriter`].
#[derive(Clone)]
pub(crate) struct Jobs {
    tx: mpsc::Sender<Job>,
}

impl Jobs {
    pub(crate) fn bookmark(
        &self,
        tenant: &Tenant,
    ) -> Result<Ticket<Result<Option<Bookmark>, StoreError>>, SyncError> {
        let (reply, ticket) = Ticket::pair();
        self.tx
            .send(Job::Bookmark(tenant.clone(), reply))
            .map_err(|_| SyncError::WriterGone)?;
        Ok(ticket)
    }

    pub(crate) fn apply(
        &self,
        rows: Rows,
    ) -> Result<Ticket<Result<Written, StoreError>>, SyncError> {
        let (reply, ticket) = Ticket::pair();
        self.tx
            .send(Job::Apply(rows, reply))
            .map_err(|_| SyncError::WriterGone)?;
        Ok(ticket)
    }
}

/// The writer's loop: one job at a time, until every sender is gone.
fn serve(mirror: &mut Mirror, jobs: &mpsc::Receiver<Job>) {
    while let Ok(job) = jobs.recv() {
        match job {
            Job::Bookmark(tenant, reply) => {
                // A caller that stopped waiting has nothing left to learn.
                let _ = reply.send(mirror.bookmark(&tenant));
            }
            Job::Apply(rows, reply) => {
                let batch = Batch {
                    tenant: &rows.tenant,
                    reviews: &rows.reviews,
                    covered: rows.covered,
                    now: rows.now,
                };
                let applied = mirror.apply(&batch);
                let _ = reply.send(applied.map(|applied| Written { rows, applied }));
            }
        }
    }
}

/// Runs `body` with a writer thread borrowing `mirror` for the body's duration.
pub(crate) fn scoped<R>(mirror: &mut Mirror, body: impl FnOnce(&Jobs) -> R) -> R {
    let (tx, rx) = mpsc::channel();
    thread::scope(|scope| {
        // Without a thread of its own the sync still runs: the jobs then wait for none, and
        // the first answer reports the writer gone.
        let _ = thread::Builder::new()
            .name("review-mirror".to_owned())
            .spawn_scoped(scope, move || serve(mirror, &rx));
        let jobs = Jobs { tx };
        // The sender drops with `jobs` at the end of the body, which ends the writer's loop
        // before the scope joins it.
        body(&jobs)
    })
}

/// A [`Mirror`] on its own thread, for [`sync_async`](crate::sync_async): the executor awaits
/// its answers and never runs a database call.
///
/// ```no_run
/// # async fn demo<T: review_client::AsyncTransport>(client: review_client::AsyncClient<T>) -> Result<(), Box<dyn std::error::Error>> {
/// use review_model::Platform;
/// use review_store::{Mirror, Tenant};
/// use review_sync::{MirrorWriter, SyncRequest, sync_async};
///
/// let writer = MirrorWriter::spawn(Mirror::open(&"sqlite:reviews.sqlite3".parse()?)?)?;
/// let request = SyncRequest::new(vec![Tenant::new(Platform::Taobao, "my-shop")]);
/// let report = sync_async(&client, &writer, &request, &mut ()).await?;
/// let _mirror = writer.close()?;
/// # let _ = report;
/// # Ok(())
/// # }
/// ```
pub struct MirrorWriter {
    jobs: Jobs,
    thread: thread::JoinHandle<Mirror>,
}

impl MirrorWriter {
    /// Moves `mirror` to a new thread.
    pub fn spawn(mirror: Mirror) -> Result<Self, std::io::Error> {
        let (tx, rx) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("review-mirror".to_owned())
            .spawn(move || {
                let mut mirror = mirror;
                serve(&mut mirror, &rx);
                mirror
            })?;
        Ok(Self {
            jobs: Jobs { tx },
            thread,
        })
    }

    pub(crate) fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// Stops the thread once its jobs are done and gives the mirror back.
    pub fn close(self) -> Result<Mirror, SyncError> {
        drop(self.jobs);
        self.thread.join().map_err(|_| SyncError::WriterGone)
    }
}

impl std::fmt::Debug for MirrorWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MirrorWriter").finish_non_exhaustive()
    }
}
