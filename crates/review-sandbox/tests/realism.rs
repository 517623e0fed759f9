//! A realistic network over real loopback HTTP: answers delayed with jitter (and overlapping
//! when concurrent), and the per-tenant request quota in fixed windows of the sandbox clock,
//! with both platforms' refusal bodies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use common::{Raw, admin, base_url, call, context, http_client, send};
use http::Method;
use jiff::{SignedDuration, Timestamp};
use review_model::AccessToken;
use review_protocol::Endpoint;
use review_protocol::taobao::{Fw199Context, SearchTradeRates};
use review_protocol::wechat::{AddReply, GetCommentList, GetToken, WechatContext};
use review_sandbox::{Sandbox, SandboxBuilder, TenantCredentials};
use serde_json::Value;

fn builder() -> SandboxBuilder {
    Sandbox::builder().seed(16).comments(30).rates(30)
}

fn list() -> GetCommentList {
    let now = Timestamp::now();
    GetCommentList::new(
        now - SignedDuration::from_hours(24 * 30),
        now + SignedDuration::from_hours(24 * 3),
    )
}

fn json(raw: &Raw) -> Value {
    serde_json::from_slice(&raw.body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_wait_about_the_latency_and_concurrent_ones_overlap() {
    let sandbox = builder()
        .latency(Duration::from_millis(200))
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(None);
    let ctx = context(&client, &sandbox).await;

    let started = Instant::now();
    call(&client, &list(), &ctx).await.unwrap();
    let single = started.elapsed();
    assert!(single >= Duration::from_millis(150), "{single:?}");

    let started = Instant::now();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let (client, ctx) = (client.clone(), ctx.clone());
            tokio::spawn(async move { call(&client, &list(), &ctx).await.label() })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), "ok");
    }
    let all = started.elapsed();
    assert!(all >= Duration::from_millis(150), "{all:?}");
    assert!(
        all < Duration::from_secs(2),
        "50 concurrent calls took {all:?}"
    );

    // The gateway's answers wait too.
    let started = Instant::now();
    let search = SearchTradeRates::received(sandbox.taobao().seller_nick.clone());
    let gateway = Fw199Context::new(
        base_url(&sandbox),
        sandbox.taobao().gateway.clone(),
        Timestamp::now(),
    );
    call(&client, &search, &gateway).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_s_own_routes_are_not_delayed() {
    let sandbox = builder()
        .latency(Duration::from_secs(20))
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(None);
    let started = Instant::now();
    admin(&client, &sandbox, Method::GET, "/sandbox/health").await;
    admin(&client, &sandbox, Method::GET, "/sandbox/stats").await;
    // At least 16 s if it were delayed.
    assert!(started.elapsed() < Duration::from_secs(8));
}

/// Moves the sandbox's clock to 100 ms past the start of its next quota window of
/// `window_ms`, so that a test has most of a window before it turns (a minute here).
async fn to_window_start(client: &reqwest::Client, sandbox: &Sandbox, window_ms: i64) {
    let moved = admin(client, sandbox, Method::POST, "/sandbox/clock?advance=0").await;
    let now: Timestamp = moved["now"].as_str().unwrap().parse().unwrap();
    let into = now.as_millisecond().rem_euclid(window_ms);
    sandbox.advance_clock(SignedDuration::from_millis(window_ms - into + 100));
}

/// A token of `tenant`.
async fn token_of(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    tenant: &TenantCredentials,
) -> AccessToken {
    let endpoint = GetToken::new(tenant.wechat.appid.clone(), tenant.wechat.secret.clone());
    call(client, &endpoint, &base_url(sandbox))
        .await
        .unwrap()
        .access_token
}

/// The raw answer of a comment-list call with `token`.
async fn list_raw(client: &reqwest::Client, sandbox: &Sandbox, token: &AccessToken) -> Value {
    let ctx = WechatContext::new(base_url(sandbox), token.clone());
    json(&send(client, list().request(&ctx).unwrap()).await.unwrap())
}

const QUOTA_MESSAGE: &str = "api minute-quota reach limit  mustslower  retry next minute";

#[tokio::test(flavor = "multi_thread")]
async fn a_wechat_window_grants_its_quota_then_answers_45011_until_the_next() {
    let sandbox = builder()
        .tenants(2)
        .quota_per_minute(3)
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(None);
    let tenants = sandbox.tenants().to_vec();
    token_of(&client, &sandbox, &tenants[0]).await;
    let other = token_of(&client, &sandbox, &tenants[1]).await;
    to_window_start(&client, &sandbox, 60_000).await;

    // Refused calls spend nothing: a token no tenant issued, and token calls.
    for _ in 0..3 {
        let unknown = list_raw(&client, &sandbox, &AccessToken::new("nope")).await;
        assert_eq!(unknown["errcode"], 40014);
        token_of(&client, &sandbox, &tenants[0]).await;
    }
    // The quota: three granted, then 45011 (and the refusals spend nothing either).
    let token = token_of(&client, &sandbox, &tenants[0]).await;
    for _ in 0..3 {
        assert_eq!(list_raw(&client, &sandbox, &token).await["errcode"], 0);
    }
    for _ in 0..2 {
        let refused = list_raw(&client, &sandbox, &token).await;
        assert_eq!(refused["errcode"], 45011, "{refused}");
        let errmsg = refused["errmsg"].as_str().unwrap();
        assert!(
            errmsg.starts_with(&format!("{QUOTA_MESSAGE} rid: ")),
            "{errmsg}"
        );
        assert_eq!(refused.as_object().unwrap().len(), 2, "{refused}");
    }
    // A comment write refuses in its own shape, before anything is executed.
    let ctx = WechatContext::new(base_url(&sandbox), token.clone());
    let reply = AddReply::new(review_model::CommentId::new("2855501937264308224"), "谢谢");
    let refused = json(&send(&client, reply.request(&ctx).unwrap()).await.unwrap());
    assert_eq!(refused["errcode"], 45011);
    assert_eq!(refused["success"], false);
    assert!(sandbox.writes().is_empty());
    // The client classifies it as a retryable rate limit.
    let err = match call(&client, &list(), &ctx).await {
        common::Outcome::Failed(err) => err,
        other => panic!("expected 45011, got {}", other.label()),
    };
    assert!(err.is_retryable(), "{err}");

    // Another tenant has its own quota.
    for _ in 0..3 {
        assert_eq!(list_raw(&client, &sandbox, &other).await["errcode"], 0);
    }
    assert_eq!(list_raw(&client, &sandbox, &other).await["errcode"], 45011);

    // The next window grants three again.
    sandbox.advance_clock(SignedDuration::from_secs(60));
    for _ in 0..3 {
        assert_eq!(list_raw(&client, &sandbox, &token).await["errcode"], 0);
    }
    assert_eq!(list_raw(&client, &sandbox, &token).await["errcode"], 45011);

    let stats = sandbox.stats();
    assert_eq!(stats.answers["quota_wechat"], 6, "{:?}", stats.answers);
    assert!(!stats.answers.contains_key("45011"), "{:?}", stats.answers);
    // Six tokens and nine pages granted; three calls with an unknown token.
    assert_eq!(stats.answers["0"], 15, "{:?}", stats.answers);
    assert_eq!(stats.answers["40014"], 3, "{:?}", stats.answers);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_window_turns_by_itself() {
    let sandbox = builder()
        .quota_per_minute(2)
        .quota_window(Duration::from_secs(2))
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(None);
    let token = token_of(&client, &sandbox, &sandbox.tenants()[0].clone()).await;
    // Right after a window starts: three calls take milliseconds of its two seconds.
    to_window_start(&client, &sandbox, 2000).await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(
            list_raw(&client, &sandbox, &token).await["errcode"]
                .as_i64()
                .unwrap(),
        );
    }
    assert_eq!(codes, [0, 0, 45011]);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(list_raw(&client, &sandbox, &token).await["errcode"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_answers_code_10007_over_the_quota() {
    let sandbox = builder()
        .tenants(2)
        .quota_per_minute(2)
        .start("127.0.0.1:0")
        .unwrap();
    let client = http_client(None);
    to_window_start(&client, &sandbox, 60_000).await;
    let search_as = |tenant: &TenantCredentials, secret_ok: bool| {
        let mut credentials = tenant.taobao.gateway.clone();
        if !secret_ok {
            credentials = review_protocol::taobao::Fw199Credentials::new(
                credentials.appid,
                review_model::Secret::new("wrong"),
            );
        }
        // The sandbox's clock was moved: sign with its time.
        let now = Timestamp::now() + SignedDuration::from_secs(61);
        let ctx = Fw199Context::new(base_url(&sandbox), credentials, now);
        SearchTradeRates::received(tenant.taobao.seller_nick.clone())
            .request(&ctx)
            .unwrap()
    };
    let tenants = sandbox.tenants().to_vec();
    // A bad signature spends nothing.
    let refused = json(&send(&client, search_as(&tenants[0], false)).await.unwrap());
    assert_eq!(refused["code"], 10001);
    for _ in 0..2 {
        let page = json(&send(&client, search_as(&tenants[0], true)).await.unwrap());
        assert_eq!(page["code"], 0, "{page}");
    }
    let raw = send(&client, search_as(&tenants[0], true)).await.unwrap();
    assert_eq!(raw.status, 200);
    let refused = json(&raw);
    assert_eq!(refused["code"], 10007, "{refused}");
    assert_eq!(refused["data"], Value::Null);
    assert!(!refused["trace_id"].as_str().unwrap().is_empty());
    let message = refused["message"].as_str().unwrap();
    assert!(message.starts_with("调用频率超限: "), "{message}");
    assert!(message.contains("at most 2 calls per minute"), "{message}");
    let mut keys: Vec<&String> = refused.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["code", "data", "message", "trace_id"]);
    // What a client makes of it: an fw199 refusal with its code.
    let ctx = Fw199Context::new(
        base_url(&sandbox),
        tenants[0].taobao.gateway.clone(),
        Timestamp::now() + SignedDuration::from_secs(61),
    );
    let search = SearchTradeRates::received(tenants[0].taobao.seller_nick.clone());
    let label = call(&client, &search, &ctx).await.label();
    assert!(label.contains("fw199 error 10007"), "{label}");

    // The other tenant's shop has its own quota.
    let page = json(&send(&client, search_as(&tenants[1], true)).await.unwrap());
    assert_eq!(page["code"], 0, "{page}");
    assert_eq!(sandbox.stats().answers["quota_fw199"], 2);
}

#[test]
fn latency_and_quota_outside_their_ranges_are_refused() {
    use review_sandbox::{
        MAX_LATENCY, MAX_QUOTA_PER_MINUTE, MAX_QUOTA_WINDOW, MIN_QUOTA_WINDOW, SandboxError,
    };
    let refused = |builder: SandboxBuilder, option: &str| match builder.start("127.0.0.1:0") {
        Err(err @ SandboxError::OutOfRange { option: named, .. }) => {
            assert_eq!(named, option);
            err.to_string()
        }
        other => panic!("{option}: expected OutOfRange, got {other:?}"),
    };
    assert_eq!(
        refused(
            builder().latency(MAX_LATENCY + Duration::from_millis(1)),
            "latency"
        ),
        "the sandbox option `latency` must be within 0ns..=60s, not 60.001s"
    );
    assert_eq!(
        refused(builder().quota_per_minute(0), "quota_per_minute"),
        "the sandbox option `quota_per_minute` must be within 1..=10000000, not 0"
    );
    refused(
        builder().quota_per_minute(MAX_QUOTA_PER_MINUTE + 1),
        "quota_per_minute",
    );
    refused(builder().quota_window(MIN_QUOTA_WINDOW / 2), "quota_window");
    refused(builder().quota_window(MAX_QUOTA_WINDOW * 2), "quota_window");
    // The extremes are accepted.
    builder()
        .latency(MAX_LATENCY)
        .quota_per_minute(MAX_QUOTA_PER_MINUTE)
        .quota_window(MIN_QUOTA_WINDOW)
        .start("127.0.0.1:0")
        .unwrap();
}
