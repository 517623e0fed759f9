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
use crate::wechat::token_share::{
    InvalidateStep, LockOwner, SharedConfig, SharedInvalidate, SharedOutcome, SharedRefresh,
    SharedStep, StoreAnswer, StoreFailure, StoreOp,
};
use crate::{BaseUrl, BuildError, Error};
use review_model::wechat::AccessTokenResponse;

/// What the driver does next.
#[derive(Debug)]
#[must_use]
pub enum Step<O, E> {
    /// Send this request and [`feed`](Machine::feed) the answer back.
    Send(http::Request<Vec<u8>>),
    /// Wait this long, then ask for the [`next`](Machine::next) step.
    Sleep(Duration),
    /// Carry out this operation on the shared token store and hand the answer to
    /// [`stored`](Machine::stored). Only a machine [`with_shared`](Machine::with_shared) asks.
    Store(StoreOp),
    /// The call is over.
    Done(Result<O, CallError<E>>),
}

/// Where a WeChat call's tokens come from, and where their refreshes are sent.
#[derive(Clone, Copy)]
struct Tokens<'a> {
    store: &'a dyn TokenStore,
    base: &'a BaseUrl,
}

/// What the machine is waiting for.
enum Pending<E> {
    Nothing,
    Call(Option<TokenLease>),
    Refresh(RefreshTicket),
    /// A fetch through the shared store: a store answer, or the end of a wait.
    Shared(SharedRefresh, RefreshTicket),
    /// The shared fetch's refresh is out.
    SharedSend(SharedRefresh, RefreshTicket),
    /// The shared fetch is releasing its lock after its refresh got no answer.
    SharedUnanswered(RefreshTicket, Unanswered<E>),
    /// A refused token is being cleared from the shared store; then the call goes on as
    /// `action` says.
    Invalidate(Invalidating),
}

struct Invalidating {
    invalidate: SharedInvalidate,
    action: TokenErrorAction,
    err: Error,
    idempotent: bool,
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
    pending: Pending<E>,
    /// The shared store's rules and this call's lock owner, when tokens are shared.
    shared: Option<(SharedConfig, LockOwner)>,
    /// Whether a throttle ends the call at once, for a caller that paces itself.
    surface_throttles: bool,
    /// Whether the last sleep waits for another caller's token refresh.
    awaits_token: bool,
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
            shared: None,
            surface_throttles: false,
            awaits_token: false,
            error: PhantomData,
        }
    }

    /// Whether the last [`Sleep`](Step::Sleep) waits for another caller of the same token
    /// store to finish refreshing the token. A driver that hears when a refresh of that store
    /// ends (see [`refreshing`](Self::refreshing)) may cut such a sleep short; one that does
    /// not simply sleeps, and looks again.
    pub fn awaits_token(&self) -> bool {
        self.awaits_token
    }

    /// Whether the request on the wire is this call's refresh of the token: once it is
    /// [fed](Self::feed), callers [waiting](Self::awaits_token) for it may look again (with a
    /// shared store, once a [`StoreOp::may_end_a_refresh`] is [stored](Self::stored)).
    pub fn refreshing(&self) -> bool {
        matches!(self.pending, Pending::Refresh(_))
    }

    /// Ends the call at the first [throttle](crate::Error::throttle) instead of retrying it:
    /// for a caller with many calls in flight that slows all of them down at once (see
    /// [`Concurrent`](crate::concurrent::Concurrent)), where a retry of each on its own would
    /// only spend the quota again.
    #[must_use]
    pub fn surface_throttles(mut self) -> Self {
        self.surface_throttles = true;
        self
    }

    /// Fetches tokens through a store shared with other processes: when the process's
    /// [`TokenStore`] asks for a refresh, the machine runs a [`SharedRefresh`] (asking the
    /// driver for [`Step::Store`] operations) instead of sending it at once, and reports token
    /// errors to the shared store too. `owner_bits` are random (the driver's randomness),
    /// naming this call's lock.
    #[must_use]
    pub fn with_shared(mut self, config: SharedConfig, owner_bits: u128) -> Self {
        self.shared = Some((config, LockOwner::from_random(owner_bits)));
        self
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
        self.awaits_token = false;
        self.budget.start(now);
        if let Pending::Shared(mut share, ticket) =
            std::mem::replace(&mut self.pending, Pending::Nothing)
        {
            let step = share.woke();
            return self.shared_step(share, ticket, step, now);
        }
        let lease = if self.call.needs_token() {
            let Some(Tokens { store, base }) = self.tokens else {
                let missing = BuildError::new("appid", "this client has no WeChat credentials");
                return self.fail(CallErrorKind::Protocol(missing.into()), false);
            };
            match store.next(now) {
                Next::Use(lease) => Some(lease),
                Next::Refresh(ticket) if self.shared.is_some() => {
                    return self.share(ticket, now);
                }
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
                    self.awaits_token = true;
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
        self.awaits_token = false;
        match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Refresh(ticket) => self.refreshed(ticket, answer, now),
            Pending::Call(lease) => self.answered(lease, answer, now),
            Pending::SharedSend(mut share, ticket) => match answer {
                Ok(response) => {
                    let (parts, body) = response.into_parts();
                    let parsed = ticket
                        .endpoint()
                        .parse(http::Response::from_parts(parts, body.as_slice()));
                    let step = share.answered(parsed, now);
                    self.shared_step(share, ticket, step, now)
                }
                Err(unanswered) => match share.unanswered() {
                    SharedStep::Store(op) => {
                        self.pending = Pending::SharedUnanswered(ticket, unanswered);
                        Step::Store(op)
                    }
                    _ => self.shared_unanswered(ticket, unanswered, now),
                },
            },
            pending => {
                // Nothing was sent (a store answer was expected, or nothing): start over.
                self.pending = pending;
                self.next(now)
            }
        }
    }

    /// Takes the shared store's answer to the [`Step::Store`] operation last asked.
    pub fn stored(
        &mut self,
        answer: Result<StoreAnswer, StoreFailure>,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        self.awaits_token = false;
        match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Shared(mut share, ticket) => {
                let step = share.stored(answer, now);
                self.shared_step(share, ticket, step, now)
            }
            Pending::SharedUnanswered(ticket, unanswered) => {
                self.shared_unanswered(ticket, unanswered, now)
            }
            Pending::Invalidate(mut inv) => match inv.invalidate.stored(answer) {
                InvalidateStep::Store(op) => {
                    self.pending = Pending::Invalidate(inv);
                    Step::Store(op)
                }
                InvalidateStep::Done(Ok(())) => self.after_token_error(inv, now),
                InvalidateStep::Done(Err(failure)) => {
                    self.fail(CallErrorKind::Store(failure), false)
                }
            },
            pending => {
                self.pending = pending;
                self.next(now)
            }
        }
    }

    /// Starts a fetch through the shared store for `ticket`.
    fn share(&mut self, ticket: RefreshTicket, now: Timestamp) -> Step<C::Output, E> {
        let Some((config, owner)) = &self.shared else {
            return self.next(now);
        };
        let mut share = SharedRefresh::new(ticket.endpoint(), *config, owner.clone());
        let step = share.start();
        self.shared_step(share, ticket, step, now)
    }

    /// Turns a step of the shared fetch into the machine's.
    fn shared_step(
        &mut self,
        share: SharedRefresh,
        ticket: RefreshTicket,
        step: SharedStep,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        match step {
            SharedStep::Store(op) => {
                self.pending = Pending::Shared(share, ticket);
                Step::Store(op)
            }
            SharedStep::Sleep(wait) => {
                // Another caller holds the refresh lock.
                self.pending = Pending::Shared(share, ticket);
                self.awaits_token = true;
                Step::Sleep(Duration::try_from(wait).unwrap_or(Duration::from_millis(1)))
            }
            SharedStep::Send(refresh) => {
                let Some(Tokens { base, .. }) = self.tokens else {
                    return self.next(now);
                };
                match refresh.request(base) {
                    Ok(request) => {
                        self.pending = Pending::SharedSend(share, ticket);
                        Step::Send(request)
                    }
                    Err(err) => {
                        let mut share = share;
                        let step = share.answered(Err(err.into()), now);
                        self.shared_step(share, ticket, step, now)
                    }
                }
            }
            SharedStep::Done(outcome) => self.shared_done(ticket, outcome, now),
        }
    }

    fn shared_done(
        &mut self,
        ticket: RefreshTicket,
        outcome: SharedOutcome,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        let Some(Tokens { store, .. }) = self.tokens else {
            return self.next(now);
        };
        match outcome {
            SharedOutcome::Token { token, .. } if token.expires_at <= now => {
                // The clock jumped past the token's life while it was being stored (a
                // suspended machine): it is of no use; fetch again.
                store.abandon(ticket);
                self.next(now)
            }
            SharedOutcome::Token { token, fetched } => {
                // The cache counts the lifetime from the earlier of the ticket's issue and now:
                // hand it the lifetime that lands on the stored expiry exactly.
                let base = ticket.issued_at().min(now);
                let left = token.expires_at.duration_since(base).as_secs().max(0);
                let response = AccessTokenResponse {
                    access_token: token.access_token,
                    expires_in: u64::try_from(left).unwrap_or(0),
                };
                match store.complete(ticket, now, Ok(response)) {
                    Ok(Completed::Installed) => {
                        if fetched {
                            self.call_tokens.refreshed();
                        }
                        self.next(now)
                    }
                    Ok(Completed::Ignored) => self.next(now),
                    Err(err) => {
                        self.budget.refresh_failed();
                        self.refused(err, true, now)
                    }
                }
            }
            SharedOutcome::Failed(err) => {
                let Err(err) = store.complete(ticket, now, Err(err)) else {
                    return self.next(now);
                };
                self.budget.refresh_failed();
                self.refused(err, true, now)
            }
            SharedOutcome::Unanswered => self.next(now),
            SharedOutcome::Store(failure) => {
                store.abandon(ticket);
                self.fail(CallErrorKind::Store(failure), false)
            }
        }
    }

    fn shared_unanswered(
        &mut self,
        ticket: RefreshTicket,
        unanswered: Unanswered<E>,
        now: Timestamp,
    ) -> Step<C::Output, E> {
        if let Some(Tokens { store, .. }) = self.tokens {
            store.abandon(ticket);
        }
        self.budget.refresh_failed();
        // Fetching a token is safe to repeat.
        self.unanswered(unanswered, true, now)
    }

    /// The call goes on after a token error, as the process's store said.
    fn after_token_error(&mut self, inv: Invalidating, now: Timestamp) -> Step<C::Output, E> {
        match inv.action {
            TokenErrorAction::Retry => {
                self.budget.free_retry();
                self.next(now)
            }
            TokenErrorAction::Backoff => self.token_refused(inv.err, inv.idempotent, now),
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
                let action = store.on_token_error(&lease, &mut self.call_tokens);
                if self.shared.is_some() {
                    let mut invalidate = SharedInvalidate::new(lease.token().clone());
                    let InvalidateStep::Store(op) = invalidate.start() else {
                        return self.fail(CallErrorKind::Protocol(err), false);
                    };
                    self.pending = Pending::Invalidate(Invalidating {
                        invalidate,
                        action,
                        err,
                        idempotent,
                    });
                    return Step::Store(op);
                }
                match action {
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
        if self.surface_throttles && err.throttle().is_some() {
            return self.fail(CallErrorKind::Protocol(err), false);
        }
        match self.budget.decide(Failure::Answer(&err), idempotent, now) {
            RetryDecision::RetryAfter(wait) => Step::Sleep(wait),
            RetryDecision::GiveUp { outcome_unknown } => {
                self.fail(CallErrorKind::Protocol(err), outcome_unknown)
            }
        }
    }
}
