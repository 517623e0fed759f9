//! Why a sandbox did not start.

use review_server::ServeError;

/// A sandbox that could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server thread or its runtime could not start.
    #[error("cannot start the sandbox: {0}")]
    Start(std::io::Error),
    /// A setting is out of range.
    #[error("invalid sandbox setting: {0}")]
    Setting(String),
    /// A size or duration is outside its documented range (see the `MAX_*` and `MIN_*`
    /// constants), refused before anything is generated.
    #[error("the sandbox option `{option}` must be within {range}, not {value}")]
    OutOfRange {
        /// The builder method, e.g. `comments`.
        option: &'static str,
        /// The accepted range, written out.
        range: String,
        /// The refused value, written out.
        value: String,
    },
    /// The server [`Limits`](review_server::Limits) are invalid.
    #[error("invalid sandbox server limits: {0}")]
    Limits(#[from] ServeError),
}
