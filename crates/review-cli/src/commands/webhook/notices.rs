//! The server's lines on stderr (one per refusal), written by a thread of their own so that a
//! stalled stderr never blocks an async worker. Lines that find the queue full are counted and
//! the count is said with the next line that gets through: stderr is for people, and losing a
//! refusal notice loses no push.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::time::Duration;

/// Lines waiting for stderr.
const QUEUE: usize = 1_024;

/// What the thread is given.
enum Item {
    Line(String),
    /// Answered once every line before it is written.
    Flush(mpsc::Sender<()>),
}

struct Notices {
    queue: SyncSender<Item>,
    dropped: AtomicU64,
}

static NOTICES: OnceLock<Option<Notices>> = OnceLock::new();

fn notices() -> Option<&'static Notices> {
    NOTICES
        .get_or_init(|| {
            let (queue, items) = mpsc::sync_channel::<Item>(QUEUE);
            let started = std::thread::Builder::new()
                .name("webhook-notices".to_owned())
                .spawn(move || {
                    let mut err = std::io::stderr();
                    for item in items {
                        match item {
                            Item::Line(line) => {
                                let _ = err.write_all(line.as_bytes());
                            }
                            Item::Flush(done) => {
                                let _ = done.send(());
                            }
                        }
                    }
                });
            started.ok().map(|_| Notices {
                queue,
                dropped: AtomicU64::new(0),
            })
        })
        .as_ref()
}

/// Says `line` (without its newline) on stderr, without waiting.
pub(super) fn say(line: &str) {
    let Some(notices) = notices() else {
        return;
    };
    let dropped = notices.dropped.swap(0, Ordering::Relaxed);
    let text = if dropped == 0 {
        format!("{line}\n")
    } else {
        format!("reviews: ({dropped} earlier notices dropped: stderr is slow)\n{line}\n")
    };
    if notices.queue.try_send(Item::Line(text)).is_err() {
        notices.dropped.fetch_add(dropped + 1, Ordering::Relaxed);
    }
}

/// Waits (at most `within`) until the lines said so far are written: before the last line
/// of the process, so that it stays the last.
pub(super) fn flush(within: Duration) {
    let Some(notices) = NOTICES.get().and_then(Option::as_ref) else {
        return;
    };
    let (done, written) = mpsc::channel();
    if notices.queue.try_send(Item::Flush(done)).is_ok() {
        let _ = written.recv_timeout(within);
    }
}
