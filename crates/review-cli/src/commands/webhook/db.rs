//! The mirror's one owner: a thread of its own, fed by a bounded queue of jobs.
//!
//! The PostgreSQL client runs a runtime of its own and must not be called from inside an async
//! task, and SQLite blocks on the disk: so no handler touches the [`Mirror`]. A handler queues a
//! job (a closure over the mirror) and awaits its answer on a oneshot channel; the fetcher,
//! a plain thread, waits for its answers the same way. Jobs run in the order queued, so a stop
//! queued after the last request was answered runs after every commit it waits for.
//!
//! A job whose query failed says so ([`Db::failed`]); the thread then opens the mirror again
//! (at most once a second), since a PostgreSQL connection cut by a server restart or a
//! network failure does not come back by itself. Until it does, pushes are answered 503.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use review_store::{Mirror, MirrorUrl};

/// The least time between two attempts to open the mirror again.
const REOPEN_EVERY: Duration = Duration::from_secs(1);

/// Jobs waiting for the database; beyond this, pushes are answered 503 (WeChat retries).
pub(super) const QUEUE: usize = 4_096;

/// Work for the database thread.
pub(super) type Job = Box<dyn FnOnce(&mut Mirror) + Send>;

enum Item {
    Run(Job),
    /// Ends the thread once every job before it has run.
    Stop,
}

/// Why a job was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NotQueued {
    /// The queue is full: the database is slower than the pushes.
    Busy,
    /// The thread has stopped.
    Closed,
}

/// The handlers' and the fetcher's end of the queue.
#[derive(Clone)]
pub(super) struct Db {
    jobs: SyncSender<Item>,
    /// The mirror's URL, password redacted, for messages.
    pub(super) name: String,
    /// Set by a job whose query failed: the thread reopens the mirror.
    broken: Arc<AtomicBool>,
}

/// The thread, to stop and join at the end.
pub(super) struct DbThread {
    jobs: SyncSender<Item>,
    thread: JoinHandle<()>,
}

impl Db {
    /// Starts the thread that owns `mirror`, opened from `url`.
    pub(super) fn start(mut mirror: Mirror, url: MirrorUrl) -> std::io::Result<(Self, DbThread)> {
        let name = mirror.describe();
        let (jobs, items) = mpsc::sync_channel::<Item>(QUEUE);
        let broken = Arc::new(AtomicBool::new(false));
        let failed = Arc::clone(&broken);
        let thread = std::thread::Builder::new()
            .name("webhook-db".to_owned())
            .spawn(move || {
                let mut reopened: Option<Instant> = None;
                for item in items {
                    match item {
                        Item::Run(job) => job(&mut mirror),
                        Item::Stop => break,
                    }
                    let due = reopened.is_none_or(|at| at.elapsed() >= REOPEN_EVERY);
                    if due && failed.swap(false, Ordering::SeqCst) {
                        reopened = Some(Instant::now());
                        // Still failing: the next failed job asks again.
                        if let Ok(fresh) = Mirror::open(&url) {
                            mirror = fresh;
                        }
                    }
                }
            })?;
        Ok((
            Self {
                jobs: jobs.clone(),
                name,
                broken,
            },
            DbThread { jobs, thread },
        ))
    }

    /// Says that a query failed (from inside a job): the mirror is opened again.
    pub(super) fn failed(&self) {
        self.broken.store(true, Ordering::SeqCst);
    }

    /// Queues `job` without waiting (for the async handlers).
    pub(super) fn try_run(&self, job: Job) -> Result<(), NotQueued> {
        self.jobs.try_send(Item::Run(job)).map_err(|e| match e {
            TrySendError::Full(_) => NotQueued::Busy,
            TrySendError::Disconnected(_) => NotQueued::Closed,
        })
    }

    /// Runs `f` on the mirror and waits for its result (for plain threads only, never from an
    /// async task); `None` once the thread has stopped.
    pub(super) fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Mirror) -> T + Send + 'static,
    ) -> Option<T> {
        let (answer, result) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |mirror| {
            let _ = answer.send(f(mirror));
        });
        self.jobs.send(Item::Run(job)).ok()?;
        result.recv().ok()
    }
}

impl DbThread {
    /// Runs every job queued so far, then ends the thread and waits for it.
    pub(super) fn stop(self) {
        if self.jobs.send(Item::Stop).is_ok() {
            let _ = self.thread.join();
        }
    }
}
