//! The mirror's two promises, measured against the sandbox on loopback in one run:
//!
//! - a first sync (20,000 comments and 20,000 rates by default) against an export of the same
//!   range, as `reviews export` does it (every review encoded as a JSON line): goal <= 1.5x;
//! - an incremental sync of a 100,000-review mirror with 100 new reviews: the requests it makes
//!   are exactly those of a sync of the lookback window alone (counted by the sandbox), and its
//!   time a small fraction of the first sync's (goal <= 0.25x).
//!
//! `SYNC_COMMENTS`, `SYNC_RATES` and `SYNC_MIRROR` (the incremental mirror's size) shrink it
//! for a quick run.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::float_arithmetic
)]

use std::io::Write;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use review_client::{ClientConfig, TaobaoReviews, WechatReviews};
use review_model::Platform;
use review_protocol::retry::RetryPolicy;
use review_protocol::sync::LOOKBACK;
use review_sandbox::Sandbox;
use review_store::{Mirror, MirrorUrl, Tenant};
use review_sync::{SyncRequest, sync_blocking};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sandbox(comments: usize, rates: usize) -> Sandbox {
    Sandbox::builder()
        .comments(comments)
        .rates(rates)
        .start("127.0.0.1:0")
        .unwrap()
}

fn client(sandbox: &Sandbox) -> review_ureq::Client {
    let (w, t) = (sandbox.wechat().clone(), sandbox.taobao().clone());
    review_ureq::client(
        ClientConfig::new()
            .wechat(sandbox.base_url().parse().unwrap(), w.appid, w.secret)
            .fw199(
                sandbox.base_url().parse().unwrap(),
                t.gateway.appid,
                t.gateway.secret,
                t.seller_nick,
            )
            .retry(RetryPolicy::never()),
    )
}

fn tenants(sandbox: &Sandbox) -> Vec<Tenant> {
    vec![
        Tenant::new(Platform::Wechat, sandbox.wechat().appid.to_string()),
        Tenant::new(Platform::Taobao, sandbox.taobao().seller_nick.clone()),
    ]
}

fn mirror(dir: &tempfile::TempDir, name: &str) -> Mirror {
    let url: MirrorUrl = format!("sqlite:{}", dir.path().join(name).display())
        .parse()
        .unwrap();
    Mirror::open(&url).unwrap()
}

/// The export of `[since, now]`, each review a JSON line into a buffer, as `reviews export`.
fn export(client: &review_ureq::Client, since: Timestamp, now: Timestamp) -> usize {
    let mut out = std::io::BufWriter::new(std::io::sink());
    let mut count = 0;
    for review in client.reviews(WechatReviews::new(since, now)).unwrap() {
        serde_json::to_writer(&mut out, &review.unwrap()).unwrap();
        out.write_all(b"\n").unwrap();
        count += 1;
    }
    for review in client.reviews(TaobaoReviews::new(since, now)).unwrap() {
        serde_json::to_writer(&mut out, &review.unwrap()).unwrap();
        out.write_all(b"\n").unwrap();
        count += 1;
    }
    out.flush().unwrap();
    count
}

/// Listing requests the sandbox saw (token requests aside).
fn listing_requests(sandbox: &Sandbox) -> u64 {
    sandbox
        .stats()
        .requests
        .iter()
        .filter(|(path, _)| !path.starts_with("/cgi-bin/"))
        .map(|(_, n)| *n)
        .sum()
}

fn first_sync_against_export() {
    let (comments, rates) = (env("SYNC_COMMENTS", 20_000), env("SYNC_RATES", 20_000));
    let sandbox = sandbox(comments, rates);
    let client = client(&sandbox);
    let now = Timestamp::now();
    let since = now - SignedDuration::from_hours(24 * 179);
    let dir = tempfile::tempdir().unwrap();
    let (mut export_best, mut sync_best) = (Duration::MAX, Duration::MAX);
    let mut counts = (0, 0);
    for run in 0..3 {
        let started = Instant::now();
        counts.0 = export(&client, since, now);
        export_best = export_best.min(started.elapsed());

        let mut mirror = mirror(&dir, &format!("first-{run}.sqlite3"));
        let mut request = SyncRequest::new(tenants(&sandbox)).since(since);
        request.now = Some(now);
        let started = Instant::now();
        let report = sync_blocking(&client, &mut mirror, &request, &mut ()).unwrap();
        sync_best = sync_best.min(started.elapsed());
        counts.1 = report.new;
    }
    println!("first sync of {comments} comments and {rates} rates into SQLite, best of 3");
    println!(
        "  export (JSON lines)  {export_best:>10.1?}  ({} reviews)",
        counts.0
    );
    println!(
        "  first sync           {sync_best:>10.1?}  ({} reviews)",
        counts.1
    );
    println!(
        "  first sync / export: {:.2}x (target <= 1.50x)",
        sync_best.as_secs_f64() / export_best.as_secs_f64()
    );
}

fn incremental_sync() {
    let size = env("SYNC_MIRROR", 100_000);
    let sandbox = sandbox(size / 2, size - size / 2);
    let client = client(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let mut mirror = mirror(&dir, "incremental.sqlite3");
    let request = SyncRequest::new(tenants(&sandbox));
    let started = Instant::now();
    let first = sync_blocking(&client, &mut mirror, &request, &mut ()).unwrap();
    let first_took = started.elapsed();

    for _ in 0..100 {
        ureq::post(&format!("{}/sandbox/bad-review", sandbox.base_url()))
            .send_empty()
            .unwrap();
    }
    sandbox.reset_stats();
    let started = Instant::now();
    let later = sync_blocking(&client, &mut mirror, &request, &mut ()).unwrap();
    let later_took = started.elapsed();
    let later_requests = listing_requests(&sandbox);

    // The same lookback window synced into an empty mirror: the requests it needs.
    let mut fresh = self::mirror(&dir, "window.sqlite3");
    let now = Timestamp::now();
    let window = SyncRequest::new(tenants(&sandbox)).since(now - LOOKBACK);
    sandbox.reset_stats();
    sync_blocking(&client, &mut fresh, &window, &mut ()).unwrap();
    let window_requests = listing_requests(&sandbox);

    println!(
        "incremental sync of a {} review mirror with 100 new reviews",
        first.new
    );
    println!(
        "  first sync           {first_took:>10.1?}  ({} requests)",
        first.requests
    );
    println!(
        "  incremental sync     {later_took:>10.1?}  ({later_requests} requests, {} new)",
        later.new
    );
    println!("  lookback window alone: {window_requests} requests");
    println!(
        "  incremental requests / lookback window's: {:.2}x (target = 1.00x); incremental / first sync time: {:.2}x (target <= 0.25x)",
        later_requests as f64 / window_requests.max(1) as f64,
        later_took.as_secs_f64() / first_took.as_secs_f64()
    );
}

fn main() {
    first_sync_against_export();
    incremental_sync();
}
