//! How the binary fails: one line on stderr and an exit code (a contract).

use std::fmt;

use review_client::{ClientError, ErrorKind, TransportErrorKind};

/// Exit 2: the command line or its input was wrong.
pub(crate) const USAGE: u8 = 2;
/// Exit 1: the command was right but failed at run time (the API said no, the network failed).
pub(crate) const RUNTIME: u8 = 1;
/// Exit 130: interrupted (Ctrl-C).
pub(crate) const INTERRUPTED: u8 = 130;

/// A failure to report.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl CliError {
    /// Bad usage or bad input (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }

    /// A run-time failure (exit 1).
    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Self {
            code: RUNTIME,
            message: message.into(),
        }
    }

    /// A client failure, naming the host when it could not be reached.
    pub(crate) fn client(err: &ClientError, host: &str) -> Self {
        let message = match err.kind() {
            ErrorKind::Transport(t) if t.kind() == TransportErrorKind::Connect => {
                format!("cannot reach {host}: {t}; check the base URL and the network")
            }
            ErrorKind::Transport(t) => format!("{host} did not answer: {t}"),
            ErrorKind::Protocol(review_protocol::Error::Build(build)) => {
                return Self::usage(build.to_string());
            }
            ErrorKind::Store(_) => format!(
                "{err}; check that the token store (--token-store, REVIEWS_TOKEN_STORE) is reachable"
            ),
            _ => err.to_string(),
        };
        Self::runtime(message)
    }
}

/// The longest message printed: a safety net for input echoed by a message that does not cut
/// it itself (an id of a megabyte, say).
const LONGEST: usize = 1_000;

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, whatever the source said, and not a screenful.
        let line = self.message.replace(['\n', '\r'], " ");
        match line.char_indices().nth(LONGEST) {
            Some((cut, _)) => write!(f, "{}… (message cut)", &line[..cut]),
            None => f.write_str(&line),
        }
    }
}

/// `Result` with a [`CliError`].
pub(crate) type CliResult<T = ()> = Result<T, CliError>;
