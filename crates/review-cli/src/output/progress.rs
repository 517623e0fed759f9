//! The progress bar: records, rate and elapsed time on stderr, only when stderr is a terminal
//! (a log file or a CI console gets the one summary line instead of redraws) and the records
//! are not themselves scrolling down that terminal.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with a count, or nothing; clones draw on the same spinner (a platform read on
/// another thread counts on it too).
#[derive(Clone)]
pub(crate) struct Progress(Option<ProgressBar>);

impl Progress {
    /// A spinner when stderr is a terminal and the records go to a file or a pipe.
    /// `verb` says what happens to the reviews ("exported", "synced").
    pub(crate) fn start(to_file: bool, verb: &str) -> Self {
        let records_on_terminal = !to_file && std::io::stdout().is_terminal();
        if !std::io::stderr().is_terminal() || records_on_terminal {
            return Self(None);
        }
        let bar = ProgressBar::new_spinner();
        let template = format!(
            "{{spinner}} {{human_pos}} reviews {verb}, reading {{prefix}} ({{per_sec:0}}, {{elapsed}})"
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(Some(bar))
    }

    /// Names the platform being read.
    pub(crate) fn platform(&self, name: &str) {
        if let Some(bar) = &self.0 {
            bar.set_prefix(name.to_owned());
        }
    }

    /// One more record (drawing is rate-limited by indicatif, so this is cheap).
    pub(crate) fn inc(&self) {
        self.add(1);
    }

    /// `count` more records.
    pub(crate) fn add(&self, count: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(count);
        }
    }

    /// Prints `line` on stderr, above the bar when there is one.
    pub(crate) fn line(&self, line: &str) {
        match &self.0 {
            Some(bar) => bar.println(line),
            None => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
        }
    }

    /// Removes the bar before the summary line is printed.
    pub(crate) fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
