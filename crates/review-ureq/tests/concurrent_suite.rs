//! Concurrent walks against the sandbox over real loopback HTTP, on both drivers (the blocking
//! client over ureq, the async client over reqwest): with 8 requests in flight they deliver
//! exactly the sequential walks' reviews in the same order, and still do with 20% of the
//! requests meeting faults.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::ops::ControlFlow;
use std::time::Duration;

use futures_util::TryStreamExt;
use jiff::{SignedDuration, Timestamp};
use review_client::{
    AsyncClient, BlockingClient, ClientConfig, ClientError, MemoryTokenStore, RateRange,
    TaobaoReviews, Walked, WechatReviews,
};
use review_model::Review;
use review_protocol::concurrent::Concurrency;
use review_protocol::retry::RetryPolicy;
use review_protocol::taobao::PlanStats;
use review_protocol::wechat::ReviewStats;
use review_protocol::wechat::token_cache::{RefreshKind, TokenConfig};
use review_reqwest::ReqwestTransport;
use review_sandbox::Sandbox;
use review_ureq::UreqTransport;

fn config_for(sandbox: &Sandbox) -> ClientConfig {
    let base = sandbox.base_url().parse().unwrap();
    let creds = sandbox.wechat();
    let store = std::sync::Arc::new(MemoryTokenStore::new(
        creds.appid.clone(),
        creds.secret.clone(),
        TokenConfig::new(RefreshKind::Plain),
    ));
    let fw = sandbox.taobao();
    ClientConfig::new()
        .wechat_with_store(sandbox.base_url().parse().unwrap(), store)
        .fw199(
            base,
            fw.gateway.appid.clone(),
            fw.gateway.secret.clone(),
            fw.seller_nick.clone(),
        )
        .timeout(Duration::from_millis(800))
        .retry(RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_elapsed: Duration::from_secs(30),
        })
}

/// One range for every run of a test: Taobao's windows, and so the order of its rates, depend
/// on where the range ends.
fn window() -> (Timestamp, Timestamp) {
    let now = Timestamp::now();
    (now - SignedDuration::from_hours(24 * 179), now)
}

/// 8 in flight; the sandbox's injected 45011s and busy answers are not tied to a quota window,
/// so the waits they cause are kept short.
fn settings() -> Concurrency {
    Concurrency::new(8)
        .busy_backoff(Duration::from_millis(10), Duration::from_millis(200))
        .quota_window(Duration::from_millis(50))
}

/// Both platforms' reviews, each read alone, one request at a time.
fn sequential(
    sandbox: &Sandbox,
    (since, until): (Timestamp, Timestamp),
) -> (Vec<Review>, Vec<Review>) {
    let client = BlockingClient::new(UreqTransport::default(), config_for(sandbox));
    let wechat = client
        .reviews(WechatReviews::new(since, until))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let taobao = client
        .reviews(TaobaoReviews::from(RateRange::new(since, until)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (wechat, taobao)
}

type Run = (
    Vec<Review>,
    Walked<ReviewStats>,
    Vec<Review>,
    Walked<PlanStats>,
);

fn blocking(
    sandbox: &Sandbox,
    (since, until): (Timestamp, Timestamp),
    settings: Concurrency,
) -> Result<Run, ClientError> {
    let client = BlockingClient::new(UreqTransport::default(), config_for(sandbox));
    let mut wechat = Vec::new();
    let wechat_walk =
        client.for_each_concurrent(WechatReviews::new(since, until), settings, |review| {
            wechat.push(review);
            ControlFlow::Continue(())
        })?;
    let mut taobao = Vec::new();
    let taobao_walk = client.for_each_concurrent(
        TaobaoReviews::from(RateRange::new(since, until)),
        settings,
        |review| {
            taobao.push(review);
            ControlFlow::Continue(())
        },
    )?;
    Ok((wechat, wechat_walk, taobao, taobao_walk))
}

fn nonblocking(
    sandbox: &Sandbox,
    (since, until): (Timestamp, Timestamp),
    settings: Concurrency,
) -> Result<Run, ClientError> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = AsyncClient::new(ReqwestTransport::new(http), config_for(sandbox));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut stream = client.concurrent(WechatReviews::new(since, until), settings)?;
        let wechat: Vec<Review> = (&mut stream).try_collect().await?;
        let wechat_walk = stream.walked();
        let mut stream =
            client.concurrent(TaobaoReviews::from(RateRange::new(since, until)), settings)?;
        let taobao: Vec<Review> = (&mut stream).try_collect().await?;
        Ok((wechat, wechat_walk, taobao, stream.walked()))
    })
}

type Driver = fn(&Sandbox, (Timestamp, Timestamp), Concurrency) -> Result<Run, ClientError>;

fn ids(reviews: &[Review]) -> Vec<(&str, bool)> {
    reviews.iter().map(|r| (r.id.as_str(), r.replied)).collect()
}

/// The same rates, each once. Two sandboxes started in different seconds date their data a
/// second apart, which moves Taobao's window cuts and so the order within windows (WeChat's
/// order, newest first, does not depend on the windows): across sandboxes, compare sets.
fn same_rates(got: &[Review], expected: &[Review]) {
    let mut got = ids(got);
    let mut expected = ids(expected);
    assert_eq!(got.len(), expected.len());
    got.sort_unstable();
    expected.sort_unstable();
    assert_eq!(got, expected);
    assert!(
        got.windows(2).all(|pair| pair[0] != pair[1]),
        "a rate twice"
    );
}

fn same_as_sequential(run: Driver) {
    let sandbox = Sandbox::builder()
        .seed(31)
        .comments(7_000)
        .rates(5_000)
        .start("127.0.0.1:0")
        .unwrap();
    let range = window();
    let (wechat, taobao) = sequential(&sandbox, range);
    let (got_wechat, wechat_walk, got_taobao, taobao_walk) =
        run(&sandbox, range, settings()).unwrap();
    assert_eq!(ids(&got_wechat), ids(&wechat));
    assert_eq!(ids(&got_taobao), ids(&taobao));
    assert!(wechat.len() > 6_000 && taobao.len() > 4_000);
    let (w, t) = (wechat_walk.concurrency, taobao_walk.concurrency);
    assert!(w.peak_in_flight > 1 && w.peak_in_flight <= 8, "{w:?}");
    assert!(t.peak_in_flight > 1 && t.peak_in_flight <= 8, "{t:?}");
    assert!(w.lanes > 1, "the WeChat walk split into lanes: {w:?}");
    assert_eq!(wechat_walk.walk.unwrap().reviews, wechat.len() as u64);
    let plan = taobao_walk.walk.unwrap();
    assert!(plan.splits > 0, "windows were split under the cap");
    assert_eq!(plan.delivered, taobao.len() as u64);
}

fn faults_change_nothing(run: Driver) {
    let build = || Sandbox::builder().seed(32).comments(1_500).rates(2_000);
    let clean = build().start("127.0.0.1:0").unwrap();
    let faulty = build()
        .faults(0.2)
        .slow_response(Duration::from_millis(1_200))
        .start("127.0.0.1:0")
        .unwrap();
    let range = window();
    let (wechat, taobao) = sequential(&clean, range);
    let (got_wechat, wechat_walk, got_taobao, _) = run(&faulty, range, settings()).unwrap();
    assert_eq!(ids(&got_wechat), ids(&wechat), "WeChat under 20% faults");
    same_rates(&got_taobao, &taobao);
    assert!(wechat_walk.concurrency.peak_in_flight > 1);
}

#[test]
fn blocking_concurrent_is_the_sequential_walk() {
    same_as_sequential(blocking);
}

#[test]
fn async_concurrent_is_the_sequential_walk() {
    same_as_sequential(nonblocking);
}

#[test]
fn blocking_concurrent_under_faults() {
    faults_change_nothing(blocking);
}

#[test]
fn async_concurrent_under_faults() {
    faults_change_nothing(nonblocking);
}

/// Stopping early stops the walk: no further item is handed out.
#[test]
fn a_break_stops_the_blocking_walk() {
    let sandbox = Sandbox::builder()
        .seed(33)
        .comments(2_000)
        .start("127.0.0.1:0")
        .unwrap();
    let client = BlockingClient::new(UreqTransport::default(), config_for(&sandbox));
    let (since, until) = window();
    let mut seen = 0;
    let walked = client
        .for_each_concurrent(WechatReviews::new(since, until), settings(), |_| {
            seen += 1;
            if seen == 150 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(seen, 150);
    assert!(walked.concurrency.answered < 40, "{:?}", walked.concurrency);
}

/// A tenant's quota that the walk must hit: 20 calls per platform in each 1-second window,
/// for walks of more than 60 pages. The walks finish with exactly the unthrottled reviews,
/// and a refused request is sent again only once the next window has started, so that no
/// request is refused twice in a row.
fn a_quota_that_is_hit(run: Driver) {
    let build = || Sandbox::builder().seed(34).comments(4_000).rates(3_000);
    let clean = build().start("127.0.0.1:0").unwrap();
    let limited = build()
        .quota_per_minute(20)
        .quota_window(Duration::from_secs(1))
        .start("127.0.0.1:0")
        .unwrap();
    let range = window();
    let (wechat, taobao) = sequential(&clean, range);
    // The client knows the sandbox's window, as it knows WeChat's minute.
    let paced = Concurrency::new(8).quota_window(Duration::from_secs(1));
    let (got_wechat, wechat_walk, got_taobao, taobao_walk) = run(&limited, range, paced).unwrap();
    assert_eq!(ids(&got_wechat), ids(&wechat));
    same_rates(&got_taobao, &taobao);
    for pace in [wechat_walk.concurrency, taobao_walk.concurrency] {
        assert!(pace.sent > 60, "the walk needs several windows: {pace:?}");
        assert!(pace.refused > 0, "the quota was hit: {pace:?}");
        assert_eq!(
            pace.longest_refusal_run, 1,
            "refused twice in a row: {pace:?}"
        );
    }
    let stats: serde_json::Value = ureq::get(format!("{}/sandbox/stats", limited.base_url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .map(|body| serde_json::from_str(&body).unwrap())
        .unwrap();
    assert!(
        stats["answers"]["quota_wechat"].as_u64().unwrap() > 0,
        "{stats}"
    );
    assert!(
        stats["answers"]["quota_fw199"].as_u64().unwrap() > 0,
        "{stats}"
    );
}

#[test]
fn blocking_concurrent_under_a_quota() {
    a_quota_that_is_hit(blocking);
}

#[test]
fn async_concurrent_under_a_quota() {
    a_quota_that_is_hit(nonblocking);
}
