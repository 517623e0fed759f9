//! Token errors within one call, over a scripted transport: retried at once the first time on
//! an old token, then with backoff while the retry budget lasts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use review_client::{BlockingClient, BlockingTransport, ClientConfig, HttpResult};
use review_model::{AppId, CommentId, Secret};
use review_protocol::retry::RetryPolicy;

const OK: &str = r#"{"errcode":0,"success":true}"#;
const EXPIRED: &str = r#"{"errcode":42001,"errmsg":"access_token expired"}"#;
const INVALID: &str = r#"{"errcode":40001,"errmsg":"invalid credential"}"#;

/// Answers token requests with a new token each time, and calls from a script (then `OK`).
#[derive(Default)]
struct Scripted {
    calls: Mutex<VecDeque<&'static str>>,
    /// Answer every call with this once the script is spent, instead of `OK`.
    then: Option<&'static str>,
    token_requests: AtomicUsize,
    call_requests: AtomicUsize,
    sleeps: Mutex<Vec<Duration>>,
}

impl Scripted {
    fn new(calls: &[&'static str]) -> Self {
        Self {
            calls: Mutex::new(calls.iter().copied().collect()),
            ..Self::default()
        }
    }

    fn always(answer: &'static str) -> Self {
        Self {
            then: Some(answer),
            ..Self::default()
        }
    }

    fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl BlockingTransport for &Scripted {
    fn send(&self, request: http::Request<Vec<u8>>, _timeout: Duration) -> HttpResult {
        let body = if request.uri().path().starts_with("/cgi-bin/") {
            let n = self.token_requests.fetch_add(1, Ordering::SeqCst);
            format!(r#"{{"access_token":"TOKEN-{n}","expires_in":7200}}"#)
        } else {
            self.call_requests.fetch_add(1, Ordering::SeqCst);
            let next = self.calls.lock().unwrap().pop_front();
            next.or(self.then).unwrap_or(OK).to_owned()
        };
        Ok(http::Response::new(body.into_bytes()))
    }

    fn sleep(&self, duration: Duration) {
        self.sleeps.lock().unwrap().push(duration);
    }
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_elapsed: Duration::from_secs(60),
    }
}

fn client(transport: &Scripted) -> BlockingClient<&Scripted> {
    let config = ClientConfig::new()
        .wechat(
            "http://127.0.0.1:9".parse().unwrap(),
            AppId::new("wx1"),
            Secret::new("app-secret"),
        )
        .retry(policy());
    BlockingClient::new(transport, config)
}

#[test]
fn two_token_errors_in_one_call_are_retried_and_the_second_backs_off() {
    let transport = Scripted::new(&[OK, EXPIRED, EXPIRED]);
    let client = client(&transport);
    client.kf_quota_reset(CommentId::new("1")).unwrap();
    // The old token's refusal goes again at once; the fresh token's refusal waits a backoff.
    client.kf_quota_reset(CommentId::new("1")).unwrap();
    assert_eq!(transport.token_requests.load(Ordering::SeqCst), 3);
    assert_eq!(transport.call_requests.load(Ordering::SeqCst), 4);
    let sleeps = transport.sleeps();
    assert_eq!(sleeps.len(), 1, "{sleeps:?}");
    assert!(sleeps[0] >= Duration::from_millis(5), "{sleeps:?}");
}

#[test]
fn tokens_refused_forever_end_the_call_after_its_budget() {
    let transport = Scripted::always(INVALID);
    let client = client(&transport);
    let err = client.kf_quota_reset(CommentId::new("1")).unwrap_err();
    // A cold call fetched its own token: every refusal counts, each after a backoff.
    assert_eq!(err.attempts(), policy().max_attempts, "{err}");
    assert!(!err.outcome_unknown(), "{err}");
    assert!(err.protocol().unwrap().is_token_error(), "{err}");
    let sleeps = transport.sleeps();
    assert_eq!(sleeps.len(), 3, "{sleeps:?}");
    assert!(sleeps.windows(2).all(|w| w[1] >= w[0] / 2), "{sleeps:?}");
    assert!(
        sleeps.iter().all(|d| *d >= Duration::from_millis(5)),
        "{sleeps:?}"
    );
    assert_eq!(
        transport.token_requests.load(Ordering::SeqCst),
        usize::try_from(policy().max_attempts).unwrap()
    );
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("40001"), "{shown}");
    assert!(shown.contains("fresh access token was refused"), "{shown}");
    assert!(
        !shown.contains("TOKEN-") && !shown.contains("app-secret"),
        "{shown}"
    );
}

#[test]
fn a_warm_call_gets_one_free_retry_on_top_of_its_budget() {
    let transport = Scripted {
        then: Some(EXPIRED),
        ..Scripted::new(&[OK])
    };
    let client = client(&transport);
    client.kf_quota_reset(CommentId::new("1")).unwrap();
    let err = client.kf_quota_reset(CommentId::new("1")).unwrap_err();
    assert_eq!(err.attempts(), policy().max_attempts + 1, "{err}");
    assert_eq!(transport.sleeps().len(), 3);
    assert!(err.to_string().contains("42001"), "{err}");
}
