//! The call machine over scripted answers: exact steps and sleeps for a fixed seed, then
//! arbitrary answer sequences checked against its bounds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Mutex;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use review_model::{AccessToken, AppId, CommentId, Secret};
use review_protocol::call::{
    Answer, Call, CallError, CallErrorKind, Fw199Call, Machine, Step, Unanswered, WechatCall,
};
use review_protocol::retry::RetryPolicy;
use review_protocol::taobao::{Fw199Context, Fw199Credentials, SearchTradeRates};
use review_protocol::wechat::AddReply;
use review_protocol::wechat::token_cache::{RefreshKind, TokenCache, TokenConfig, TokenLease};
use review_protocol::{BaseUrl, Endpoint, Error};

const OK: &str = r#"{"errcode":0,"errmsg":"ok"}"#;
const EXPIRED: &str = r#"{"errcode":42001,"errmsg":"access_token expired"}"#;
const INVALID: &str = r#"{"errcode":40001,"errmsg":"invalid credential"}"#;

/// The transport error of these tests: opaque to the machine, handed back as is.
type Lost = &'static str;

fn t0() -> Timestamp {
    "2024-05-01T08:00:00Z".parse().unwrap()
}

fn base() -> BaseUrl {
    "http://127.0.0.1:9".parse().unwrap()
}

fn store() -> Mutex<TokenCache> {
    Mutex::new(TokenCache::new(
        AppId::new("wx1"),
        Secret::new("app-secret"),
        TokenConfig::new(RefreshKind::Plain),
    ))
}

/// A store already holding `OLD-TOKEN`, as after an earlier call.
fn warm_store() -> Mutex<TokenCache> {
    let store = store();
    let installed = store.lock().unwrap().set_token(
        AccessToken::new("OLD-TOKEN"),
        t0() + SignedDuration::from_hours(2),
        t0(),
    );
    assert!(installed);
    store
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(5),
        max_elapsed: Duration::from_secs(60),
    }
}

fn reply() -> AddReply {
    AddReply::new(CommentId::new("1"), "thanks")
}

fn answer(body: &str) -> Answer<Lost> {
    Ok(http::Response::new(body.as_bytes().to_vec()))
}

fn token(n: u32) -> Answer<Lost> {
    answer(&format!(
        r#"{{"access_token":"TOKEN-{n}","expires_in":7200}}"#
    ))
}

fn is_token_request(request: &http::Request<Vec<u8>>) -> bool {
    request.uri().path() == "/cgi-bin/token"
}

/// The access token a call request carries.
fn token_of(request: &http::Request<Vec<u8>>) -> String {
    let query = request.uri().query().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[track_caller]
fn sent<O: std::fmt::Debug>(step: Step<O, Lost>) -> http::Request<Vec<u8>> {
    match step {
        Step::Send(request) => request,
        other => panic!("expected a send, got {other:?}"),
    }
}

#[track_caller]
fn slept<O: std::fmt::Debug>(step: Step<O, Lost>) -> Duration {
    match step {
        Step::Sleep(wait) => wait,
        other => panic!("expected a sleep, got {other:?}"),
    }
}

#[track_caller]
fn done<O: std::fmt::Debug>(step: Step<O, Lost>) -> Result<O, CallError<Lost>> {
    match step {
        Step::Done(result) => result,
        other => panic!("expected the end, got {other:?}"),
    }
}

#[test]
fn a_cold_write_refused_for_its_fresh_token_backs_off_once_then_succeeds() {
    let (store, base, endpoint) = (store(), base(), reply());
    let mut machine: Machine<'_, _, Lost> =
        Machine::new(WechatCall::new(&endpoint, &base), policy(), 7).with_tokens(&store, &base);
    let mut now = t0();

    // No token yet: the refresh goes first.
    let request = sent(machine.next(now));
    assert!(is_token_request(&request), "{request:?}");
    assert_eq!(machine.attempt(), 0);
    let request = sent(machine.feed(token(0), now));
    assert_eq!(request.uri().path(), "/wxaapi/comment/reply/add");
    assert_eq!(token_of(&request), "TOKEN-0");
    assert_eq!(machine.attempt(), 1);

    // The token fetched for this very call is refused: a counted failure, one backoff. With
    // seed 7 the first draw of the jitter puts it at 50 ms + 34.953 ms.
    let wait = slept(machine.feed(answer(EXPIRED), now));
    assert_eq!(wait, Duration::from_micros(84_953));
    now += wait;

    // The refused token is gone: refresh, then the same write again (WeChat checks the token
    // before it executes anything).
    let request = sent(machine.next(now));
    assert!(is_token_request(&request), "{request:?}");
    let request = sent(machine.feed(token(1), now));
    assert_eq!(token_of(&request), "TOKEN-1");
    assert_eq!(machine.attempt(), 2);
    done(machine.feed(answer(OK), now)).unwrap();
}

#[test]
fn a_warm_call_refused_for_an_old_token_goes_again_at_once() {
    let (store, base, endpoint) = (warm_store(), base(), reply());
    let mut machine: Machine<'_, _, Lost> =
        Machine::new(WechatCall::new(&endpoint, &base), policy(), 7).with_tokens(&store, &base);
    let now = t0();

    let request = sent(machine.next(now));
    assert_eq!(token_of(&request), "OLD-TOKEN");
    let request = sent(machine.feed(answer(INVALID), now));
    assert!(
        is_token_request(&request),
        "no sleep before the refresh: {request:?}"
    );
    let request = sent(machine.feed(token(0), now));
    assert_eq!(token_of(&request), "TOKEN-0");
    done(machine.feed(answer(OK), now)).unwrap();
    assert_eq!(machine.attempt(), 2);
}

#[test]
fn the_seed_alone_decides_the_sleeps() {
    fn sleeps(seed: u64) -> Vec<Duration> {
        let (store, base, endpoint) = (warm_store(), base(), reply());
        let mut machine: Machine<'_, _, Lost> =
            Machine::new(WechatCall::new(&endpoint, &base), policy(), seed)
                .with_tokens(&store, &base);
        let mut now = t0();
        let mut sleeps = Vec::new();
        let mut step = machine.next(now);
        loop {
            step = match step {
                // Refused before anything was sent: even a write goes again.
                Step::Send(_) => machine.feed(Err(Unanswered::not_sent("refused")), now),
                Step::Store(op) => unreachable!("no shared store here: {op:?}"),
                Step::Sleep(wait) => {
                    sleeps.push(wait);
                    now += wait;
                    machine.next(now)
                }
                Step::Done(result) => {
                    let err = result.unwrap_err();
                    assert!(matches!(err.kind(), CallErrorKind::Transport("refused")));
                    assert_eq!(err.attempts(), 4);
                    return sleeps;
                }
            };
        }
    }
    // Half of 100, 200 and 400 ms, plus the first three draws of seed 7 within the other half.
    let first = sleeps(7);
    assert_eq!(first, [84_953, 198_483, 275_735].map(Duration::from_micros));
    assert_eq!(sleeps(7), first);
    assert_ne!(sleeps(8), first);
}

#[test]
fn a_write_that_may_have_executed_is_not_sent_again() {
    let (store, base, endpoint) = (warm_store(), base(), reply());
    let mut machine: Machine<'_, _, Lost> =
        Machine::new(WechatCall::new(&endpoint, &base), policy(), 7).with_tokens(&store, &base);
    let now = t0();
    let _ = sent(machine.next(now));
    let err = done(machine.feed(Err(Unanswered::ambiguous("reset by peer")), now)).unwrap_err();
    assert!(err.outcome_unknown());
    assert_eq!(err.attempts(), 1);
    assert!(matches!(
        err.kind(),
        CallErrorKind::Transport("reset by peer")
    ));
    assert_eq!(
        err.to_string(),
        "wechat.reply_add: reset by peer; the write may have executed: check before sending it \
         again"
    );
}

#[test]
fn tokens_refused_forever_end_within_the_budget_and_say_so() {
    let (store, base, endpoint) = (store(), base(), reply());
    let mut machine: Machine<'_, _, Lost> =
        Machine::new(WechatCall::new(&endpoint, &base), policy(), 1).with_tokens(&store, &base);
    let mut now = t0();
    let (mut tokens, mut sleeps) = (0, 0);
    let mut step = machine.next(now);
    let err = loop {
        step = match step {
            Step::Send(request) if is_token_request(&request) => {
                tokens += 1;
                machine.feed(token(tokens), now)
            }
            Step::Send(_) => machine.feed(answer(INVALID), now),
            Step::Store(op) => unreachable!("no shared store here: {op:?}"),
            Step::Sleep(wait) => {
                sleeps += 1;
                now += wait;
                machine.next(now)
            }
            Step::Done(result) => break result.unwrap_err(),
        };
    };
    assert_eq!((err.attempts(), tokens, sleeps), (4, 4, 3));
    assert!(!err.outcome_unknown());
    let shown = err.to_string();
    assert!(
        shown.ends_with("(after 4 attempts); a fresh access token was refused as well"),
        "{shown}"
    );
    assert!(
        !shown.contains("TOKEN-") && !shown.contains("app-secret"),
        "{shown}"
    );
}

#[test]
fn a_wechat_call_without_a_store_fails_before_sending() {
    let (base, endpoint) = (base(), reply());
    let mut machine: Machine<'_, _, Lost> =
        Machine::new(WechatCall::new(&endpoint, &base), policy(), 7);
    let err = done(machine.next(t0())).unwrap_err();
    assert_eq!(err.attempts(), 0);
    assert!(err.to_string().contains("no WeChat credentials"), "{err}");
}

#[test]
fn an_fw199_call_is_signed_at_each_attempt() {
    let context = Fw199Context::new(
        base(),
        Fw199Credentials::new("partner", Secret::new("s2")),
        Timestamp::UNIX_EPOCH,
    );
    let search = SearchTradeRates::received("shop");
    let mut machine: Machine<'_, _, Lost> =
        Machine::new(Fw199Call::new(&search, &context), policy(), 7);
    let first = sent(machine.next(t0()));
    let wait = slept(machine.feed(Err(Unanswered::not_sent("refused")), t0()));
    let later = t0() + wait + Duration::from_secs(2);
    let second = sent(machine.next(later));
    assert_ne!(first.body(), second.body(), "a new timestamp and signature");
    assert_eq!(machine.attempt(), 2);
}

/// A call like a WeChat write or read, to vary idempotency over the same answers.
struct Probe {
    endpoint: AddReply,
    base: BaseUrl,
    idempotent: bool,
}

impl Call for Probe {
    type Output = ();

    fn name(&self) -> &'static str {
        "probe"
    }

    fn needs_token(&self) -> bool {
        true
    }

    fn idempotent(&self) -> bool {
        self.idempotent
    }

    fn build(
        &self,
        lease: Option<&TokenLease>,
        _now: Timestamp,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let context = lease.unwrap().context(self.base.clone());
        Ok(self.endpoint.request(&context)?)
    }

    fn parse(&self, response: http::Response<&[u8]>) -> Result<(), Error> {
        self.endpoint.parse(response)
    }
}

/// One scripted answer, to a token request or a call alike.
#[derive(Debug, Clone, Copy)]
enum Scripted {
    Ok,
    /// An errcode: token errors, busy, rate-limited, a service error, a refusal.
    Code(i64),
    /// An HTTP error status from something in between.
    Status(u16),
    NotSent,
    Ambiguous,
}

impl Scripted {
    /// Whether a write answered so may have executed.
    fn ambiguous(self) -> bool {
        matches!(
            self,
            Self::Ambiguous | Self::Status(500..) | Self::Code(-10008)
        )
    }

    fn answer(self, token_request: bool, n: u32) -> Answer<Lost> {
        let body = match self {
            Self::Ok if token_request => {
                format!(r#"{{"access_token":"TOKEN-{n}","expires_in":7200}}"#)
            }
            Self::Ok => OK.to_owned(),
            Self::Code(code) => format!(r#"{{"errcode":{code},"errmsg":"x"}}"#),
            Self::Status(status) => {
                let mut response = http::Response::new(b"<html>bad gateway</html>".to_vec());
                *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
                return Ok(response);
            }
            Self::NotSent => return Err(Unanswered::not_sent("refused")),
            Self::Ambiguous => return Err(Unanswered::ambiguous("timed out")),
        };
        answer(&body)
    }
}

fn scripted() -> impl Strategy<Value = Scripted> {
    prop_oneof![
        3 => Just(Scripted::Ok),
        3 => prop::sample::select(vec![40001, 40014, 42001]).prop_map(Scripted::Code),
        2 => prop::sample::select(vec![-1, 45011, -10008, -10001, 45009]).prop_map(Scripted::Code),
        1 => prop::sample::select(vec![404, 500, 502, 503]).prop_map(Scripted::Status),
        1 => Just(Scripted::NotSent),
        1 => Just(Scripted::Ambiguous),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the platform and the network answer, a call ends within its attempts (plus the
    /// one free retry of an old token), spends no more than the policy allows, and never sends
    /// a write again after it may have executed.
    #[test]
    fn every_call_ends_within_its_budget_and_no_write_repeats_after_an_ambiguity(
        script in prop::collection::vec((scripted(), 0u64..3_000), 0..40),
        idempotent: bool,
        warm: bool,
        max_attempts in 1u32..6,
        seed: u64,
    ) {
        let policy = RetryPolicy { max_attempts, ..policy() };
        let store = if warm { warm_store() } else { store() };
        let probe = Probe { endpoint: reply(), base: base(), idempotent };
        let base = base();
        let mut machine: Machine<'_, _, Lost> =
            Machine::new(probe, policy, seed).with_tokens(&store, &base);
        let mut now = t0();
        let mut script = script.into_iter();
        let (mut calls, mut tokens, mut failed_refreshes) = (0u32, 0u32, 0u32);
        let mut last_call = None;
        let mut step = machine.next(now);
        let result = loop {
            prop_assert!(calls + tokens <= 3 * max_attempts + 2, "too many sends");
            step = match step {
                Step::Send(request) => {
                    let token_request = is_token_request(&request);
                    let (scripted, latency) = script.next().unwrap_or((Scripted::Ok, 0));
                    if token_request {
                        tokens += 1;
                        if !matches!(scripted, Scripted::Ok) {
                            failed_refreshes += 1;
                        }
                    } else {
                        prop_assert!(
                            idempotent || !last_call.is_some_and(Scripted::ambiguous),
                            "a write sent again after {last_call:?}"
                        );
                        calls += 1;
                        last_call = Some(scripted);
                    }
                    now += Duration::from_millis(latency);
                    machine.feed(scripted.answer(token_request, tokens), now)
                }
                Step::Store(op) => unreachable!("no shared store here: {op:?}"),
                Step::Sleep(wait) => {
                    prop_assert!(wait <= policy.max_delay, "{wait:?}");
                    now += wait;
                    machine.next(now)
                }
                Step::Done(result) => break result,
            };
        };

        prop_assert!(calls + failed_refreshes <= max_attempts + 1, "{calls} + {failed_refreshes}");
        prop_assert_eq!(machine.attempt(), calls);
        match result {
            Ok(()) => prop_assert!(matches!(last_call, Some(Scripted::Ok))),
            Err(err) => {
                prop_assert_eq!(err.attempts(), calls);
                let ambiguous_write = !idempotent && last_call.is_some_and(Scripted::ambiguous);
                if ambiguous_write {
                    prop_assert!(err.outcome_unknown(), "{err}");
                }
                if err.outcome_unknown() {
                    prop_assert!(!idempotent, "{err}");
                }
            }
        }
    }
}
