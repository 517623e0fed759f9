//! What a driver reports when a call fails.

use std::fmt;

use review_protocol::call::{CallError, CallErrorKind};

use crate::TransportError;

/// A call that failed after the driver did what it could.
#[derive(Debug, thiserror::Error)]
pub struct ClientError {
    endpoint: &'static str,
    kind: ErrorKind,
    attempts: u32,
    outcome_unknown: bool,
}

/// Why the call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The platform refused it, its answer did not decode, or a parameter was refused.
    Protocol(review_protocol::Error),
    /// The transport failed.
    Transport(TransportError),
}

impl ClientError {
    pub(crate) fn new(
        endpoint: &'static str,
        kind: ErrorKind,
        attempts: u32,
        outcome_unknown: bool,
    ) -> Self {
        Self {
            endpoint,
            kind,
            attempts,
            outcome_unknown,
        }
    }

    /// Why it failed.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The protocol error, if the platform answered.
    pub fn protocol(&self) -> Option<&review_protocol::Error> {
        match &self.kind {
            ErrorKind::Protocol(err) => Some(err),
            ErrorKind::Transport(_) => None,
        }
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether a write may have executed even so: check its effect before sending it again.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }

    /// The endpoint's name (`wechat.reply_add`).
    pub fn endpoint(&self) -> &'static str {
        self.endpoint
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Protocol(err) => write!(f, "{}: {err}", self.endpoint)?,
            ErrorKind::Transport(err) => write!(f, "{}: {err}", self.endpoint)?,
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
            // Said so that a persistent refusal is not mistaken for a stale cached token.
            if self
                .protocol()
                .is_some_and(review_protocol::Error::is_token_error)
            {
                f.write_str("; a fresh access token was refused as well")?;
            }
        }
        if self.outcome_unknown {
            f.write_str("; the write may have executed: check before sending it again")?;
        }
        Ok(())
    }
}

impl From<CallError<TransportError>> for ClientError {
    fn from(err: CallError<TransportError>) -> Self {
        let (endpoint, attempts, outcome_unknown) =
            (err.endpoint(), err.attempts(), err.outcome_unknown());
        let kind = match err.into_kind() {
            CallErrorKind::Protocol(err) => ErrorKind::Protocol(err),
            CallErrorKind::Transport(err) => ErrorKind::Transport(err),
        };
        Self::new(endpoint, kind, attempts, outcome_unknown)
    }
}
