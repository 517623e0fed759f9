//! The mirror's one owner: a thread of its own, fed by a bounded queue of jobs.
//!
//! The PostgreSQL client runs a runtime of its own and must not be called from inside an async
//! task, and SQLite blocks on the disk: so no handler touches the [`Mirror`]. A handler queues a
//! job (a closure over the mirror) and awaits its answer on a oneshot channel; the fetcher,
//! a plain thread, waits for its answers the same way. Jobs run in the order queued, so a stop
//! queued after the last request was answered runs after every commit it waits for.

use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::JoinHandle;

use review_store::Mirror;

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
}

/// The thread, to stop and join at the end.
pub(super) struct DbThread {
    jobs: SyncSender<Item>,
    thread: JoinHandle<()>,
}

impl Db {
    /// Starts the thread that owns `mirror`.
    pub(super) fn start(mut mirror: Mirror) -> std::io::Result<(Self, DbThread)> {
        let name = mirror.describe();
        let (jobs, items) = mpsc::sync_channel::<Item>(QUEUE);
        let thread = std::thread::Builder::new()
            .name("webhook-db".to_owned())
            .spawn(move || {
                for item in items {
                    match item {
                        Item::Run(job) => job(&mut mirror),
                        Item::Stop => break,
                    }
                }
            })?;
        Ok((
            Self {
                jobs: jobs.clone(),
                name,
            },
            DbThread { jobs, thread },
        ))
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
