//! Fetching the token through a shared store: look, lock, look again, refresh, write, release.

use jiff::{SignedDuration, Timestamp};
use review_model::wechat::{AccessTokenResponse, ErrCode};

use super::force::ForceLimits;
use super::key::LockOwner;
use super::op::{StoreAnswer, StoreFailure, StoreOp};
use super::record::{StoredToken, TokenRecord};
use super::{LOCK_LEASE, WAIT_POLL};
use crate::Error;
use crate::wechat::GetStableToken;
use crate::wechat::token_cache::{DEFAULT_MARGIN, Refresh};

/// How a [`SharedRefresh`] behaves: the same margin as the process's token cache, WeChat's
/// force limits and the lock's lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedConfig {
    /// How long before expiry a stored token counts as due.
    pub margin: SignedDuration,
    /// The limits on forced refreshes.
    pub limits: ForceLimits,
    /// How long the refresh lock lasts unless released.
    pub lease: SignedDuration,
    /// How long to wait between looks while another process holds the lock.
    pub poll: SignedDuration,
}

impl Default for SharedConfig {
    fn default() -> Self {
        Self {
            margin: DEFAULT_MARGIN,
            limits: ForceLimits::default(),
            lease: LOCK_LEASE,
            poll: WAIT_POLL,
        }
    }
}

impl SharedConfig {
    /// The same configuration with another margin (use the token cache's).
    pub fn with_margin(mut self, margin: SignedDuration) -> Self {
        self.margin = margin;
        self
    }

    /// The same configuration with another lease (tests of a dead holder use a short one).
    pub fn with_lease(mut self, lease: SignedDuration) -> Self {
        self.lease = lease.max(SignedDuration::from_millis(1));
        self
    }

    /// The same configuration with other force limits.
    pub fn with_limits(mut self, limits: ForceLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// What the driver does next for a [`SharedRefresh`].
#[derive(Debug)]
#[must_use]
pub enum SharedStep {
    /// Carry out this operation on the store and hand the answer to [`SharedRefresh::stored`].
    Store(StoreOp),
    /// Send this refresh and hand its parsed answer to [`SharedRefresh::answered`] (or tell
    /// [`SharedRefresh::unanswered`] that none came).
    Send(Refresh),
    /// Wait this long (another process is refreshing), then call [`SharedRefresh::woke`].
    Sleep(SignedDuration),
    /// Over.
    Done(SharedOutcome),
}

/// How a [`SharedRefresh`] ended. The lock, if it was taken, has been released.
#[derive(Debug)]
pub enum SharedOutcome {
    /// A token to install in the process's cache.
    Token {
        /// The token.
        token: StoredToken,
        /// Whether this process fetched it (rather than finding it in the store).
        fetched: bool,
    },
    /// The refresh was refused, or may not be sent (a force limit).
    Failed(Error),
    /// The refresh got no answer.
    Unanswered,
    /// The store failed.
    Store(StoreFailure),
}

#[derive(Debug)]
enum State {
    /// Waiting for the first read (or a read after a wait).
    Looking,
    /// Waiting for the lock.
    Locking,
    /// Holding the lock since `locked_at`, waiting for the read that re-checks.
    Rechecking {
        locked_at: Timestamp,
    },
    /// The refresh is out.
    Sending {
        read: Option<TokenRecord>,
        forced: bool,
        sent_at: Timestamp,
        locked_at: Timestamp,
    },
    /// Writing the new token.
    Writing {
        token: StoredToken,
    },
    /// The write lost: reading what won.
    Confirming {
        ours: StoredToken,
    },
    /// Releasing the lock before ending with this.
    Releasing(Box<SharedOutcome>),
    Done,
}

/// One process's fetch of a token through a shared store, as a state machine with no I/O.
///
/// Start it with [`start`](Self::start) when the process's token cache asks for a refresh,
/// and feed each step's result back until [`SharedStep::Done`].
#[derive(Debug)]
pub struct SharedRefresh {
    refresh: Refresh,
    config: SharedConfig,
    owner: LockOwner,
    state: State,
}

fn unexpected(answer: &StoreAnswer, state: &State) -> StoreFailure {
    StoreFailure::new(format!(
        "the token store answered {answer:?} while the refresh was {state:?}"
    ))
}

/// Not WeChat's: a token that another process saw refused while this one stored it. Busy, so
/// that the call backs off and fetches again within its retry budget.
fn refused_meanwhile() -> Error {
    Error::wechat(
        ErrCode::SystemBusy,
        Some(
            "the token fetched was refused by another process meanwhile: fetching again".to_owned(),
        ),
    )
}

impl SharedRefresh {
    /// A fetch of the token `refresh` would fetch (its kind and credentials; whether to force
    /// is decided from the record and WeChat's answer), holding the lock as `owner`.
    pub fn new(refresh: &Refresh, config: SharedConfig, owner: LockOwner) -> Self {
        Self {
            refresh: refresh.clone(),
            config,
            owner,
            state: State::Looking,
        }
    }

    /// The first step: read the record.
    pub fn start(&mut self) -> SharedStep {
        self.state = State::Looking;
        SharedStep::Store(StoreOp::Load)
    }

    /// The wait is over: look again.
    pub fn woke(&mut self) -> SharedStep {
        self.start()
    }

    /// Takes the store's answer to the operation last asked, at `now`.
    pub fn stored(
        &mut self,
        answer: Result<StoreAnswer, StoreFailure>,
        now: Timestamp,
    ) -> SharedStep {
        let state = std::mem::replace(&mut self.state, State::Done);
        if let State::Releasing(outcome) = state {
            // A release that fails is left to the lease: the outcome stands.
            return SharedStep::Done(*outcome);
        }
        let answer = match answer {
            Ok(answer) => answer,
            Err(failure) => return self.release_if_held(&state, SharedOutcome::Store(failure)),
        };
        match (state, answer) {
            (State::Looking, StoreAnswer::Record(record)) => {
                if let Some(token) = record.as_ref().and_then(|r| self.fresh(r, now)) {
                    return SharedStep::Done(SharedOutcome::Token {
                        token,
                        fetched: false,
                    });
                }
                self.state = State::Locking;
                SharedStep::Store(StoreOp::Lock {
                    owner: self.owner.clone(),
                    lease: self.config.lease,
                    now,
                })
            }
            (State::Locking, StoreAnswer::Locked(true)) => {
                self.state = State::Rechecking { locked_at: now };
                SharedStep::Store(StoreOp::Load)
            }
            (State::Locking, StoreAnswer::Locked(false)) => {
                self.state = State::Looking;
                SharedStep::Sleep(self.config.poll)
            }
            (State::Rechecking { locked_at }, StoreAnswer::Record(record)) => {
                self.recheck(record, locked_at, now)
            }
            (State::Writing { token }, StoreAnswer::Written(true)) => {
                self.release(SharedOutcome::Token {
                    token,
                    fetched: true,
                })
            }
            (State::Writing { token }, StoreAnswer::Written(false)) => {
                self.state = State::Confirming { ours: token };
                SharedStep::Store(StoreOp::Load)
            }
            (State::Confirming { ours }, StoreAnswer::Record(record)) => {
                self.confirm(record.as_ref(), ours, now)
            }
            (state, answer) => {
                let failure = unexpected(&answer, &state);
                self.release_if_held(&state, SharedOutcome::Store(failure))
            }
        }
    }

    /// Takes the parsed answer to the refresh sent, received at `now`.
    pub fn answered(
        &mut self,
        result: Result<AccessTokenResponse, Error>,
        now: Timestamp,
    ) -> SharedStep {
        let State::Sending {
            read,
            forced,
            sent_at,
            locked_at,
        } = std::mem::replace(&mut self.state, State::Done)
        else {
            return SharedStep::Done(SharedOutcome::Failed(Error::wechat(
                ErrCode::SystemBusy,
                Some("a token answer arrived for no refresh".to_owned()),
            )));
        };
        let response = match result {
            Ok(response) => response,
            Err(err) => return self.release(SharedOutcome::Failed(err)),
        };
        let refused = read
            .as_ref()
            .is_some_and(|r| r.is_refused(&response.access_token));
        if refused {
            if forced {
                return self.release(SharedOutcome::Failed(Error::wechat(
                    ErrCode::InvalidCredential,
                    Some("a forced refresh answered with the token just refused".to_owned()),
                )));
            }
            if self.lease_over(locked_at, now) {
                self.state = State::Looking;
                return SharedStep::Store(StoreOp::Load);
            }
            // WeChat's current stable token is the one refused: only a forced refresh brings
            // another, within WeChat's limits.
            return match self.forced(read.as_ref(), now) {
                Ok(refresh) => {
                    self.state = State::Sending {
                        read,
                        forced: true,
                        sent_at: now,
                        locked_at,
                    };
                    SharedStep::Send(refresh)
                }
                Err(err) => self.release(SharedOutcome::Failed(err)),
            };
        }
        let base = sent_at.min(now);
        let lifetime =
            SignedDuration::from_secs(i64::try_from(response.expires_in).unwrap_or(i64::MAX));
        let expires_at = base.checked_add(lifetime).unwrap_or(Timestamp::MAX);
        if expires_at <= now {
            return self.release(SharedOutcome::Failed(Error::wechat(
                ErrCode::AccessTokenExpired,
                Some(format!(
                    "the token endpoint answered with a token that expired before it arrived \
                     (expires_in {})",
                    response.expires_in
                )),
            )));
        }
        let token = StoredToken {
            access_token: response.access_token,
            obtained_at: base,
            expires_at,
        };
        self.write(read, token, forced.then_some(sent_at))
    }

    /// The refresh got no answer: release the lock and end with [`SharedOutcome::Unanswered`].
    pub fn unanswered(&mut self) -> SharedStep {
        self.state = State::Done;
        self.release(SharedOutcome::Unanswered)
    }

    /// Whether a lock taken at `locked_at` may have run out by `now` (a clock stepping back by
    /// a lease counts too).
    fn lease_over(&self, locked_at: Timestamp, now: Timestamp) -> bool {
        let held = now.duration_since(locked_at);
        held >= self.config.lease || held <= -self.config.lease
    }

    fn fresh(&self, record: &TokenRecord, now: Timestamp) -> Option<StoredToken> {
        record.fresh_token(now, self.config.margin).cloned()
    }

    fn recheck(
        &mut self,
        record: Option<TokenRecord>,
        locked_at: Timestamp,
        now: Timestamp,
    ) -> SharedStep {
        if let Some(token) = record.as_ref().and_then(|r| self.fresh(r, now)) {
            return self.release(SharedOutcome::Token {
                token,
                fetched: false,
            });
        }
        // A holder that stalled past its lease may no longer hold the lock: another process
        // may be refreshing. Start over rather than send a second refresh.
        if self.lease_over(locked_at, now) {
            self.state = State::Looking;
            return SharedStep::Store(StoreOp::Load);
        }
        self.state = State::Sending {
            read: record,
            forced: false,
            sent_at: now,
            locked_at,
        };
        SharedStep::Send(self.unforced())
    }

    /// Another write came first (an invalidation, or a refresh whose holder outlived its
    /// lease): ours is never written over it, since what came first may have seen a newer
    /// token. A usable stored token is used; else ours serves this process alone, unless the
    /// other write said it was refused.
    fn confirm(
        &mut self,
        record: Option<&TokenRecord>,
        ours: StoredToken,
        now: Timestamp,
    ) -> SharedStep {
        if let Some(token) = record.and_then(|r| self.fresh(r, now)) {
            return self.release(SharedOutcome::Token {
                token,
                fetched: false,
            });
        }
        let refused = record.is_some_and(|r| r.is_refused(&ours.access_token));
        if refused {
            return self.release(SharedOutcome::Failed(refused_meanwhile()));
        }
        self.release(SharedOutcome::Token {
            token: ours,
            fetched: true,
        })
    }

    /// Writes `token` over `read` (compare-and-set on its generation), counting a forced
    /// refresh sent at `forced_at`.
    fn write(
        &mut self,
        read: Option<TokenRecord>,
        token: StoredToken,
        forced_at: Option<Timestamp>,
    ) -> SharedStep {
        let expected = read.as_ref().map(|r| r.generation);
        let mut record = read.unwrap_or_default();
        record.generation = expected.map_or(1, |g| g.wrapping_add(1));
        record.token = Some(token.clone());
        if let Some(at) = forced_at {
            record.forced.note(at);
        }
        self.state = State::Writing { token };
        SharedStep::Store(StoreOp::Put { expected, record })
    }

    /// The refresh without `force_refresh`: for a stable token, WeChat's current one, which
    /// every process shares.
    fn unforced(&self) -> Refresh {
        match &self.refresh {
            Refresh::Plain(plain) => Refresh::Plain(plain.clone()),
            Refresh::Stable(stable) => Refresh::Stable(GetStableToken::new(
                stable.appid.clone(),
                stable.secret.clone(),
                false,
            )),
        }
    }

    /// A forced stable refresh, if WeChat's limits allow one at `now`.
    fn forced(&self, record: Option<&TokenRecord>, now: Timestamp) -> Result<Refresh, Error> {
        let forced = record.map(|r| r.forced).unwrap_or_default();
        forced.check(self.config.limits, now)?;
        match &self.refresh {
            Refresh::Stable(stable) => Ok(Refresh::Stable(GetStableToken::new(
                stable.appid.clone(),
                stable.secret.clone(),
                true,
            ))),
            // A plain fetch always brings a new token; it never hands back a refused one.
            Refresh::Plain(plain) => Ok(Refresh::Plain(plain.clone())),
        }
    }

    fn release(&mut self, outcome: SharedOutcome) -> SharedStep {
        self.state = State::Releasing(Box::new(outcome));
        SharedStep::Store(StoreOp::Unlock {
            owner: self.owner.clone(),
        })
    }

    fn release_if_held(&mut self, state: &State, outcome: SharedOutcome) -> SharedStep {
        match state {
            State::Looking | State::Locking | State::Done => SharedStep::Done(outcome),
            _ => self.release(outcome),
        }
    }
}
