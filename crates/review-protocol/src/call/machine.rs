//! The machine itself: token, send, classify, retry, one [`Step`] at a time.

use std::marker::PhantomData;
use std::time::Duration;

use jiff::Timestamp;

use super::budget::Budget;
use super::{Answer, Call, CallError, CallErrorKind, Delivery, TokenStore, Unanswered};
use crate::retry::{Failure, RetryDecision, RetryPolicy};
use crate::wechat::token_cache::{
    CallTokens, Completed, Next, RefreshTicket, TokenErrorAction, TokenLease,
};
use crate::{BaseUrl, BuildError, Error};

/// What the driver does next.
#[derive(Debug)]
#[must_use]
pub enum Step<O, E> {
    /// Send this request and [`feed`](Machine::feed) the answer back.
    Send(http::Request<Vec<u8>>),
    /// Wait this long, then ask for the [`next`](Machine::next) step.
    Sleep(Duration),
    /// The call is over.
    Done(Result<O, CallError<E>>),
}

/// Where a WeChat call's tokens come from, and where their refreshes are sent.
#[derive(Clone, Copy)]
struct Tokens<'a> {
    store: &'a dyn TokenStore,
    base: &'a BaseUrl,
}

/// What the request last sent was.
enum Pending {
    Nothing,
    Call(Option<TokenLease>),
    Refresh(RefreshTicket),
}

/// How long a caller waits between looks while another caller refreshes the token.
const WAIT_POLL: Duration = Duration::from_millis(20);

/// One call in progress, from its first request to its result.
///
/// `E` is the driver's transport error, handed back in [`CallError`] when the call gives up on
/// it. The machine reads no clock and draws no random numbers: every step takes `now`, and the
/// backoff's jitter comes from the `seed` given to [`new`](Self::new).
pub struct Machine<'a, C, E> {
    call: C,
    tokens: Option<Tokens<'a>>,
    budget: Budget,
    /// What this call met with its tokens, for the token cache's retry rule.
    call_tokens: CallTokens,
    pending: Pending,
    error: PhantomData<fn() -> E>,
}

impl<'a, C: Call, E> Machine<'a, C, E> {
    /// A machine for `call`, retrying as `policy` allows, its jitter drawn from `seed`.
    ///
    /// Give every call its own random seed (any `u64`: the driver's randomness, this crate has
    /// none), so that clients failing together do not retry together; a fixed seed gives a
    /// reproducible sequence of sleeps.
    pub fn new(call: C, policy: RetryPolicy, seed: u64) -> Self {
        Self {
            call,
            tokens: None,
            budget: Budget::new(policy, seed),
            call_tokens: CallTokens::new(),
            pending: Pending::Nothing,
            error: PhantomData,
        }
    }

    /// Takes tokens from `store`, refreshing them at `base`. A call that
    /// [needs a token](Call::needs_token) fails without one.
    #[must_use]
    pub fn with_tokens(mut self, store: &'a dyn TokenStore, base: &'a BaseUrl) -> Self {
        self.tokens = Some(Tokens { store, base });
        self
    }

    /// The endpoint's name, for logs.
    pub fn name(&self) -> &'static str {
        self.call.name()
    }

    /// The number of the call's attempt in flight, from 1 (token refreshes are not counted).
    pub fn attempt(&self) -> u32 {
        self.budget.attempts()
    }

    fn fail(&self, kind: CallErrorKind<E>, outcome_unknown: bool) -> Step<C::Output, E> {
        Step::Done(Err(CallError::new(
            self.call.name(),
            kind,
            self.budget.attempts(),
            outcome_unknown,
        )))
    }

    /// The next step when nothing is in flight: first of all, and after each
    /// [`Sleep`](Step::Sleep).
    pub fn next(&mut self, now: Timestamp) -> Step<C::Output, E> {
        self.budget.start(now);
        let lease = if self.call.needs_token() {
            let Some(Tokens { store, base }) = self.tokens else {
                let missing = BuildError::new("appid", "this client has no WeChat credentials");
                return self.fail(CallErrorKind::Protocol(missing.into()), false);
            };
            match store.next(now) {
                Next::Use(lease) => Some(lease),
                Next::Refresh(ticket) => match ticket.endpoint().request(base) {
                    Ok(request) => {
                        self.pending = Pending::Refresh(ticket);
                        return Step::Send(request);
                    }
                    Err(err) => {
                        store.abandon(ticket);
                        return self.fail(CallErrorKind::Protocol(err.into()), false);
                    }
                },
                Next::Wait { retry_at } => {
                    let until =
                        Duration::try_from(retry_at.duration_since(now)).unwrap_or_default();
                    return Step::Sleep(until.clamp(Duration::from_millis(1), WAIT_POLL));
                }
            }
        } else {
            None
        };
        match self.call.build(lease.as_ref(), now) {
            Ok(request) => {
                self.budget.attempt_sent();
                self.pending = Pending::Call(lease);
                Step::Send(request)
            }
            Err(err) => self.fail(CallErrorKind::Protocol(err), false),
        }
    }

    /// Takes the answer to the request last [sent](Step::Send), received at `now`.
    pub fn feed(&mut self, answer: Answer<E>, now: Timestamp) -> Step<C::Output, E> {
        match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Nothing => self.next(now),
            Pending::Refresh(ticket) => self.refreshed(ticket, answer, now),
            Pending::Call(lease) => self.answered(lease, answer, now),
        }
    }

    fn refreshed(
        &mut self,
        ticket: RefreshTicket,
        answer: Answer<E>,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        let Some(Tokens { store, .. }) = self.tokens else {
            return self.next(now);
        };
        let response = match answer {
            Ok(response) => response,
            Err(unanswered) => {
                store.abandon(ticket);
                self.budget.refresh_failed();
                // Fetching a token is safe to repeat.
                return self.unanswered(unanswered, true, now);
            }
        };
        let (parts, body) = response.into_parts();
        let parsed = ticket
            .endpoint()
            .parse(http::Response::from_parts(parts, body.as_slice()));
        match store.complete(ticket, now, parsed) {
            Ok(Completed::Installed) => {
                self.call_tokens.refreshed();
                self.next(now)
            }
            Ok(Completed::Ignored) => self.next(now),
            Err(err) => {
                self.budget.refresh_failed();
                self.refused(err, true, now)
            }
        }
    }

    fn answered(
        &mut self,
        lease: Option<TokenLease>,
        answer: Answer<E>,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        let idempotent = self.call.idempotent();
        let response = match answer {
            Ok(response) => response,
            Err(unanswered) => return self.unanswered(unanswered, idempotent, now),
        };
        let (parts, body) = response.into_parts();
        match self
            .call
            .parse(http::Response::from_parts(parts, body.as_slice()))
        {
            Ok(output) => Step::Done(Ok(output)),
            Err(err) if err.is_token_error() => {
                let (Some(lease), Some(Tokens { store, .. })) = (lease, self.tokens) else {
                    return self.fail(CallErrorKind::Protocol(err), false);
                };
                // WeChat checks the token before it executes anything: even a write may go again.
                match store.on_token_error(&lease, &mut self.call_tokens) {
                    TokenErrorAction::Retry => {
                        self.budget.free_retry();
                        self.next(now)
                    }
                    TokenErrorAction::Backoff => self.token_refused(err, idempotent, now),
                }
            }
            Err(err) => self.refused(err, idempotent, now),
        }
    }

    /// No answer: retried as far as it got allows.
    fn unanswered(
        &mut self,
        unanswered: Unanswered<E>,
        idempotent: bool,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        let failure = match unanswered.delivery() {
            Delivery::NotSent => Failure::NotSent,
            Delivery::Ambiguous => Failure::Ambiguous,
        };
        match self.budget.decide(failure, idempotent, now) {
            RetryDecision::RetryAfter(wait) => Step::Sleep(wait),
            RetryDecision::GiveUp { outcome_unknown } => self.fail(
                CallErrorKind::Transport(unanswered.into_error()),
                outcome_unknown,
            ),
        }
    }

    /// A token refused again: the call did not execute, so the policy sees a request that was
    /// not carried out, retried after its backoff while the budget lasts.
    fn token_refused(
        &mut self,
        err: Error,
        idempotent: bool,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        match self.budget.decide(Failure::NotSent, idempotent, now) {
            RetryDecision::RetryAfter(wait) => Step::Sleep(wait),
            RetryDecision::GiveUp { .. } => self.fail(CallErrorKind::Protocol(err), false),
        }
    }

    /// An error answer: retried if the policy says it may pass.
    fn refused(&mut self, err: Error, idempotent: bool, now: Timestamp) -> Step<C::Output, E> {
        match self.budget.decide(Failure::Answer(&err), idempotent, now) {
            RetryDecision::RetryAfter(wait) => Step::Sleep(wait),
            RetryDecision::GiveUp { outcome_unknown } => {
                self.fail(CallErrorKind::Protocol(err), outcome_unknown)
            }
        }
    }
}
