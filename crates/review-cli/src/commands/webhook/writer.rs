//! The event lines' one writer: a thread of its own behind a bounded buffer, so that a stalled
//! or closed stdout never blocks the async workers (URL checks, refusals and shutdown keep
//! working), and a push is acknowledged only once its line is written and flushed.
//!
//! Handlers encode their line straight into the pending buffer (no allocation per line, none
//! freed on another thread) and note the batch it will go out with. The thread swaps the
//! buffer for an empty one, writes it, flushes once, marks every event of the batch recorded in
//! the shared [`Deduplicator`], and publishes the batch number: one wake-up for the whole
//! batch. A write error marks the batch and everything after it abandoned (WeChat's retries
//! are new again), and is reported once so that the server stops.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use jiff::Timestamp;
use review_protocol::wechat::push::{Deduplicator, EventKey, Push};
use tokio::sync::{oneshot, watch};

use super::line;

/// Lines waiting for the writer; beyond this, pushes are answered 503 (WeChat retries).
pub(super) const QUEUE: usize = 4_096;

/// Where the writer has got to: batches are numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Progress {
    /// Every batch up to this one is written and flushed.
    pub(super) written: u64,
    /// The output failed at this batch: it and every later one are lost.
    pub(super) failed_at: Option<u64>,
}

impl Progress {
    /// Whether `batch` is written (`Some(true)`), lost (`Some(false)`) or still to come.
    pub(super) fn of(self, batch: u64) -> Option<bool> {
        match self.failed_at {
            Some(failed) if batch >= failed => Some(false),
            _ if batch <= self.written => Some(true),
            _ => None,
        }
    }
}

/// What the writer and the handlers share: the retry memory and the writer's progress, which
/// handlers waiting for their line (or another delivery's) watch.
pub(super) struct Seen {
    pub(super) memory: Mutex<Deduplicator>,
    pub(super) progress: watch::Sender<Progress>,
}

impl Seen {
    pub(super) fn new() -> Self {
        Self {
            memory: Mutex::new(Deduplicator::default()),
            progress: watch::Sender::new(Progress {
                written: 0,
                failed_at: None,
            }),
        }
    }

    /// Runs `f` on the retry memory.
    pub(super) fn with<T>(&self, f: impl FnOnce(&mut Deduplicator) -> T) -> T {
        f(&mut lock(&self.memory))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The lines not yet taken by the writer.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    events: Vec<EventKey>,
    /// The number the batch being filled will carry.
    batch: u64,
    /// The writer waits for lines (so a new line must wake it).
    idle: bool,
    /// The output failed: nothing more is taken.
    closed: bool,
}

/// Why a line was not queued.
pub(super) enum Refused {
    /// The buffer is full: the output is slower than the pushes.
    Busy,
    /// The output failed; the server is stopping.
    Closed,
    /// The event could not be encoded.
    Encode(io::Error),
}

struct Queue {
    pending: Mutex<Pending>,
    wake: Condvar,
}

/// The handlers' end of the buffer.
#[derive(Clone)]
pub(super) struct Writer {
    queue: Arc<Queue>,
}

impl Writer {
    /// Starts the writer thread over `out`; `failed` receives the first write error.
    pub(super) fn start(
        out: Box<dyn Write + Send>,
        seen: Arc<Seen>,
        failed: oneshot::Sender<io::Error>,
    ) -> io::Result<Self> {
        let queue = Arc::new(Queue {
            pending: Mutex::new(Pending {
                batch: 1,
                ..Pending::default()
            }),
            wake: Condvar::new(),
        });
        let thread_queue = Arc::clone(&queue);
        std::thread::Builder::new()
            .name("webhook-writer".to_owned())
            .spawn(move || write_all(out, &thread_queue, &seen, failed))?;
        Ok(Self { queue })
    }

    /// Encodes `push`'s line into the buffer; returns the batch it goes out with.
    pub(super) fn submit(&self, push: &Push, event: EventKey) -> Result<u64, Refused> {
        let mut pending = lock(&self.queue.pending);
        if pending.closed {
            return Err(Refused::Closed);
        }
        if pending.events.len() >= QUEUE {
            return Err(Refused::Busy);
        }
        let start = pending.bytes.len();
        if let Err(err) = line::write_event_line(&mut pending.bytes, push) {
            pending.bytes.truncate(start);
            return Err(Refused::Encode(err));
        }
        pending.bytes.push(b'\n');
        pending.events.push(event);
        let batch = pending.batch;
        let wake = std::mem::take(&mut pending.idle);
        drop(pending);
        if wake {
            self.queue.wake.notify_one();
        }
        Ok(batch)
    }
}

/// The thread: takes the whole buffer, writes it, until a write fails.
fn write_all(
    mut out: Box<dyn Write + Send>,
    queue: &Queue,
    seen: &Seen,
    failed: oneshot::Sender<io::Error>,
) {
    let mut bytes = Vec::with_capacity(64 * 1024);
    let mut events = Vec::with_capacity(QUEUE);
    loop {
        let batch = {
            let mut pending = lock(&queue.pending);
            while pending.events.is_empty() {
                pending.idle = true;
                pending = queue
                    .wake
                    .wait(pending)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            std::mem::swap(&mut pending.bytes, &mut bytes);
            std::mem::swap(&mut pending.events, &mut events);
            let batch = pending.batch;
            pending.batch += 1;
            batch
        };
        let result = out.write_all(&bytes).and_then(|()| out.flush());
        let now = Timestamp::now();
        match result {
            Ok(()) => {
                seen.with(|memory| {
                    for event in &events {
                        memory.recorded(*event, now);
                    }
                });
                seen.progress.send_modify(|p| p.written = batch);
                bytes.clear();
                events.clear();
            }
            Err(err) => {
                // Nothing is acknowledged any more: this batch and all later ones are lost,
                // and their retries must find the events new again.
                let mut pending = lock(&queue.pending);
                pending.closed = true;
                seen.with(|memory| {
                    for event in events.iter().chain(&pending.events) {
                        memory.abandoned(*event);
                    }
                });
                drop(pending);
                seen.progress.send_modify(|p| p.failed_at = Some(batch));
                let _ = failed.send(err);
                return;
            }
        }
    }
}
