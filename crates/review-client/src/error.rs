//! What a driver reports when a call fails: the protocol's [`CallError`] over this crate's
//! [`TransportError`], so that the machine's account of a failure (and its message) is written
//! once.

use std::fmt;

use review_protocol::call::{CallError, CallErrorKind};

use crate::TransportError;

/// A call that failed after the driver did what it could.
#[derive(Debug)]
pub struct ClientError(CallError<TransportError>);

/// Why the call failed: the platform refused it, its answer did not decode or a parameter was
/// refused (`Protocol`), or the transport failed (`Transport`).
pub type ErrorKind = CallErrorKind<TransportError>;

impl ClientError {
    pub(crate) fn new(
        endpoint: &'static str,
        kind: ErrorKind,
        attempts: u32,
        outcome_unknown: bool,
    ) -> Self {
        Self(CallError::new(endpoint, kind, attempts, outcome_unknown))
    }

    /// Why it failed.
    pub fn kind(&self) -> &ErrorKind {
        self.0.kind()
    }

    /// The protocol error, if the platform answered.
    pub fn protocol(&self) -> Option<&review_protocol::Error> {
        self.0.protocol()
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.0.attempts()
    }

    /// Whether a write may have executed even so: check its effect before sending it again.
    pub fn outcome_unknown(&self) -> bool {
        self.0.outcome_unknown()
    }

    /// The endpoint's name (`wechat.reply_add`).
    pub fn endpoint(&self) -> &'static str {
        self.0.endpoint()
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ClientError {}

impl From<CallError<TransportError>> for ClientError {
    fn from(err: CallError<TransportError>) -> Self {
        Self(err)
    }
}
