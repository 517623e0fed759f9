//! Every size and duration of the builder has a documented range; a value outside it is
//! refused at once, naming the option and the range, before any data is generated.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use jiff::SignedDuration;
use review_sandbox::{
    Limits, MAX_COMMENTS, MAX_FAULT_RATE, MAX_FORCE_REFRESH_INTERVAL, MAX_PUSH_INTERVAL,
    MAX_PUSH_RETRY_AFTER, MAX_RATES, MAX_SLOW_RESPONSE, MAX_TOKEN_DAILY_QUOTA, MAX_TOKEN_LIFETIME,
    MIN_PUSH_INTERVAL, MIN_PUSH_RETRY_AFTER, MIN_TOKEN_LIFETIME, Sandbox, SandboxBuilder,
    SandboxError,
};

fn small() -> SandboxBuilder {
    Sandbox::builder().comments(5).rates(5)
}

/// Starts `builder`, expecting a refusal of `option`; the message.
fn refused(builder: SandboxBuilder, option: &str) -> String {
    let started = Instant::now();
    match builder.start("127.0.0.1:0") {
        Err(err @ SandboxError::OutOfRange { option: named, .. }) => {
            assert_eq!(named, option);
            assert!(
                started.elapsed() < Duration::from_millis(500),
                "refused before generating anything"
            );
            let message = err.to_string();
            assert!(message.contains(option), "{message}");
            message
        }
        other => panic!("{option}: expected OutOfRange, got {other:?}"),
    }
}

#[test]
fn an_absurd_comment_count_is_refused_instead_of_exhausting_memory() {
    let message = refused(Sandbox::builder().comments(1_000_000_000_000), "comments");
    assert_eq!(
        message,
        "the sandbox option `comments` must be within 0..=500000, not 1000000000000"
    );
}

#[test]
fn comments_above_the_maximum_are_refused() {
    refused(small().comments(MAX_COMMENTS + 1), "comments");
}

#[test]
fn rates_above_the_maximum_are_refused() {
    let message = refused(small().rates(MAX_RATES + 1), "rates");
    assert!(message.contains("0..=1000000"), "{message}");
}

#[test]
fn fault_rates_outside_zero_to_one_are_refused() {
    refused(small().faults(-0.1), "faults");
    refused(small().faults(MAX_FAULT_RATE + 0.5), "faults");
    refused(small().faults(f64::NAN), "faults");
}

#[test]
fn a_slow_response_above_the_maximum_is_refused() {
    refused(
        small().slow_response(MAX_SLOW_RESPONSE + Duration::from_millis(1)),
        "slow_response",
    );
    refused(small().slow_response(Duration::MAX), "slow_response");
}

#[test]
fn token_lifetimes_outside_the_range_are_refused() {
    refused(
        small().token_lifetime(SignedDuration::ZERO),
        "token_lifetime",
    );
    refused(
        small().token_lifetime(SignedDuration::from_secs(-60)),
        "token_lifetime",
    );
    refused(
        small().token_lifetime(MAX_TOKEN_LIFETIME + SignedDuration::from_secs(1)),
        "token_lifetime",
    );
}

#[test]
fn token_quotas_above_the_maximum_are_refused() {
    let message = refused(
        small().plain_token_daily_quota(MAX_TOKEN_DAILY_QUOTA + 1),
        "plain_token_daily_quota",
    );
    assert_eq!(
        message,
        "the sandbox option `plain_token_daily_quota` must be within 0..=1000000, not 1000001"
    );
    refused(
        small().force_refresh_daily_quota(u32::MAX),
        "force_refresh_daily_quota",
    );
}

#[test]
fn force_refresh_intervals_outside_the_range_are_refused() {
    refused(
        small().force_refresh_interval(SignedDuration::from_secs(-1)),
        "force_refresh_interval",
    );
    refused(
        small().force_refresh_interval(MAX_FORCE_REFRESH_INTERVAL + SignedDuration::from_secs(1)),
        "force_refresh_interval",
    );
}

#[test]
fn push_intervals_outside_the_range_are_refused() {
    refused(small().push_every(Duration::ZERO), "push_every");
    refused(small().push_every(Duration::MAX), "push_every");
    refused(
        small().push_every(MAX_PUSH_INTERVAL + Duration::from_secs(1)),
        "push_every",
    );
}

#[test]
fn push_retry_waits_outside_the_range_are_refused() {
    refused(small().push_retry_after(Duration::ZERO), "push_retry_after");
    refused(small().push_retry_after(Duration::MAX), "push_retry_after");
}

#[test]
fn invalid_server_limits_are_refused() {
    let limits = Limits {
        max_connections: 0,
        ..Limits::default()
    };
    match small().limits(limits).start("127.0.0.1:0") {
        Err(err @ SandboxError::Limits(_)) => {
            assert!(err.to_string().contains("max_connections"), "{err}");
        }
        other => panic!("expected Limits, got {other:?}"),
    }
    let limits = Limits {
        header_read_timeout: Duration::ZERO,
        ..Limits::default()
    };
    assert!(matches!(
        small().limits(limits).start("127.0.0.1:0"),
        Err(SandboxError::Limits(_))
    ));
}

#[test]
fn the_bounds_themselves_are_accepted() {
    let sandbox = small()
        .faults(MAX_FAULT_RATE)
        .slow_response(MAX_SLOW_RESPONSE)
        .token_lifetime(MIN_TOKEN_LIFETIME)
        .plain_token_daily_quota(0)
        .force_refresh_daily_quota(0)
        .force_refresh_interval(SignedDuration::ZERO)
        .push_retry_after(MIN_PUSH_RETRY_AFTER)
        .start("127.0.0.1:0");
    assert!(sandbox.is_ok(), "{sandbox:?}");
    let sandbox = small()
        .faults(0.0)
        .slow_response(Duration::ZERO)
        .token_lifetime(MAX_TOKEN_LIFETIME)
        .plain_token_daily_quota(MAX_TOKEN_DAILY_QUOTA)
        .force_refresh_daily_quota(MAX_TOKEN_DAILY_QUOTA)
        .force_refresh_interval(MAX_FORCE_REFRESH_INTERVAL)
        .push_every(MAX_PUSH_INTERVAL)
        .push_retry_after(MAX_PUSH_RETRY_AFTER)
        .start("127.0.0.1:0");
    assert!(sandbox.is_ok(), "{sandbox:?}");
    let sandbox = small()
        .comments(0)
        .rates(0)
        .push_every(MIN_PUSH_INTERVAL)
        .start("127.0.0.1:0");
    assert!(sandbox.is_ok(), "{sandbox:?}");
}
