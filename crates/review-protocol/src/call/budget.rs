//! The retry budget of one call: what it spent, and the policy's verdict on the next failure.

use std::time::Duration;

use jiff::Timestamp;

use super::jitter::Jitter;
use crate::retry::{Failure, RetryDecision, RetryPolicy};

/// Counts a call's attempts and asks its [`RetryPolicy`] after each failure.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    policy: RetryPolicy,
    /// Attempts of the call sent so far.
    attempts: u32,
    /// Refreshes that failed: each is a failed attempt for the budget.
    refresh_failures: u32,
    /// Attempts the token cache let go again at once, not counted against the budget.
    free_retries: u32,
    started: Option<Timestamp>,
    jitter: Jitter,
}

impl Budget {
    pub(crate) fn new(policy: RetryPolicy, seed: u64) -> Self {
        Self {
            policy,
            attempts: 0,
            refresh_failures: 0,
            free_retries: 0,
            started: None,
            jitter: Jitter::new(seed),
        }
    }

    /// Notes the call's first step, from which its time budget counts.
    pub(crate) fn start(&mut self, now: Timestamp) {
        self.started.get_or_insert(now);
    }

    /// The attempts of the call sent so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    pub(crate) fn attempt_sent(&mut self) {
        self.attempts = self.attempts.saturating_add(1);
    }

    pub(crate) fn refresh_failed(&mut self) {
        self.refresh_failures = self.refresh_failures.saturating_add(1);
    }

    pub(crate) fn free_retry(&mut self) {
        self.free_retries = self.free_retries.saturating_add(1);
    }

    /// What to do after `failure` at `now`.
    pub(crate) fn decide(
        &mut self,
        failure: Failure<'_>,
        idempotent: bool,
        now: Timestamp,
    ) -> RetryDecision {
        let elapsed = self
            .started
            .and_then(|start| Duration::try_from(now.duration_since(start)).ok())
            .unwrap_or_default();
        let jitter = self.jitter.draw();
        self.policy
            .decide(self.failures(), elapsed, failure, idempotent, jitter)
    }

    /// Failed attempts so far, refreshes included and free token retries not.
    fn failures(&self) -> u32 {
        self.attempts
            .saturating_add(self.refresh_failures)
            .saturating_sub(self.free_retries)
            .max(1)
    }
}
