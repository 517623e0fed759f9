//! How a call ends when it fails: the last failure, the attempts spent, and whether a write may
//! have executed.

use std::fmt;

use crate::Error;
use crate::wechat::token_share::StoreFailure;

/// A call that failed after the machine tried what the retry policy allowed.
///
/// `E` is the driver's transport error, carried through untouched.
#[derive(Debug)]
pub struct CallError<E> {
    endpoint: &'static str,
    kind: CallErrorKind<E>,
    attempts: u32,
    outcome_unknown: bool,
}

/// The failure the call gave up on.
#[derive(Debug)]
#[non_exhaustive]
pub enum CallErrorKind<E> {
    /// The platform refused it, its answer did not decode, or a parameter was refused.
    Protocol(Error),
    /// The driver's transport failed.
    Transport(E),
    /// The shared token store failed (unreachable, unwritable). The call was not sent: a
    /// token of this process's own would undo what sharing the store is for.
    Store(StoreFailure),
}

impl<E> CallError<E> {
    /// A failed call: what failed, after how many attempts, and whether a write may have
    /// executed. The machine makes these; a driver makes one for a call it could not even
    /// start (no credentials for the platform).
    pub fn new(
        endpoint: &'static str,
        kind: CallErrorKind<E>,
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

    /// The endpoint's name (`wechat.reply_add`).
    pub fn endpoint(&self) -> &'static str {
        self.endpoint
    }

    /// The failure given up on.
    pub fn kind(&self) -> &CallErrorKind<E> {
        &self.kind
    }

    /// The failure given up on, by value.
    pub fn into_kind(self) -> CallErrorKind<E> {
        self.kind
    }

    /// How many attempts of the call were sent (token refreshes not counted).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Whether a write may have executed even so: check its effect before sending it again.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }

    /// The protocol error, if the platform answered.
    pub fn protocol(&self) -> Option<&Error> {
        match &self.kind {
            CallErrorKind::Protocol(err) => Some(err),
            CallErrorKind::Transport(_) | CallErrorKind::Store(_) => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CallErrorKind::Protocol(err) => write!(f, "{}: {err}", self.endpoint)?,
            CallErrorKind::Transport(err) => write!(f, "{}: {err}", self.endpoint)?,
            CallErrorKind::Store(err) => {
                write!(f, "{}: the token store failed: {err}", self.endpoint)?;
            }
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
            // Said so that a persistent refusal is not mistaken for a stale cached token.
            if self.protocol().is_some_and(Error::is_token_error) {
                f.write_str("; a fresh access token was refused as well")?;
            }
        }
        if self.outcome_unknown {
            f.write_str("; the write may have executed: check before sending it again")?;
        }
        Ok(())
    }
}

impl<E: std::error::Error + 'static> std::error::Error for CallError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            CallErrorKind::Protocol(err) => Some(err),
            CallErrorKind::Transport(err) => Some(err),
            CallErrorKind::Store(err) => Some(err),
        }
    }
}
