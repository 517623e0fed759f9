//! Output: tables for terminals, JSON lines and CSV for pipes, all through one stdout that
//! treats a closed pipe (`reviews ... | head`) as the reader having had enough, not as an error.

pub(crate) mod csv;
pub(crate) mod json;
pub(crate) mod progress;
pub(crate) mod table;
pub(crate) mod times;

use std::io::{self, BufWriter, IsTerminal, StdoutLock, Write};

use crate::cli::ListFormat;
use crate::error::CliError;

/// The format asked for, or the default: a table on a terminal, JSON lines in a pipe.
pub(crate) fn format(choice: Option<ListFormat>) -> ListFormat {
    choice.unwrap_or_else(|| {
        if io::stdout().is_terminal() {
            ListFormat::Table
        } else {
            ListFormat::Json
        }
    })
}

/// Locked, buffered stdout. Once the reader has gone (broken pipe), every later write is
/// swallowed and [`Stdout::closed`] says so, so that commands stop early and exit 0.
pub(crate) struct Stdout {
    inner: BufWriter<StdoutLock<'static>>,
    closed: bool,
}

impl Stdout {
    /// Locks stdout for the rest of the command.
    pub(crate) fn new() -> Self {
        Self {
            inner: BufWriter::new(io::stdout().lock()),
            closed: false,
        }
    }

    /// Whether the reader has gone: stop producing output.
    pub(crate) fn closed(&self) -> bool {
        self.closed
    }

    /// Writes `line` and a newline.
    pub(crate) fn line(&mut self, line: &str) -> Result<(), CliError> {
        self.write_all(line.as_bytes())
            .and_then(|()| self.write_all(b"\n"))
            .map_err(|e| write_error(&e))
    }

    /// Flushes, at the end of the command (a closed pipe is not an error).
    pub(crate) fn finish(&mut self) -> Result<(), CliError> {
        self.flush().map_err(|e| write_error(&e))
    }

    /// Turns a broken pipe into "closed"; passes other results through.
    fn absorb<T>(&mut self, result: io::Result<T>, nothing: T) -> io::Result<T> {
        match result {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(nothing)
            }
            other => other,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.absorb(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.absorb(result, ())
    }
}

/// A failed write to stdout (not a closed pipe: a full disk, say).
pub(crate) fn write_error(err: &io::Error) -> CliError {
    CliError::runtime(format!("cannot write the output: {err}"))
}
