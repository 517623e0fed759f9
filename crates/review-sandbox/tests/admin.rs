//! The sandbox's own endpoints under `/sandbox/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Outcome, admin, call, context, http_client};
use http::Method;
use jiff::{SignedDuration, Timestamp};
use review_protocol::wechat::GetCommentList;
use review_sandbox::Sandbox;

fn sandbox() -> Sandbox {
    Sandbox::builder()
        .seed(31)
        .comments(40)
        .rates(20)
        .start("127.0.0.1:0")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_ok() {
    let sandbox = sandbox();
    let health = admin(&http_client(None), &sandbox, Method::GET, "/sandbox/health").await;
    assert_eq!(health, serde_json::json!({"ok": true}));
}

#[tokio::test(flavor = "multi_thread")]
async fn moving_the_clock_expires_tokens() {
    let sandbox = sandbox();
    let client = http_client(None);
    let ctx = context(&client, &sandbox).await;
    let now = Timestamp::now();
    let list = GetCommentList::new(
        now - SignedDuration::from_hours(24 * 30),
        now + SignedDuration::from_hours(3),
    );
    assert!(matches!(call(&client, &list, &ctx).await, Outcome::Done(_)));

    let moved = admin(
        &client,
        &sandbox,
        Method::POST,
        "/sandbox/clock?advance=7300",
    )
    .await;
    assert_eq!(moved["advanced_seconds"], 7300);
    let sandbox_now: Timestamp = moved["now"].as_str().unwrap().parse().unwrap();
    let ahead = sandbox_now.duration_since(Timestamp::now()).as_secs();
    assert!((7200..7400).contains(&ahead), "{ahead} s ahead");
    assert_eq!(call(&client, &list, &ctx).await.label(), "errcode 42001");

    // Back again: the token lives.
    admin(
        &client,
        &sandbox,
        Method::POST,
        "/sandbox/clock?advance=-7300",
    )
    .await;
    assert!(matches!(call(&client, &list, &ctx).await, Outcome::Done(_)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_clock_request_is_refused_with_a_reason() {
    let sandbox = sandbox();
    let client = http_client(None);
    for query in ["", "?advance=soon", "?advance=1.5"] {
        let response = client
            .post(format!("{}/sandbox/clock{query}", sandbox.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("advance"),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_review_is_new_bad_and_listed() {
    let sandbox = sandbox();
    let client = http_client(None);
    let comment = admin(&client, &sandbox, Method::POST, "/sandbox/bad-review").await;
    let id = comment["commentId"].as_str().unwrap();
    assert_eq!(id.len(), 19, "{comment}");
    let ctx = context(&client, &sandbox).await;
    let now = Timestamp::now();
    let bad = GetCommentList::new(
        now - SignedDuration::from_mins(5),
        now + SignedDuration::from_mins(5),
    )
    .filter(review_model::wechat::FilterType::PendingCompromise);
    let page = call(&client, &bad, &ctx).await.unwrap();
    assert!(
        page.comments.iter().any(|c| c.comment_id.as_str() == id),
        "{page:?}"
    );
    assert!(page.comments.iter().all(|c| c.score.get() <= 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_logs_start_empty() {
    let sandbox = sandbox();
    let client = http_client(None);
    assert_eq!(
        admin(&client, &sandbox, Method::GET, "/sandbox/writes").await,
        serde_json::json!([])
    );
    assert_eq!(
        admin(&client, &sandbox, Method::GET, "/sandbox/pushes").await,
        serde_json::json!([])
    );
}
