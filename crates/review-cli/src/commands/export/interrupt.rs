//! Ctrl-C as a request to stop: the export finishes the record in hand, flushes and exits 130,
//! so the file ends on a complete line instead of wherever the signal fell.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the Ctrl-C handler, read after every record.
#[derive(Debug, Clone)]
pub(super) struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Installs the handler. If one is already installed (it is process-wide), Ctrl-C keeps its
    /// default meaning and the export simply cannot be stopped gracefully: logged, not fatal.
    pub(super) fn install() -> Self {
        let flag = Arc::new(AtomicBool::new(false));
        let handler_flag = Arc::clone(&flag);
        if let Err(err) = ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst)) {
            tracing::warn!(%err, "cannot catch Ctrl-C: an interrupt will stop the export abruptly");
        }
        Self(flag)
    }

    /// Whether Ctrl-C was pressed.
    pub(super) fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
