//! When to send a call again: the one retry policy every driver follows.
//!
//! A read may be sent again after any failure that might pass. A write may be sent again only
//! when it provably did not execute: the connection was refused before anything was sent, or
//! WeChat itself answered that it did not do it (busy, rate-limited). After an ambiguous failure
//! (a timeout, a connection reset, a 5xx from something in between) a write is not repeated:
//! the caller is told the outcome is unknown, so it can check before trying again.

use std::time::Duration;

use crate::Error;
use review_model::wechat::ErrCode;

/// How a failed attempt ended, as far as the caller's transport can tell.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Failure<'a> {
    /// The request never left: connection refused, DNS failure, TLS handshake failure.
    NotSent,
    /// The request may have reached the server: a timeout, a reset, a truncated answer.
    Ambiguous,
    /// The server answered with an error.
    Answer(&'a Error),
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then send the same call again.
    RetryAfter(Duration),
    /// Stop and report the failure.
    GiveUp {
        /// Whether the call may have executed (a write after an ambiguous failure).
        outcome_unknown: bool,
    },
}

/// Attempts, backoff and a time budget.
///
/// ```
/// use std::time::Duration;
/// use review_protocol::retry::{Failure, RetryDecision, RetryPolicy};
///
/// let policy = RetryPolicy::default();
/// // A read that timed out is tried again after a backoff.
/// assert!(matches!(policy.decide(1, Duration::ZERO, Failure::Ambiguous, true, 7), RetryDecision::RetryAfter(_)));
/// // A write that timed out is not: it may have executed.
/// assert_eq!(
///     policy.decide(1, Duration::ZERO, Failure::Ambiguous, false, 7),
///     RetryDecision::GiveUp { outcome_unknown: true }
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most attempts of one call, the first included.
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles each time.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// No retry starts after this much time since the first attempt.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Decides after attempt number `attempt` (1 for the first) failed, `elapsed` after the
    /// first started. `idempotent` is the endpoint's; `jitter` is any random number (the
    /// caller's randomness: this crate draws none).
    pub fn decide(
        &self,
        attempt: u32,
        elapsed: Duration,
        failure: Failure<'_>,
        idempotent: bool,
        jitter: u64,
    ) -> RetryDecision {
        let (may_pass, executed) = match failure {
            Failure::NotSent => (true, false),
            Failure::Ambiguous => (true, true),
            Failure::Answer(err) => match err.wechat_code() {
                // WeChat itself said it did not do it.
                Some(ErrCode::SystemBusy | ErrCode::RateLimited) => (true, false),
                Some(ErrCode::ServiceError) => (true, true),
                _ => (err.is_retryable(), matches!(err, Error::Http(_))),
            },
        };
        let unknown = executed && !idempotent;
        if !may_pass || unknown || attempt >= self.max_attempts {
            return RetryDecision::GiveUp {
                outcome_unknown: unknown,
            };
        }
        let delay = self.backoff(attempt, jitter);
        if elapsed.saturating_add(delay) > self.max_elapsed {
            return RetryDecision::GiveUp {
                outcome_unknown: false,
            };
        }
        RetryDecision::RetryAfter(delay)
    }

    /// "Equal jitter": half the exponential delay, plus a random part of the other half, so
    /// that clients failing together do not retry together.
    fn backoff(&self, attempt: u32, jitter: u64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        let half = full / 2;
        let spread = u64::try_from(half.as_micros())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        half + Duration::from_micros(jitter % spread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: i64) -> Error {
        let body = format!(r#"{{"errcode":{code},"errmsg":"x"}}"#);
        let endpoint = crate::wechat::ResetKfQuota::new("1".into());
        crate::Endpoint::parse(&endpoint, http::Response::new(body.as_bytes())).unwrap_err()
    }

    #[test]
    fn writes_retry_only_when_wechat_says_it_did_not_run() {
        let p = RetryPolicy::default();
        for code in [-1, 45011] {
            let err = answer(code);
            assert!(
                matches!(
                    p.decide(1, Duration::ZERO, Failure::Answer(&err), false, 0),
                    RetryDecision::RetryAfter(_)
                ),
                "{code}"
            );
        }
        let err = answer(-10008);
        assert_eq!(
            p.decide(1, Duration::ZERO, Failure::Answer(&err), false, 0),
            RetryDecision::GiveUp {
                outcome_unknown: true
            }
        );
        assert!(matches!(
            p.decide(1, Duration::ZERO, Failure::Answer(&err), true, 0),
            RetryDecision::RetryAfter(_)
        ));
        assert!(matches!(
            p.decide(1, Duration::ZERO, Failure::NotSent, false, 0),
            RetryDecision::RetryAfter(_)
        ));
    }

    #[test]
    fn refusals_are_final() {
        let err = answer(-10001);
        assert_eq!(
            RetryPolicy::default().decide(1, Duration::ZERO, Failure::Answer(&err), true, 0),
            RetryDecision::GiveUp {
                outcome_unknown: false
            }
        );
    }

    #[test]
    fn attempts_and_time_are_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(5, Duration::ZERO, Failure::NotSent, true, 0),
            RetryDecision::GiveUp {
                outcome_unknown: false
            }
        );
        assert_eq!(
            p.decide(1, Duration::from_secs(60), Failure::NotSent, true, 0),
            RetryDecision::GiveUp {
                outcome_unknown: false
            }
        );
    }

    #[test]
    fn backoff_grows_with_jitter_inside_bounds() {
        let p = RetryPolicy::default();
        for attempt in 1..5 {
            for jitter in [0, 1, 12345, u64::MAX] {
                let RetryDecision::RetryAfter(d) =
                    p.decide(attempt, Duration::ZERO, Failure::NotSent, true, jitter)
                else {
                    panic!("attempt {attempt}");
                };
                let full = Duration::from_millis(100 * (1 << (attempt - 1)));
                assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
            }
        }
    }
}
