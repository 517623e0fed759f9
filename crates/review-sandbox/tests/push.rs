//! Push delivery: a receiver in the test verifies every mode with the protocol's own
//! `PushConfig::open`, and a receiver that stalls or fails sees exactly four attempts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use jiff::Timestamp;
use review_model::wechat::PushEvent;
use review_protocol::wechat::push::{Format, Push, PushConfig};
use review_sandbox::{PushRecord, PushTarget, Sandbox};

const TOKEN: &str = "PushToken123";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/// What the receiver does with a push.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Verifies and answers the documented JSON.
    Accept,
    /// Answers nothing for this long.
    Stall(Duration),
    /// Answers HTTP 500.
    Fail,
}

/// What a receiver saw: each push verified by the protocol, with its raw query.
/// Each push's query string and what `PushConfig::open` made of it.
type Received = Vec<(String, Result<Push, String>)>;

#[derive(Clone)]
struct Receiver {
    config: Arc<OnceLock<PushConfig>>,
    received: Arc<Mutex<Received>>,
    hits: Arc<AtomicUsize>,
    behaviour: Behaviour,
}

async fn receive(
    State(receiver): State<Receiver>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    receiver.hits.fetch_add(1, Ordering::SeqCst);
    match receiver.behaviour {
        Behaviour::Stall(wait) => {
            tokio::time::sleep(wait).await;
            return StatusCode::OK.into_response();
        }
        Behaviour::Fail => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Behaviour::Accept => {}
    }
    let query = query.unwrap_or_default();
    let config = receiver.config.get().expect("the receiver is configured");
    let opened = config.open(&query, &body, Timestamp::now());
    let answer = match &opened {
        Ok(push) => {
            let answer = push.answer();
            (
                StatusCode::OK,
                [("content-type", answer.content_type)],
                answer.body,
            )
                .into_response()
        }
        Err(err) => err.http_status().into_response(),
    };
    receiver
        .received
        .lock()
        .unwrap()
        .push((query, opened.map_err(|e| e.to_string())));
    answer
}

/// Starts a receiver on 127.0.0.1:0; returns it and its URL.
async fn start_receiver(behaviour: Behaviour) -> (Receiver, String) {
    let receiver = Receiver {
        config: Arc::new(OnceLock::new()),
        received: Arc::new(Mutex::new(Vec::new())),
        hits: Arc::new(AtomicUsize::new(0)),
        behaviour,
    };
    let app = Router::new()
        .route("/wechat/callback", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wechat/callback", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, url)
}

/// `POST /sandbox/bad-review`; returns the new comment's id.
async fn bad_review(sandbox: &Sandbox) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/sandbox/bad-review", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let comment: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let score = comment["score"]
        .as_i64()
        .unwrap_or_else(|| comment["score"].as_str().unwrap().parse().unwrap());
    assert!(
        score == 100 || score == 200,
        "a bad review has one or two stars: {comment}"
    );
    comment["commentId"]
        .as_str()
        .expect("commentId is a string")
        .to_owned()
}

/// Waits until `done` holds for the push log, or panics after `limit`.
async fn wait_for(
    sandbox: &Sandbox,
    limit: Duration,
    done: impl Fn(&[PushRecord]) -> bool,
) -> Vec<PushRecord> {
    let start = Instant::now();
    loop {
        let records = sandbox.pushes();
        if done(&records) {
            return records;
        }
        assert!(
            start.elapsed() < limit,
            "timed out; pushes so far: {records:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One push in `format`, safe mode or not, verified by the receiver.
async fn push_verifies(format: Format, safe: bool, explicit_appid: bool) {
    let (receiver, url) = start_receiver(Behaviour::Accept).await;
    let mut target = PushTarget::new(url, TOKEN).format(format);
    if safe {
        target = target.safe_mode(AES_KEY);
        if explicit_appid {
            target = target.appid("wx1a2b3c4d5e6f7a8b");
        }
    }
    let sandbox = Sandbox::builder()
        .seed(11)
        .comments(30)
        .rates(10)
        .push(target)
        .start("127.0.0.1:0")
        .unwrap();
    let mut config = PushConfig::new(TOKEN).unwrap();
    if safe {
        let appid = if explicit_appid {
            "wx1a2b3c4d5e6f7a8b"
        } else {
            sandbox.wechat().appid.as_str()
        };
        config = config.with_aes(AES_KEY, appid).unwrap();
    }
    receiver.config.set(config).unwrap();

    let comment_id = bad_review(&sandbox).await;
    let records = wait_for(&sandbox, Duration::from_secs(10), |r| !r.is_empty()).await;
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0].comment_id, comment_id);
    assert_eq!(records[0].attempt, 1);
    assert_eq!(records[0].status, Some(200), "{records:#?}");
    assert!(records[0].delivered());

    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let (query, opened) = &received[0];
    let push = opened.as_ref().expect("the push verifies");
    assert_eq!(push.format, format);
    assert_eq!(push.encrypted, safe);
    for name in ["signature=", "timestamp=", "nonce="] {
        assert!(query.contains(name), "{name} in {query}");
    }
    assert_eq!(query.contains("encrypt_type=aes"), safe, "{query}");
    assert_eq!(query.contains("msg_signature="), safe, "{query}");
    let PushEvent::BadScore(event) = &push.event else {
        panic!("not a bad-score event: {:?}", push.event);
    };
    assert_eq!(event.comment_id.as_str(), comment_id);
    assert!(
        event.to_user_name.starts_with("gh_"),
        "{}",
        event.to_user_name
    );
    assert!(!event.from_user_name.is_empty());
    let skew = Timestamp::now()
        .duration_since(event.create_time)
        .as_secs()
        .abs();
    assert!(skew < 60, "CreateTime is now: {skew} s off");
}

#[tokio::test(flavor = "multi_thread")]
async fn plaintext_xml_push_verifies() {
    push_verifies(Format::Xml, false, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plaintext_json_push_verifies() {
    push_verifies(Format::Json, false, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn safe_xml_push_verifies_with_the_sandbox_appid() {
    push_verifies(Format::Xml, true, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn safe_json_push_verifies_with_an_explicit_appid() {
    push_verifies(Format::Json, true, true).await;
}

/// Starts a sandbox pushing to a receiver that misbehaves; returns the attempts of one push.
async fn attempts_against(behaviour: Behaviour) -> (Vec<PushRecord>, usize) {
    let (receiver, url) = start_receiver(behaviour).await;
    receiver
        .config
        .set(PushConfig::new(TOKEN).unwrap())
        .unwrap();
    let sandbox = Sandbox::builder()
        .seed(12)
        .comments(30)
        .rates(10)
        .push(PushTarget::new(url, TOKEN))
        .push_retry_after(Duration::from_millis(200))
        .start("127.0.0.1:0")
        .unwrap();
    let comment_id = bad_review(&sandbox).await;
    let records = wait_for(&sandbox, Duration::from_secs(10), |r| r.len() >= 4).await;
    // Long enough for a fifth attempt, if there were one.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let records_after = sandbox.pushes();
    assert_eq!(records, records_after, "no fifth attempt");
    assert!(records.iter().all(|r| r.comment_id == comment_id));
    let attempts: Vec<u32> = records.iter().map(|r| r.attempt).collect();
    assert_eq!(attempts, [1, 2, 3, 4]);
    assert!(records.iter().all(|r| !r.delivered()));
    (records, receiver.hits.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_receiver_gets_exactly_four_attempts() {
    let (records, hits) = attempts_against(Behaviour::Stall(Duration::from_secs(2))).await;
    assert_eq!(hits, 4);
    for record in &records {
        assert_eq!(record.status, None);
        assert!(
            record.error.as_deref().unwrap().contains("no answer"),
            "{record:?}"
        );
    }
    // One attempt per `push_retry_after`.
    for pair in records.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at).as_millis();
        assert!((150..1000).contains(&gap), "{gap} ms between attempts");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_receiver_gets_exactly_four_attempts() {
    let (records, hits) = attempts_against(Behaviour::Fail).await;
    assert_eq!(hits, 4);
    assert!(
        records
            .iter()
            .all(|r| r.status == Some(500) && r.error.is_none()),
        "{records:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_answers_stops_the_retries() {
    let (receiver, url) = start_receiver(Behaviour::Accept).await;
    receiver
        .config
        .set(PushConfig::new(TOKEN).unwrap())
        .unwrap();
    let sandbox = Sandbox::builder()
        .seed(13)
        .comments(10)
        .rates(10)
        .push(PushTarget::new(url, TOKEN).format(Format::Json))
        .push_retry_after(Duration::from_millis(100))
        .start("127.0.0.1:0")
        .unwrap();
    let first = bad_review(&sandbox).await;
    let second = bad_review(&sandbox).await;
    assert_ne!(first, second);
    let records = wait_for(&sandbox, Duration::from_secs(10), |r| r.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        sandbox.pushes(),
        records,
        "delivered pushes are not retried"
    );
    assert!(records.iter().all(|r| r.attempt == 1 && r.delivered()));

    // The log is served over HTTP too.
    let body = reqwest::get(format!("{}/sandbox/pushes", sandbox.base_url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let ids: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["comment_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&first.as_str()) && ids.contains(&second.as_str()));
    assert_eq!(log[0]["attempt"], 1);
    assert_eq!(log[0]["status"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_timer_pushes_new_bad_reviews() {
    let (receiver, url) = start_receiver(Behaviour::Accept).await;
    let sandbox = Sandbox::builder()
        .seed(14)
        .comments(10)
        .rates(10)
        .push(PushTarget::new(url, TOKEN).safe_mode(AES_KEY))
        .push_every(Duration::from_millis(150))
        .start("127.0.0.1:0")
        .unwrap();
    receiver
        .config
        .set(
            PushConfig::new(TOKEN)
                .unwrap()
                .with_aes(AES_KEY, sandbox.wechat().appid.as_str())
                .unwrap(),
        )
        .unwrap();
    let records = wait_for(&sandbox, Duration::from_secs(10), |r| {
        r.iter().filter(|r| r.delivered()).count() >= 2
    })
    .await;
    let delivered: Vec<&PushRecord> = records.iter().filter(|r| r.delivered()).collect();
    assert_ne!(
        delivered[0].comment_id, delivered[1].comment_id,
        "each tick is a new review"
    );
    let received = receiver.received.lock().unwrap().clone();
    assert!(
        received.iter().filter(|(_, opened)| opened.is_ok()).count() >= 2,
        "{received:?}"
    );
}

#[test]
fn a_bad_push_target_is_refused_at_start() {
    let short_token = Sandbox::builder()
        .push(PushTarget::new("http://127.0.0.1:9/", "x"))
        .start("127.0.0.1:0");
    assert!(short_token.is_err());
    let bad_key = Sandbox::builder()
        .push(PushTarget::new("http://127.0.0.1:9/", TOKEN).safe_mode("too short"))
        .start("127.0.0.1:0");
    assert!(bad_key.is_err());
    let not_http = Sandbox::builder()
        .push(PushTarget::new("ftp://example.com/", TOKEN))
        .start("127.0.0.1:0");
    let err = not_http.unwrap_err().to_string();
    assert!(err.contains("push URL"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_target_a_bad_review_is_created_but_not_pushed() {
    let sandbox = Sandbox::builder()
        .seed(15)
        .comments(10)
        .rates(10)
        .start("127.0.0.1:0")
        .unwrap();
    let id = bad_review(&sandbox).await;
    assert!(!id.is_empty());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sandbox.pushes().is_empty());
}
