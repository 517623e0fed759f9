//! Clearing a refused token from a shared store, only if it is still the stored one.

use review_model::AccessToken;

use super::op::{StoreAnswer, StoreFailure, StoreOp};

/// How many lost compare-and-sets an invalidation retries before giving up quietly: each loss
/// means another process wrote meanwhile, most likely a new token.
const MAX_TRIES: u32 = 3;

/// What the driver does next for a [`SharedInvalidate`].
#[derive(Debug)]
#[must_use]
pub enum InvalidateStep {
    /// Carry out this operation and hand the answer to [`SharedInvalidate::stored`].
    Store(StoreOp),
    /// Over: `Ok` whether or not anything had to change.
    Done(Result<(), StoreFailure>),
}

/// Reports that WeChat refused `token`: the stored record forgets it, but only if it still
/// holds that very token, and remembers it as refused (a stable refresh that gets it back
/// forces a new one). A record that moved on (another process already refreshed) keeps its
/// token, so two processes refused on the same token cause one refresh, not two.
#[derive(Debug)]
pub struct SharedInvalidate {
    token: AccessToken,
    tries: u32,
    writing: bool,
}

impl SharedInvalidate {
    /// The invalidation of `token`.
    pub fn new(token: AccessToken) -> Self {
        Self {
            token,
            tries: 0,
            writing: false,
        }
    }

    /// The first step: read the record.
    pub fn start(&mut self) -> InvalidateStep {
        self.writing = false;
        InvalidateStep::Store(StoreOp::Load)
    }

    /// Takes the store's answer to the operation last asked.
    pub fn stored(&mut self, answer: Result<StoreAnswer, StoreFailure>) -> InvalidateStep {
        match answer {
            Err(failure) => InvalidateStep::Done(Err(failure)),
            Ok(StoreAnswer::Record(Some(mut record))) if !self.writing => {
                let holds = record
                    .token
                    .as_ref()
                    .is_some_and(|t| t.access_token == self.token);
                let known = record.is_refused(&self.token);
                if !holds && known {
                    return InvalidateStep::Done(Ok(()));
                }
                let expected = Some(record.generation);
                record.generation = record.generation.wrapping_add(1);
                if holds {
                    record.token = None;
                }
                // Remembered even when the record moved on: a refresh that gets this token
                // back from WeChat must know it is dead.
                record.refuse(self.token.clone());
                self.writing = true;
                InvalidateStep::Store(StoreOp::Put { expected, record })
            }
            Ok(StoreAnswer::Written(false)) if self.writing && self.tries + 1 < MAX_TRIES => {
                self.tries += 1;
                self.start()
            }
            Ok(StoreAnswer::Record(_) | StoreAnswer::Written(_)) => InvalidateStep::Done(Ok(())),
            Ok(other) => InvalidateStep::Done(Err(StoreFailure::new(format!(
                "the token store answered {other:?} to an invalidation"
            )))),
        }
    }
}
