//! Ctrl-C at any moment of a command: between records, during a request that never answers,
//! during a back-off sleep.
//!
//! The command runs on a worker thread; the main thread waits for its result or for Ctrl-C.
//! After Ctrl-C the worker gets [`GRACE`] to stop by itself at a record boundary (it polls
//! [`requested`]), which is the tidy path. A worker still blocked in the network after that is
//! left behind: the main thread runs the command's registered [`on_interrupt`] finisher (the
//! export flushes its complete lines and keeps the partial file), prints its line, and the
//! process exits 130. Nothing the worker holds needs unwinding: it owns no lock another
//! process waits on and wrote only complete lines.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use crate::error::{CliError, CliResult, INTERRUPTED};

/// How long a worker has to stop by itself after Ctrl-C.
pub(crate) const GRACE: Duration = Duration::from_millis(300);

/// What the main thread runs when the worker does not stop in time.
type Finisher = Box<dyn FnOnce() -> String + Send>;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static FINISHER: Mutex<Option<Finisher>> = Mutex::new(None);
static SIGNAL: OnceLock<Mutex<mpsc::Receiver<()>>> = OnceLock::new();

/// Whether Ctrl-C was pressed: workers stop at the next record boundary.
pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Registers what to do if the worker cannot stop by itself: returns the message of the
/// `interrupted` line (without the `interrupted: ` prefix). A later registration replaces it.
pub(crate) fn on_interrupt(finish: impl FnOnce() -> String + Send + 'static) {
    *FINISHER.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(finish));
}

/// The error of an interrupted command.
pub(crate) fn interrupted(message: impl Into<String>) -> CliError {
    let message = message.into();
    CliError {
        code: INTERRUPTED,
        message: if message.is_empty() {
            "interrupted".to_owned()
        } else {
            format!("interrupted: {message}")
        },
    }
}

/// Installs the Ctrl-C (and SIGTERM) handler. Not for the servers, which stop on signals
/// through their own runtime.
fn install() -> Option<&'static Mutex<mpsc::Receiver<()>>> {
    if let Some(signal) = SIGNAL.get() {
        return Some(signal);
    }
    let (send, receive) = mpsc::channel();
    let handler = ctrlc::set_handler(move || {
        REQUESTED.store(true, Ordering::SeqCst);
        let _ = send.send(());
    });
    if let Err(err) = handler {
        tracing::warn!(%err, "cannot catch Ctrl-C: an interrupt stops the command abruptly");
        return None;
    }
    Some(SIGNAL.get_or_init(|| Mutex::new(receive)))
}

/// Runs `work` on a worker thread and returns its result, or, after Ctrl-C, the interrupted
/// error of the worker (if it stops within [`GRACE`]) or of the registered finisher.
pub(crate) fn run(work: impl FnOnce() -> CliResult + Send + 'static) -> CliResult {
    let Some(signal) = install() else {
        return work();
    };
    let (done, result) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("reviews-command".to_owned())
        .spawn(move || {
            let _ = done.send(work());
        });
    if let Err(err) = worker {
        return Err(CliError::runtime(format!(
            "cannot start the command: {err}"
        )));
    }
    let signal = signal.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        match result.recv_timeout(Duration::from_millis(50)) {
            Ok(outcome) => return outcome,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(CliError::runtime("the command stopped unexpectedly"));
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        if signal.try_recv().is_ok() {
            break;
        }
    }
    match result.recv_timeout(GRACE) {
        Ok(outcome) => outcome,
        Err(_) => {
            let finish = FINISHER
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            Err(interrupted(finish.map(|f| f()).unwrap_or_default()))
        }
    }
}
