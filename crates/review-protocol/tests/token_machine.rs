//! The access-token state machine: scenarios one rule at a time, then arbitrary interleavings of
//! several callers checked against its invariants.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use review_model::wechat::AccessTokenResponse;
use review_model::{AccessToken, AppId, Secret};
use review_protocol::retry::{Failure, RetryDecision, RetryPolicy};
use review_protocol::wechat::token_cache::{
    CallTokens, Completed, MIN_REFRESH_TIMEOUT, Next, Refresh, RefreshKind, RefreshTicket,
    TokenCache, TokenConfig, TokenErrorAction, TokenLease,
};
use review_protocol::{BaseUrl, Endpoint, Error};

const SECRET: &str = "s3cr3t-app-secret";

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).unwrap()
}

fn cache(kind: RefreshKind) -> TokenCache {
    TokenCache::new(
        AppId::new("wx1234"),
        Secret::new(SECRET),
        TokenConfig::new(kind),
    )
}

fn ok(token: &str, expires_in: u64) -> Result<AccessTokenResponse, Error> {
    Ok(AccessTokenResponse {
        access_token: AccessToken::new(token),
        expires_in,
    })
}

/// An error as a refresh would report it: WeChat said "system busy".
fn busy() -> Result<AccessTokenResponse, Error> {
    let endpoint =
        review_protocol::wechat::GetToken::new(AppId::new("wx1234"), Secret::new(SECRET));
    let result = endpoint.parse(http::Response::new(
        &br#"{"errcode":-1,"errmsg":"system busy"}"#[..],
    ));
    assert!(result.is_err());
    result
}

#[track_caller]
fn lease(next: Next) -> TokenLease {
    match next {
        Next::Use(lease) => lease,
        other => panic!("expected a lease, got {other:?}"),
    }
}

#[track_caller]
fn ticket(next: Next) -> RefreshTicket {
    match next {
        Next::Refresh(ticket) => ticket,
        other => panic!("expected a refresh, got {other:?}"),
    }
}

#[track_caller]
fn wait(next: Next) -> Timestamp {
    match next {
        Next::Wait { retry_at } => retry_at,
        other => panic!("expected a wait, got {other:?}"),
    }
}

/// A cache holding `tok1` (generation 1), fetched at `t(0)` for 7200 s.
fn warm(kind: RefreshKind) -> TokenCache {
    let mut cache = cache(kind);
    let first = ticket(cache.next(t(0)));
    assert_eq!(
        cache.complete(first, t(1), ok("tok1", 7200)).unwrap(),
        Completed::Installed
    );
    cache
}

#[test]
fn first_call_refreshes() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    assert_eq!(first.issued_at(), t(0));
    let request = first.endpoint().request(&BaseUrl::wechat()).unwrap();
    assert_eq!(request.uri().path(), "/cgi-bin/token");
    assert!(matches!(first.endpoint(), Refresh::Plain(_)));
    assert!(first.endpoint().idempotent());
}

#[test]
fn second_caller_waits_while_first_refresh_is_out() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    assert_eq!(wait(cache.next(t(5))), t(30));
    assert_eq!(
        cache.complete(first, t(6), ok("tok1", 7200)).unwrap(),
        Completed::Installed
    );
    assert_eq!(lease(cache.next(t(6))).token().expose_secret(), "tok1");
}

#[test]
fn valid_token_is_reused() {
    let mut cache = warm(RefreshKind::Plain);
    let a = lease(cache.next(t(10)));
    let b = lease(cache.next(t(3000)));
    assert_eq!(a, b);
    assert_eq!(a.generation(), 1);
    // Counted from the `now` the refresh was issued at, not the one it completed at.
    assert_eq!(a.expires_at(), t(7200));
}

#[test]
fn refresh_happens_margin_before_expiry_while_others_keep_the_old_token() {
    let mut cache = warm(RefreshKind::Plain);
    lease(cache.next(t(6899)));
    let refresh = ticket(cache.next(t(6900)));
    let old = lease(cache.next(t(6901)));
    assert_eq!(old.token().expose_secret(), "tok1");
    assert_eq!(
        cache.complete(refresh, t(6902), ok("tok2", 7200)).unwrap(),
        Completed::Installed
    );
    let new = lease(cache.next(t(6903)));
    assert_eq!(new.token().expose_secret(), "tok2");
    assert_eq!(new.generation(), 2);
    assert_eq!(new.expires_at(), t(6900 + 7200));
}

#[test]
fn custom_margin_is_honoured() {
    let config = TokenConfig::new(RefreshKind::Plain).with_margin(SignedDuration::from_secs(60));
    let mut cache = TokenCache::new(AppId::new("wx1"), Secret::new(SECRET), config);
    let first = ticket(cache.next(t(0)));
    let _ = cache.complete(first, t(0), ok("tok1", 7200)).unwrap();
    lease(cache.next(t(7139)));
    let _ = ticket(cache.next(t(7140)));
}

#[test]
fn margin_is_at_most_half_a_short_lifetime() {
    let mut cache = cache(RefreshKind::Stable);
    let first = ticket(cache.next(t(0)));
    // A stable token near its end: 120 s left, less than the 300 s margin.
    let _ = cache.complete(first, t(0), ok("tok1", 120)).unwrap();
    lease(cache.next(t(59)));
    let again = ticket(cache.next(t(60)));
    assert!(!again.endpoint().force_refresh());
}

#[test]
fn expired_token_is_never_handed_out() {
    let mut cache = warm(RefreshKind::Plain);
    let refresh = ticket(cache.next(t(7190)));
    assert_eq!(lease(cache.next(t(7199))).expires_at(), t(7200));
    // The refresh is still out but the old token has expired: wait, do not use it.
    assert_eq!(wait(cache.next(t(7200))), t(7220));
    // Once seen expired it is gone, even if the clock steps back.
    assert_eq!(wait(cache.next(t(7199))), t(7220));
    drop(refresh);
}

#[test]
fn timeout_lets_a_second_refresh_out() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    assert_eq!(wait(cache.next(t(29))), t(30));
    let second = ticket(cache.next(t(30)));
    assert_ne!(first.id(), second.id());
    assert_eq!(wait(cache.next(t(31))), t(60));
}

#[test]
fn clock_stepping_back_past_the_timeout_lets_a_refresh_out() {
    let mut cache = cache(RefreshKind::Plain);
    let _first = ticket(cache.next(t(1000)));
    assert_eq!(wait(cache.next(t(990))), t(1030));
    let _ = ticket(cache.next(t(970)));
}

#[test]
fn configured_refresh_timeout_is_honoured() {
    let config =
        TokenConfig::new(RefreshKind::Plain).with_refresh_timeout(SignedDuration::from_secs(5));
    let mut cache = TokenCache::new(AppId::new("wx1"), Secret::new(SECRET), config);
    let _first = ticket(cache.next(t(0)));
    assert_eq!(wait(cache.next(t(4))), t(5));
    let _ = ticket(cache.next(t(5)));
}

#[test]
fn stale_completion_is_installed_when_nothing_newer_arrived() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    let second = ticket(cache.next(t(30)));
    assert_eq!(
        cache.complete(first, t(40), ok("tok1", 7200)).unwrap(),
        Completed::Installed
    );
    let l1 = lease(cache.next(t(41)));
    assert_eq!(l1.token().expose_secret(), "tok1");
    assert_eq!(l1.expires_at(), t(7200));
    // The outstanding refresh still counts and installs the newer token.
    assert_eq!(
        cache.complete(second, t(42), ok("tok2", 7200)).unwrap(),
        Completed::Installed
    );
    let l2 = lease(cache.next(t(43)));
    assert_eq!(l2.token().expose_secret(), "tok2");
    assert_eq!(l2.generation(), 2);
}

#[test]
fn stale_completion_is_ignored_when_a_newer_token_arrived() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    let second = ticket(cache.next(t(30)));
    assert_eq!(
        cache.complete(second, t(31), ok("tok2", 7200)).unwrap(),
        Completed::Installed
    );
    assert_eq!(
        cache.complete(first, t(32), ok("tok1", 7200)).unwrap(),
        Completed::Ignored
    );
    let current = lease(cache.next(t(33)));
    assert_eq!(current.token().expose_secret(), "tok2");
    assert_eq!(current.generation(), 1);
}

#[test]
fn stale_failure_is_handed_back_and_leaves_the_outstanding_refresh_alone() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    let _second = ticket(cache.next(t(30)));
    assert!(cache.complete(first, t(31), busy()).is_err());
    assert_eq!(wait(cache.next(t(32))), t(60));
}

#[test]
fn failed_refresh_lets_the_next_poll_refresh_again() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    let err = cache.complete(first, t(1), busy()).unwrap_err();
    assert!(err.is_retryable());
    let _ = ticket(cache.next(t(2)));
}

#[test]
fn failed_refresh_keeps_the_old_token() {
    let mut cache = warm(RefreshKind::Plain);
    let refresh = ticket(cache.next(t(6900)));
    assert!(cache.complete(refresh, t(6901), busy()).is_err());
    // Still inside the margin: the next poll refreshes again, and the token stays usable.
    let again = ticket(cache.next(t(6902)));
    assert_eq!(lease(cache.next(t(6903))).token().expose_secret(), "tok1");
    drop(again);
}

#[test]
fn abandoned_ticket_lets_the_next_caller_refresh_at_once() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    cache.abandon(first);
    let _ = ticket(cache.next(t(1)));
}

#[test]
fn token_error_on_the_current_lease_invalidates_and_retries() {
    let mut cache = warm(RefreshKind::Plain);
    let current = lease(cache.next(t(10)));
    assert_eq!(
        cache.on_token_error(&current, &mut CallTokens::new()),
        TokenErrorAction::Retry
    );
    let refresh = ticket(cache.next(t(11)));
    assert_eq!(
        cache.complete(refresh, t(12), ok("tok2", 7200)).unwrap(),
        Completed::Installed
    );
    let fresh = lease(cache.next(t(13)));
    assert_eq!(fresh.token().expose_secret(), "tok2");
    assert_eq!(fresh.generation(), 2);
}

#[test]
fn token_error_on_an_old_lease_keeps_the_current_token_but_retries() {
    let mut cache = warm(RefreshKind::Plain);
    let old = lease(cache.next(t(10)));
    let refresh = ticket(cache.next(t(6900)));
    let _ = cache.complete(refresh, t(6901), ok("tok2", 7200)).unwrap();
    assert_eq!(
        cache.on_token_error(&old, &mut CallTokens::new()),
        TokenErrorAction::Retry
    );
    let current = lease(cache.next(t(6902)));
    assert_eq!(current.token().expose_secret(), "tok2");
    assert_eq!(current.generation(), 2);
}

#[test]
fn second_token_error_in_the_same_call_backs_off() {
    let mut cache = warm(RefreshKind::Plain);
    let mut call = CallTokens::new();
    let first = lease(cache.next(t(10)));
    assert_eq!(
        cache.on_token_error(&first, &mut call),
        TokenErrorAction::Retry
    );
    let refresh = ticket(cache.next(t(11)));
    let _ = cache.complete(refresh, t(12), ok("tok2", 7200)).unwrap();
    call.refreshed();
    let second = lease(cache.next(t(13)));
    assert_eq!(
        cache.on_token_error(&second, &mut call),
        TokenErrorAction::Backoff
    );
    // The failed token is still invalidated, and the call goes on with a new one.
    let refresh = ticket(cache.next(t(14)));
    let _ = cache.complete(refresh, t(15), ok("tok3", 7200)).unwrap();
    let third = lease(cache.next(t(16)));
    assert_eq!(third.token().expose_secret(), "tok3");
    assert_eq!(
        cache.on_token_error(&third, &mut call),
        TokenErrorAction::Backoff
    );
    assert_eq!(call.token_errors(), 3);
}

#[test]
fn a_token_fetched_for_the_call_backs_off_at_its_first_refusal() {
    let mut cache = cache(RefreshKind::Plain);
    let mut call = CallTokens::new();
    let first = ticket(cache.next(t(0)));
    assert_eq!(
        cache.complete(first, t(1), ok("tok1", 7200)).unwrap(),
        Completed::Installed
    );
    call.refreshed();
    let fresh = lease(cache.next(t(2)));
    assert_eq!(
        cache.on_token_error(&fresh, &mut call),
        TokenErrorAction::Backoff
    );
    let _ = ticket(cache.next(t(3)));
}

#[test]
fn a_second_refusal_backs_off_on_a_token_another_caller_fetched() {
    let mut cache = warm(RefreshKind::Plain);
    let mut mine = CallTokens::new();
    let old = lease(cache.next(t(10)));
    assert_eq!(
        cache.on_token_error(&old, &mut mine),
        TokenErrorAction::Retry
    );
    // Another caller refreshes; this call only uses the result.
    let theirs = ticket(cache.next(t(11)));
    assert_eq!(wait(cache.next(t(11))), t(41));
    let _ = cache.complete(theirs, t(12), ok("tok2", 7200)).unwrap();
    let new = lease(cache.next(t(13)));
    assert_eq!(
        cache.on_token_error(&new, &mut mine),
        TokenErrorAction::Backoff
    );
    // Another call's first refusal of an old token stays routine.
    let mut other = CallTokens::new();
    assert_eq!(
        cache.on_token_error(&old, &mut other),
        TokenErrorAction::Retry
    );
}

#[test]
fn repeated_refusals_force_one_stable_refresh_each_and_expiry_never_does() {
    let mut cache = warm(RefreshKind::Stable);
    let mut call = CallTokens::new();
    for (n, at) in [(2, 100), (3, 200), (4, 300)] {
        let current = lease(cache.next(t(at)));
        let _ = cache.on_token_error(&current, &mut call);
        let forced = ticket(cache.next(t(at + 1)));
        assert!(forced.endpoint().force_refresh(), "refusal {n}");
        // One refresh at a time, even while refusals repeat.
        assert_eq!(wait(cache.next(t(at + 1))), t(at + 31));
        let token = format!("tok{n}");
        let _ = cache.complete(forced, t(at + 2), ok(&token, 7200)).unwrap();
        call.refreshed();
    }
    let expiry = ticket(cache.next(t(301 + 6900)));
    assert!(!expiry.endpoint().force_refresh());
}

#[test]
fn stable_mode_forces_a_refresh_only_after_an_invalidation() {
    let mut cache = warm(RefreshKind::Stable);
    // Due to expiry: not forced.
    let expiry = ticket(cache.next(t(6900)));
    assert!(matches!(expiry.endpoint(), Refresh::Stable(_)));
    assert!(!expiry.endpoint().force_refresh());
    assert!(expiry.endpoint().idempotent());
    let request = expiry.endpoint().request(&BaseUrl::wechat()).unwrap();
    assert_eq!(request.uri().path(), "/cgi-bin/stable_token");
    let _ = cache.complete(expiry, t(6901), ok("tok2", 7200)).unwrap();

    // After a token error: forced, and every retry of a failed forced refresh stays forced.
    let current = lease(cache.next(t(7000)));
    let _ = cache.on_token_error(&current, &mut CallTokens::new());
    let forced = ticket(cache.next(t(7001)));
    assert!(forced.endpoint().force_refresh());
    assert!(!forced.endpoint().idempotent());
    assert!(cache.complete(forced, t(7002), busy()).is_err());
    let forced = ticket(cache.next(t(7003)));
    assert!(forced.endpoint().force_refresh());
    let _ = cache.complete(forced, t(7004), ok("tok3", 7200)).unwrap();

    // Once a new token is in, expiry refreshes are unforced again.
    let next = ticket(cache.next(t(7003 + 6900)));
    assert!(!next.endpoint().force_refresh());
}

#[test]
fn stable_invalidation_abandons_an_unforced_refresh() {
    let mut cache = warm(RefreshKind::Stable);
    let current = lease(cache.next(t(6899)));
    let unforced = ticket(cache.next(t(6900)));
    let _ = cache.on_token_error(&current, &mut CallTokens::new());
    let forced = ticket(cache.next(t(6901)));
    assert!(forced.endpoint().force_refresh());
    // The unforced answer hands back the refused token: dropped, not installed.
    assert_eq!(
        cache.complete(unforced, t(6902), ok("tok1", 300)).unwrap(),
        Completed::Ignored
    );
    assert_eq!(wait(cache.next(t(6903))), t(6931));
    let _ = cache.complete(forced, t(6904), ok("tok2", 7200)).unwrap();
    assert_eq!(lease(cache.next(t(6905))).token().expose_secret(), "tok2");
}

#[test]
fn plain_invalidation_keeps_the_refresh_that_is_out() {
    let mut cache = warm(RefreshKind::Plain);
    let current = lease(cache.next(t(6899)));
    let refresh = ticket(cache.next(t(6900)));
    let _ = cache.on_token_error(&current, &mut CallTokens::new());
    wait(cache.next(t(6901)));
    let _ = cache.complete(refresh, t(6902), ok("tok2", 7200)).unwrap();
    lease(cache.next(t(6903)));
}

#[test]
fn same_token_keeps_its_generation() {
    let mut cache = warm(RefreshKind::Stable);
    let before = lease(cache.next(t(10)));
    let refresh = ticket(cache.next(t(6900)));
    // A stable refresh near the end hands back the same token with its remaining lifetime.
    let _ = cache.complete(refresh, t(6901), ok("tok1", 299)).unwrap();
    let after = lease(cache.next(t(6902)));
    assert_eq!(after.generation(), before.generation());
    // So a token error on the earlier lease still invalidates it.
    let _ = cache.on_token_error(&before, &mut CallTokens::new());
    assert!(ticket(cache.next(t(6903))).endpoint().force_refresh());
}

#[test]
fn token_expired_on_arrival_is_an_error() {
    let mut cache = cache(RefreshKind::Plain);
    let first = ticket(cache.next(t(0)));
    let err = cache.complete(first, t(1), ok("tok1", 0)).unwrap_err();
    assert!(
        err.to_string().contains("expired before it arrived"),
        "{err}"
    );
    let slow = ticket(cache.next(t(2)));
    assert!(cache.complete(slow, t(20), ok("tok1", 10)).is_err());
    let _ = ticket(cache.next(t(21)));
}

#[test]
fn the_refused_token_is_never_installed_again() {
    let mut cache = warm(RefreshKind::Plain);
    let current = lease(cache.next(t(10)));
    let _ = cache.on_token_error(&current, &mut CallTokens::new());
    let refresh = ticket(cache.next(t(11)));
    assert!(cache.complete(refresh, t(12), ok("tok1", 7200)).is_err());
    assert!(!cache.set_token(AccessToken::new("tok1"), t(7200), t(13)));
    let _ = ticket(cache.next(t(14)));
}

#[test]
fn set_token_installs_a_shared_token_unless_older() {
    let mut cache = cache(RefreshKind::Plain);
    assert!(!cache.set_token(AccessToken::new("tokx"), t(0), t(0)));
    assert!(cache.set_token(AccessToken::new("tok1"), t(1000), t(0)));
    let first = lease(cache.next(t(1)));
    assert_eq!(first.expires_at(), t(1000));
    // 1000 s left: the margin stays 300 s.
    let _ = ticket(cache.next(t(700)));
    assert!(!cache.set_token(AccessToken::new("tok0"), t(900), t(701)));
    assert!(cache.set_token(AccessToken::new("tok2"), t(8000), t(702)));
    let second = lease(cache.next(t(703)));
    assert_eq!(second.token().expose_secret(), "tok2");
    assert_eq!(second.generation(), 2);
}

#[test]
fn lease_gives_a_wechat_context() {
    let mut cache = warm(RefreshKind::Plain);
    let ctx = lease(cache.next(t(10))).context(BaseUrl::wechat());
    assert_eq!(ctx.access_token.expose_secret(), "tok1");
}

#[test]
fn debug_shows_no_token_or_secret() {
    let mut cache = warm(RefreshKind::Stable);
    let current = lease(cache.next(t(10)));
    let refresh = ticket(cache.next(t(6900)));
    let next = cache.next(t(6901));
    let shown = format!(
        "{cache:?} {current:?} {refresh:?} {next:?} {:?}",
        cache.config()
    );
    assert!(!shown.contains("tok1"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("***"), "{shown}");
    let _ = cache.complete(refresh, t(6902), ok("tok2", 7200)).unwrap();
    let next = cache.next(t(6903));
    let shown = format!("{cache:?} {next:?}");
    assert!(
        !shown.contains("tok2") && !shown.contains(SECRET),
        "{shown}"
    );
}

// ---------------------------------------------------------------------------------------------
// Arbitrary interleavings.

#[derive(Debug, Clone)]
enum Op {
    /// Move the clock (forwards or backwards) by this many seconds.
    Clock(i64),
    /// A caller asks for a token.
    Poll,
    /// The holder of the `n`th outstanding ticket reports an answer.
    Complete(usize, Answer),
    /// The holder of the `n`th outstanding ticket crashes: the ticket is never reported.
    Crash(usize),
    /// The holder of the `n`th outstanding ticket gives it up.
    Abandon(usize),
    /// A call made with the `n`th lease handed out was refused for its token; if `true`, that
    /// call had fetched a token itself first.
    TokenError(usize, bool),
    /// A token from a shared store.
    SetToken(u8, i64),
}

#[derive(Debug, Clone)]
enum Answer {
    Token(u8, u64),
    Failure,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0i64..60).prop_map(Op::Clock),
        2 => (0i64..8000).prop_map(Op::Clock),
        1 => (-8000i64..0).prop_map(Op::Clock),
        5 => Just(Op::Poll),
        4 => (any::<usize>(), prop_oneof![
            4 => (0u8..5, 0u64..10_000).prop_map(|(n, e)| Answer::Token(n, e)),
            1 => Just(Answer::Failure),
        ]).prop_map(|(i, a)| Op::Complete(i, a)),
        1 => any::<usize>().prop_map(Op::Crash),
        1 => any::<usize>().prop_map(Op::Abandon),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(i, r)| Op::TokenError(i, r)),
        1 => (0u8..5, -100i64..10_000).prop_map(|(n, e)| Op::SetToken(n, e)),
    ]
}

/// A refresh the cache handed out and nobody reported yet.
struct Out {
    issued_at: Timestamp,
    forced: bool,
    /// A token error was reported while it was out: a stable cache may have abandoned it.
    superseded: bool,
    /// A newer refresh went out since: the cache no longer counts this one.
    abandoned: bool,
    /// `None` once its holder crashed.
    ticket: Option<RefreshTicket>,
}

fn timed_out(out: &Out, now: Timestamp, timeout: SignedDuration) -> bool {
    let elapsed = now.duration_since(out.issued_at);
    elapsed >= timeout || -elapsed >= timeout
}

fn check(kind: RefreshKind, margin: i64, timeout: i64, ops: &[Op]) {
    let timeout = SignedDuration::from_secs(timeout).max(MIN_REFRESH_TIMEOUT);
    let config = TokenConfig::new(kind)
        .with_margin(SignedDuration::from_secs(margin))
        .with_refresh_timeout(timeout);
    let mut cache = TokenCache::new(AppId::new("wx1"), Secret::new(SECRET), config);
    let mut now = t(0);
    let mut outs: Vec<Out> = Vec::new();
    let mut leases: Vec<TokenLease> = Vec::new();
    // Each lease is used by a call of its own: what it met, and the model's count of it.
    let mut calls: Vec<(CallTokens, u32, bool)> = Vec::new();

    let poll = |cache: &mut TokenCache,
                now: Timestamp,
                outs: &mut Vec<Out>,
                leases: &mut Vec<TokenLease>| match cache.next(now) {
        Next::Use(lease) => {
            assert!(
                lease.expires_at() > now,
                "expired lease handed out at {now}"
            );
            leases.push(lease);
        }
        Next::Refresh(ticket) => {
            let live = outs
                .iter()
                .filter(|o| !o.abandoned && !timed_out(o, now, timeout))
                .filter(|o| !(kind == RefreshKind::Stable && !o.forced && o.superseded))
                .count();
            assert_eq!(live, 0, "a second refresh went out at {now}");
            assert_eq!(ticket.issued_at(), now);
            // Whatever was out is abandoned for good, even if the clock comes back.
            for out in outs.iter_mut() {
                out.abandoned = true;
            }
            outs.push(Out {
                abandoned: false,
                issued_at: now,
                forced: ticket.endpoint().force_refresh(),
                superseded: false,
                ticket: Some(ticket),
            });
        }
        Next::Wait { retry_at } => {
            assert!(retry_at > now);
            let out = outs
                .iter()
                .find(|o| !o.abandoned && !timed_out(o, now, timeout));
            let out = out.unwrap_or_else(|| panic!("told to wait for no refresh at {now}"));
            assert_eq!(retry_at, out.issued_at.checked_add(timeout).unwrap());
        }
    };

    for op in ops {
        match op {
            Op::Clock(secs) => now = now.checked_add(SignedDuration::from_secs(*secs)).unwrap(),
            Op::Poll => poll(&mut cache, now, &mut outs, &mut leases),
            Op::Complete(i, answer) => {
                let held: Vec<usize> = (0..outs.len())
                    .filter(|&j| outs[j].ticket.is_some())
                    .collect();
                if held.is_empty() {
                    continue;
                }
                let j = held[i % held.len()];
                let ticket = outs.remove(j).ticket.unwrap();
                let result = match answer {
                    Answer::Token(n, e) => ok(&format!("tok{n}"), *e),
                    Answer::Failure => busy(),
                };
                let failed = result.is_err();
                let outcome = cache.complete(ticket, now, result);
                if failed {
                    assert!(outcome.is_err());
                }
            }
            Op::Crash(i) | Op::Abandon(i) => {
                let held: Vec<usize> = (0..outs.len())
                    .filter(|&j| outs[j].ticket.is_some())
                    .collect();
                if held.is_empty() {
                    continue;
                }
                let j = held[i % held.len()];
                if matches!(op, Op::Abandon(_)) {
                    cache.abandon(outs.remove(j).ticket.unwrap());
                } else {
                    outs[j].ticket = None;
                }
            }
            Op::TokenError(i, refreshed) => {
                if leases.is_empty() {
                    continue;
                }
                let n = i % leases.len();
                calls.resize(leases.len(), (CallTokens::new(), 0, false));
                let (call, errors, fetched) = &mut calls[n];
                if *refreshed {
                    call.refreshed();
                    *fetched = true;
                }
                let action = cache.on_token_error(&leases[n], call);
                let expected = if *errors == 0 && !*fetched {
                    TokenErrorAction::Retry
                } else {
                    TokenErrorAction::Backoff
                };
                *errors += 1;
                assert_eq!(action, expected);
                assert_eq!(call.token_errors(), *errors);
                for out in &mut outs {
                    out.superseded = true;
                }
            }
            Op::SetToken(n, secs) => {
                let expires_at = now.checked_add(SignedDuration::from_secs(*secs)).unwrap();
                let taken = cache.set_token(AccessToken::new(format!("tok{n}")), expires_at, now);
                if *secs <= 0 {
                    assert!(!taken);
                }
            }
        }
        // Every poll at the current `now` obeys the invariants too.
        poll(&mut cache, now, &mut outs, &mut leases);
    }

    // No deadlock: once every refresh has timed out, a caller gets a token or a refresh.
    let last_issue = outs
        .iter()
        .map(|o| o.issued_at)
        .max()
        .unwrap_or(now)
        .max(now);
    let later = last_issue.checked_add(timeout).unwrap();
    assert!(!matches!(cache.next(later), Next::Wait { .. }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn invariants_hold_for_any_interleaving(
        stable in any::<bool>(),
        margin in -10i64..1000,
        timeout in 0i64..120,
        ops in prop::collection::vec(op(), 0..80),
    ) {
        let kind = if stable { RefreshKind::Stable } else { RefreshKind::Plain };
        check(kind, margin, timeout, &ops);
    }
}

// ---------------------------------------------------------------------------------------------
// One call against a platform that refuses every token, driven the way `review-client` does.

/// What a call against an always-refusing platform did.
#[derive(Debug)]
struct Outcome {
    sends: u32,
    refreshes: u32,
    /// Sends that followed a token error without a backoff.
    immediate_retries: u32,
    waited: std::time::Duration,
}

fn refuse_every_token(
    kind: RefreshKind,
    warm_cache: bool,
    policy: RetryPolicy,
    jitter: u64,
) -> Outcome {
    let mut cache = if warm_cache { warm(kind) } else { cache(kind) };
    let mut call = CallTokens::new();
    let mut now = t(10);
    let mut outcome = Outcome {
        sends: 0,
        refreshes: 0,
        immediate_retries: 0,
        waited: std::time::Duration::ZERO,
    };
    let mut free = 0u32;
    let mut after_error = false;
    loop {
        let lease = match cache.next(now) {
            Next::Use(lease) => lease,
            Next::Refresh(ticket) => {
                outcome.refreshes += 1;
                let token = format!("tok-{}", outcome.refreshes + 1);
                assert_eq!(
                    cache.complete(ticket, now, ok(&token, 7200)).unwrap(),
                    Completed::Installed
                );
                call.refreshed();
                continue;
            }
            Next::Wait { .. } => panic!("no other caller is refreshing"),
        };
        outcome.sends += 1;
        if after_error {
            outcome.immediate_retries += 1;
        }
        // Refused, always.
        match cache.on_token_error(&lease, &mut call) {
            TokenErrorAction::Retry => {
                free += 1;
                after_error = true;
            }
            TokenErrorAction::Backoff => {
                after_error = false;
                let failures = (outcome.sends - free).max(1);
                let elapsed = outcome.waited;
                match policy.decide(failures, elapsed, Failure::NotSent, false, jitter) {
                    RetryDecision::RetryAfter(wait) => {
                        assert!(wait > std::time::Duration::ZERO || policy.base_delay.is_zero());
                        outcome.waited += wait;
                        now = now
                            .checked_add(SignedDuration::try_from(wait).unwrap())
                            .unwrap();
                    }
                    RetryDecision::GiveUp { outcome_unknown } => {
                        // A token error is raised before the call runs: never an unknown outcome.
                        assert!(!outcome_unknown);
                        return outcome;
                    }
                }
            }
        }
        assert!(outcome.sends <= 1_000, "no end in sight: {outcome:?}");
    }
}

#[test]
fn a_warm_call_retries_an_old_token_at_once_then_backs_off_to_the_end_of_its_budget() {
    let policy = RetryPolicy::default();
    let outcome = refuse_every_token(RefreshKind::Plain, true, policy, 0);
    // One free retry of the old token, then every attempt of the budget.
    assert_eq!(outcome.sends, policy.max_attempts + 1, "{outcome:?}");
    assert_eq!(outcome.immediate_retries, 1, "{outcome:?}");
    assert_eq!(outcome.refreshes, policy.max_attempts, "{outcome:?}");
    let cold = refuse_every_token(RefreshKind::Plain, false, policy, 0);
    // A token fetched for this call is counted at its first refusal.
    assert_eq!(cold.sends, policy.max_attempts, "{cold:?}");
    assert_eq!(cold.immediate_retries, 0, "{cold:?}");
    // A policy that never retries still lets an old token be replaced once.
    let never = refuse_every_token(RefreshKind::Stable, true, RetryPolicy::never(), 0);
    assert_eq!(never.sends, 2, "{never:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the policy, a call against a platform refusing every token ends within the
    /// policy's attempts (plus the one free retry of an old token) and its time, with at most
    /// one send that did not wait for a backoff first.
    #[test]
    fn refused_tokens_end_within_the_budget(
        stable in any::<bool>(),
        warm_cache in any::<bool>(),
        max_attempts in 1u32..12,
        base_ms in 1u64..500,
        max_ms in 1u64..10_000,
        elapsed_ms in 0u64..120_000,
        jitter in any::<u64>(),
    ) {
        let policy = RetryPolicy {
            max_attempts,
            base_delay: std::time::Duration::from_millis(base_ms),
            max_delay: std::time::Duration::from_millis(max_ms),
            max_elapsed: std::time::Duration::from_millis(elapsed_ms),
        };
        let kind = if stable { RefreshKind::Stable } else { RefreshKind::Plain };
        let outcome = refuse_every_token(kind, warm_cache, policy, jitter);
        prop_assert!(outcome.sends <= max_attempts + u32::from(warm_cache), "{outcome:?}");
        prop_assert!(outcome.immediate_retries <= u32::from(warm_cache), "{outcome:?}");
        prop_assert!(outcome.waited <= policy.max_elapsed, "{outcome:?}");
        // One refresh per refusal but the last, and one at the start of a cold call.
        prop_assert_eq!(
            outcome.refreshes,
            outcome.sends - 1 + u32::from(!warm_cache),
            "{:?}", outcome
        );
    }
}
