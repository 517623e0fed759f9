//! The one state machine both drivers run: token, send, classify, retry.
//!
//! Every decision comes from `review-protocol` (the token cache, the retry policy, the
//! endpoint's idempotency); this machine only sequences them. The blocking and the async
//! driver each loop over [`Step`]s, sending and sleeping in their own way, so they cannot
//! decide differently.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use jiff::Timestamp;
use review_protocol::retry::{Failure, RetryDecision, RetryPolicy};
use review_protocol::token::{
    CallTokens, Completed, Next, RefreshTicket, TokenErrorAction, TokenLease,
};
use review_protocol::{BaseUrl, BuildError, Endpoint, Error};

use crate::call::Call;
use crate::error::{ClientError, ErrorKind};
use crate::tokens::TokenStore;
use crate::transport::{HttpResult, TransportError};

/// What the driver does next.
pub(crate) enum Step<O> {
    /// Send this request and feed the result back.
    Send(http::Request<Vec<u8>>),
    /// Wait this long, then ask for the next step.
    Sleep(Duration),
    /// The call is over.
    Done(Result<O, ClientError>),
}

enum Pending {
    Nothing,
    Call(Option<TokenLease>),
    Refresh(RefreshTicket),
}

/// How long a caller waits between looks while another caller refreshes the token.
const WAIT_POLL: Duration = Duration::from_millis(20);

/// One call in progress.
pub(crate) struct Machine<'a, C: Call> {
    call: C,
    tokens: Option<(&'a dyn TokenStore, &'a BaseUrl)>,
    policy: RetryPolicy,
    attempts: u32,
    refresh_failures: u32,
    started: Option<Timestamp>,
    /// What this call met with its tokens, for the token cache's retry rule.
    call_tokens: CallTokens,
    /// Attempts the token cache let go again at once, not counted against the budget.
    free_retries: u32,
    pending: Pending,
    jitter: RandomState,
}

impl<'a, C: Call> Machine<'a, C> {
    pub(crate) fn new(
        call: C,
        tokens: Option<(&'a dyn TokenStore, &'a BaseUrl)>,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            call,
            tokens,
            policy,
            attempts: 0,
            refresh_failures: 0,
            started: None,
            call_tokens: CallTokens::new(),
            free_retries: 0,
            pending: Pending::Nothing,
            jitter: RandomState::new(),
        }
    }

    /// The endpoint's name, for logs.
    pub(crate) fn name(&self) -> &'static str {
        self.call.name()
    }

    /// The number of the call's attempt in flight (token refreshes are not counted).
    pub(crate) fn attempt(&self) -> u32 {
        self.attempts
    }

    fn fail(&self, kind: ErrorKind, outcome_unknown: bool) -> Step<C::Output> {
        Step::Done(Err(ClientError::new(
            self.call.name(),
            kind,
            self.attempts,
            outcome_unknown,
        )))
    }

    /// The next step when nothing is in flight.
    pub(crate) fn next(&mut self, now: Timestamp) -> Step<C::Output> {
        self.started.get_or_insert(now);
        let lease = if self.call.needs_token() {
            let Some((store, base)) = self.tokens else {
                let missing = BuildError::new("appid", "this client has no WeChat credentials");
                return self.fail(ErrorKind::Protocol(missing.into()), false);
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
                        return self.fail(ErrorKind::Protocol(err.into()), false);
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
                self.attempts += 1;
                self.pending = Pending::Call(lease);
                Step::Send(request)
            }
            Err(err) => self.fail(ErrorKind::Protocol(err), false),
        }
    }

    /// Takes the result of the request last sent.
    pub(crate) fn feed(&mut self, result: HttpResult, now: Timestamp) -> Step<C::Output> {
        match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Nothing => self.next(now),
            Pending::Refresh(ticket) => self.refreshed(ticket, result, now),
            Pending::Call(lease) => self.answered(lease, result, now),
        }
    }

    fn refreshed(
        &mut self,
        ticket: RefreshTicket,
        result: HttpResult,
        now: Timestamp,
    ) -> Step<C::Output> {
        let Some((store, _)) = self.tokens else {
            return self.next(now);
        };
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                store.abandon(ticket);
                self.refresh_failures += 1;
                // Fetching a token is safe to repeat.
                return self.transport_failed(err, true, now);
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
                self.refresh_failures += 1;
                self.answer_failed(err, true, now)
            }
        }
    }

    fn answered(
        &mut self,
        lease: Option<TokenLease>,
        result: HttpResult,
        now: Timestamp,
    ) -> Step<C::Output> {
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                let idempotent = self.call.idempotent();
                return self.transport_failed(err, idempotent, now);
            }
        };
        let (parts, body) = response.into_parts();
        match self
            .call
            .parse(http::Response::from_parts(parts, body.as_slice()))
        {
            Ok(output) => Step::Done(Ok(output)),
            Err(err) if err.is_token_error() => {
                let (Some(lease), Some((store, _))) = (lease, self.tokens) else {
                    return self.fail(ErrorKind::Protocol(err), false);
                };
                // WeChat checks the token before it executes anything: even a write may go again.
                match store.on_token_error(&lease, &mut self.call_tokens) {
                    TokenErrorAction::Retry => {
                        self.free_retries = self.free_retries.saturating_add(1);
                        self.next(now)
                    }
                    TokenErrorAction::Backoff => self.token_refused(err, now),
                }
            }
            Err(err) => {
                let idempotent = self.call.idempotent();
                self.answer_failed(err, idempotent, now)
            }
        }
    }

    /// Failed attempts so far, refreshes included and free token retries not, for the retry
    /// budget.
    fn failures(&self) -> u32 {
        self.attempts
            .saturating_add(self.refresh_failures)
            .saturating_sub(self.free_retries)
            .max(1)
    }

    fn elapsed(&self, now: Timestamp) -> Duration {
        self.started
            .and_then(|start| Duration::try_from(now.duration_since(start)).ok())
            .unwrap_or_default()
    }

    fn jitter(&self) -> u64 {
        self.jitter
            .hash_one((self.attempts, Timestamp::now().as_nanosecond()))
    }

    fn transport_failed(
        &mut self,
        err: TransportError,
        idempotent: bool,
        now: Timestamp,
    ) -> Step<C::Output> {
        let failure = if err.not_sent() {
            Failure::NotSent
        } else {
            Failure::Ambiguous
        };
        match self.policy.decide(
            self.failures(),
            self.elapsed(now),
            failure,
            idempotent,
            self.jitter(),
        ) {
            RetryDecision::RetryAfter(wait) => Step::Sleep(wait),
            RetryDecision::GiveUp { outcome_unknown } => {
                self.fail(ErrorKind::Transport(err), outcome_unknown)
            }
        }
    }

    /// A token refused again: the call did not execute, so the policy sees a request that was
    /// not carried out, retried after its backoff while the budget lasts.
    fn token_refused(&mut self, err: Error, now: Timestamp) -> Step<C::Output> {
        match self.policy.decide(
            self.failures(),
            self.elapsed(now),
            Failure::NotSent,
            self.call.idempotent(),
            self.jitter(),
        ) {
            RetryDecision::RetryAfter(wait) => Step::Sleep(wait),
            RetryDecision::GiveUp { .. } => self.fail(ErrorKind::Protocol(err), false),
        }
    }

    fn answer_failed(&mut self, err: Error, idempotent: bool, now: Timestamp) -> Step<C::Output> {
        let decision = self.policy.decide(
            self.failures(),
            self.elapsed(now),
            Failure::Answer(&err),
            idempotent,
            self.jitter(),
        );
        match decision {
            RetryDecision::RetryAfter(wait) => Step::Sleep(wait),
            RetryDecision::GiveUp { outcome_unknown } => {
                self.fail(ErrorKind::Protocol(err), outcome_unknown)
            }
        }
    }
}
