//! `GET /sandbox/stats`, `POST /sandbox/stats/reset` and `Sandbox::stats` over real loopback
//! HTTP: what is counted, under which key, and that the HTTP and Rust views agree.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{admin, base_url, call, context, http_client};
use http::Method;
use jiff::{SignedDuration, Timestamp};
use review_model::Secret;
use review_protocol::taobao::{Fw199Context, Fw199Credentials, SearchTradeRates};
use review_protocol::wechat::{GetCommentList, GetStableToken, GetToken, WechatContext};
use review_sandbox::{FaultKind, Sandbox, SandboxBuilder, SandboxStats};
use serde_json::{Value, json};

fn builder() -> SandboxBuilder {
    Sandbox::builder().seed(77).comments(30).rates(30)
}

fn list() -> GetCommentList {
    let now = Timestamp::now();
    GetCommentList::new(
        now - SignedDuration::from_hours(24 * 30),
        now + SignedDuration::from_hours(1),
    )
}

fn search(sandbox: &Sandbox) -> SearchTradeRates {
    SearchTradeRates::received(sandbox.taobao().seller_nick.clone())
}

fn gateway(sandbox: &Sandbox, secret: Option<&str>) -> Fw199Context {
    let mut credentials = sandbox.taobao().gateway.clone();
    if let Some(secret) = secret {
        credentials = Fw199Credentials::new(credentials.appid, Secret::new(secret));
    }
    Fw199Context::new(base_url(sandbox), credentials, Timestamp::now())
}

/// A raw request; its status.
async fn status(client: &reqwest::Client, sandbox: &Sandbox, method: Method, path: &str) -> u16 {
    let response = client
        .request(method, format!("{}{path}", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

fn zero() -> Value {
    json!({
        "token_requests": {"plain": 0, "stable": 0},
        "tokens_minted": 0,
        "requests": {},
        "answers": {},
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn every_api_request_and_answer_is_counted_by_path_and_code() {
    let sandbox = builder().start("127.0.0.1:0").unwrap();
    let client = http_client(None);
    assert_eq!(sandbox.stats(), SandboxStats::default());
    assert_eq!(
        admin(&client, &sandbox, Method::GET, "/sandbox/stats").await,
        zero()
    );

    let creds = sandbox.wechat();
    let base = base_url(&sandbox);
    // Two plain tokens (two minted), a wrong secret (refused, none minted), two stable calls
    // (one minted: the second answers the same token).
    let ctx = context(&client, &sandbox).await;
    context(&client, &sandbox).await;
    let wrong = GetToken::new(creds.appid.clone(), Secret::new("not-the-secret"));
    assert_eq!(call(&client, &wrong, &base).await.label(), "errcode 40125");
    let stable = GetStableToken::new(creds.appid.clone(), creds.secret.clone(), false);
    call(&client, &stable, &base).await.unwrap();
    call(&client, &stable, &base).await.unwrap();
    // A read, and one with a token we never issued.
    call(&client, &list(), &ctx).await.unwrap();
    let unknown = WechatContext::new(base.clone(), review_model::AccessToken::new("nope"));
    assert_eq!(
        call(&client, &list(), &unknown).await.label(),
        "errcode 40014"
    );
    // The gateway: a search, and one signed with the wrong secret.
    call(&client, &search(&sandbox), &gateway(&sandbox, None))
        .await
        .unwrap();
    let bad = gateway(&sandbox, Some("wrong-secret"));
    assert!(
        call(&client, &search(&sandbox), &bad)
            .await
            .label()
            .contains("10001")
    );
    // HTTP-level refusals: an unknown path, the wrong method on a token endpoint.
    assert_eq!(
        status(&client, &sandbox, Method::GET, "/cgi-bin/nope").await,
        404
    );
    assert_eq!(
        status(&client, &sandbox, Method::GET, "/cgi-bin/stable_token").await,
        405
    );
    // Admin routes are not counted.
    admin(&client, &sandbox, Method::GET, "/sandbox/health").await;
    assert_eq!(
        status(&client, &sandbox, Method::GET, "/sandbox/nope").await,
        404
    );

    let expected = json!({
        "token_requests": {"plain": 3, "stable": 2},
        "tokens_minted": 3,
        "requests": {
            "/cgi-bin/token": 3,
            "/cgi-bin/stable_token": 3,
            "/cgi-bin/nope": 1,
            "/wxaapi/comment/mpcommentlist/get": 2,
            "/gateway/taobao/traderates/get": 2,
        },
        "answers": {"0": 6, "40125": 1, "40014": 1, "10001": 1, "http_404": 1, "http_405": 1},
    });
    let over_http = admin(&client, &sandbox, Method::GET, "/sandbox/stats").await;
    assert_eq!(over_http, expected);
    assert_eq!(serde_json::to_value(sandbox.stats()).unwrap(), expected);
    let parsed: SandboxStats = serde_json::from_value(over_http).unwrap();
    assert_eq!(parsed, sandbox.stats());
    assert_eq!(parsed.token_requests.stable, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_answers_what_it_cleared_and_zeroes_everything() {
    let sandbox = builder().start("127.0.0.1:0").unwrap();
    let client = http_client(None);
    let ctx = context(&client, &sandbox).await;
    call(&client, &list(), &ctx).await.unwrap();

    let cleared = admin(&client, &sandbox, Method::POST, "/sandbox/stats/reset").await;
    assert_eq!(cleared["token_requests"]["plain"], 1);
    assert_eq!(cleared["tokens_minted"], 1);
    assert_eq!(cleared["requests"]["/wxaapi/comment/mpcommentlist/get"], 1);
    assert_eq!(cleared["answers"], json!({"0": 2}));
    assert_eq!(
        admin(&client, &sandbox, Method::GET, "/sandbox/stats").await,
        zero()
    );
    assert_eq!(sandbox.stats(), SandboxStats::default());
    // GET is not the reset.
    assert_eq!(
        status(&client, &sandbox, Method::GET, "/sandbox/stats/reset").await,
        405
    );

    // Counting goes on after a reset; the Rust reset does the same.
    call(&client, &list(), &ctx).await.unwrap();
    let cleared = sandbox.reset_stats();
    assert_eq!(cleared.requests["/wxaapi/comment/mpcommentlist/get"], 1);
    assert_eq!(cleared.token_requests.plain, 0);
    assert_eq!(sandbox.stats(), SandboxStats::default());
}

/// A sandbox whose every faultable request meets `kind`.
fn faulted(kind: FaultKind) -> Sandbox {
    builder()
        .faults(1.0)
        .fault_kinds(&[kind])
        .start("127.0.0.1:0")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_injected_answers_are_counted_too() {
    let client = http_client(None);

    let sandbox = faulted(FaultKind::RateLimited);
    let ctx = context(&client, &sandbox).await;
    assert_eq!(call(&client, &list(), &ctx).await.label(), "errcode 45011");
    assert_eq!(sandbox.stats().answers["45011"], 1);
    // The token endpoint is never faulted.
    assert_eq!(sandbox.stats().answers["0"], 1);

    let sandbox = faulted(FaultKind::BadGateway);
    let ctx = context(&client, &sandbox).await;
    assert_eq!(call(&client, &list(), &ctx).await.label(), "http 502");
    let gateway = gateway(&sandbox, None);
    assert_eq!(
        call(&client, &search(&sandbox), &gateway).await.label(),
        "http 502"
    );
    assert_eq!(sandbox.stats().answers["http_502"], 2);

    let sandbox = faulted(FaultKind::DroppedConnection);
    let ctx = context(&client, &sandbox).await;
    assert!(
        call(&client, &list(), &ctx)
            .await
            .label()
            .starts_with("lost")
    );
    let stats = serde_json::to_value(sandbox.stats()).unwrap();
    assert_eq!(stats["answers"], json!({"0": 1, "dropped": 1}));
    assert_eq!(stats["requests"]["/wxaapi/comment/mpcommentlist/get"], 1);
}
