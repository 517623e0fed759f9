//! The progress bar: records, rate and elapsed time on stderr, only when stderr is a terminal
//! (a log file or a CI console gets the one summary line instead of redraws) and the records
//! are not themselves scrolling down that terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with a count, or nothing.
pub(super) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A spinner when stderr is a terminal and the records go to a file or a pipe.
    pub(super) fn start(to_file: bool) -> Self {
        let records_on_terminal = !to_file && std::io::stdout().is_terminal();
        if !std::io::stderr().is_terminal() || records_on_terminal {
            return Self(None);
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {human_pos} reviews exported, reading {prefix} ({per_sec:0}, {elapsed})",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(Some(bar))
    }

    /// Names the platform being read.
    pub(super) fn platform(&self, name: &'static str) {
        if let Some(bar) = &self.0 {
            bar.set_prefix(name);
        }
    }

    /// One more record (drawing is rate-limited by indicatif, so this is cheap).
    pub(super) fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Removes the bar before the summary line is printed.
    pub(super) fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
