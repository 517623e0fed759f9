//! Export 100,000 comments from an in-process sandbox with each driver and, in the same run,
//! with a minimal hand-written loop over the same HTTP client and `serde_json::Value`.
//! Target: our drivers within 1.10x of the hand loop's time.
//!
//! `cargo bench -p review-ureq` (set `EXPORT_COMMENTS` for another size).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::float_arithmetic
)]

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use jiff::{SignedDuration, Timestamp};
use review_client::ClientConfig;
use review_protocol::retry::RetryPolicy;
use review_protocol::wechat::GetCommentList;
use review_sandbox::Sandbox;
use serde_json::Value;

const LIMIT: u64 = 100;

fn window() -> (Timestamp, Timestamp) {
    let now = Timestamp::now();
    (
        now - SignedDuration::from_hours(24 * 181),
        now + SignedDuration::from_hours(1),
    )
}

fn config(sandbox: &Sandbox) -> ClientConfig {
    let creds = sandbox.wechat().clone();
    ClientConfig::new()
        .wechat(
            sandbox.base_url().parse().unwrap(),
            creds.appid,
            creds.secret,
        )
        .retry(RetryPolicy::never())
}

fn token_url(sandbox: &Sandbox) -> String {
    let c = sandbox.wechat();
    format!(
        "{}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
        sandbox.base_url(),
        c.appid,
        c.secret.expose_secret()
    )
}

fn list_url(sandbox: &Sandbox, token: &str, offset: u64) -> String {
    let (since, until) = window();
    format!(
        "{}/wxaapi/comment/mpcommentlist/get?startTime={}&endTime={}&filterType=6&offset={offset}&limit={LIMIT}&access_token={token}",
        sandbox.base_url(),
        since.as_second(),
        until.as_second()
    )
}

fn hand_ureq(sandbox: &Sandbox) -> usize {
    let agent = ureq::Agent::new_with_defaults();
    let token: Value = serde_json::from_slice(
        &agent
            .get(&token_url(sandbox))
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap(),
    )
    .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let (mut offset, mut count) = (0u64, 0usize);
    loop {
        let body = agent
            .get(&list_url(sandbox, &token, offset))
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap();
        let page: Value = serde_json::from_slice(&body).unwrap();
        let items = page["commentList"].as_array().map_or(0, Vec::len);
        count += items;
        offset += items as u64;
        if items == 0 || offset >= page["total"].as_u64().unwrap_or(0) {
            return count;
        }
    }
}

async fn hand_reqwest(sandbox: &Sandbox) -> usize {
    let client = reqwest::Client::new();
    let token: Value = serde_json::from_slice(
        &client
            .get(token_url(sandbox))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let (mut offset, mut count) = (0u64, 0usize);
    loop {
        let body = client
            .get(list_url(sandbox, &token, offset))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let page: Value = serde_json::from_slice(&body).unwrap();
        let items = page["commentList"].as_array().map_or(0, Vec::len);
        count += items;
        offset += items as u64;
        if items == 0 || offset >= page["total"].as_u64().unwrap_or(0) {
            return count;
        }
    }
}

fn ours_ureq(sandbox: &Sandbox) -> usize {
    let client = review_ureq::client(config(sandbox));
    let (since, until) = window();
    client
        .comments(GetCommentList::new(since, until).limit(LIMIT as u32))
        .unwrap()
        .inspect(|c| assert!(c.is_ok()))
        .count()
}

async fn ours_reqwest(sandbox: &Sandbox) -> usize {
    let client = review_reqwest::client(config(sandbox)).unwrap();
    let (since, until) = window();
    let all: Vec<_> = client
        .comments(GetCommentList::new(since, until).limit(LIMIT as u32))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    all.len()
}

/// A named way to export, returning how many comments it read.
type Candidate<'a> = (&'a str, Box<dyn FnMut() -> usize + 'a>);

/// The fastest of `runs` timings, alternating candidates so load hits them alike.
fn best(runs: usize, mut candidates: Vec<Candidate<'_>>) -> Vec<(String, Duration, usize)> {
    let mut results: Vec<(String, Duration, usize)> = candidates
        .iter()
        .map(|(n, _)| ((*n).to_owned(), Duration::MAX, 0))
        .collect();
    for _ in 0..runs {
        for (i, (_, run)) in candidates.iter_mut().enumerate() {
            let start = Instant::now();
            let count = run();
            let took = start.elapsed();
            results[i].1 = results[i].1.min(took);
            results[i].2 = count;
        }
    }
    results
}

fn main() {
    let comments: usize = std::env::var("EXPORT_COMMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let sandbox = Sandbox::builder()
        .comments(comments)
        .rates(0)
        .start("127.0.0.1:0")
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let results = best(
        3,
        vec![
            ("hand loop, ureq + Value", Box::new(|| hand_ureq(&sandbox))),
            ("BlockingClient over ureq", Box::new(|| ours_ureq(&sandbox))),
            (
                "hand loop, reqwest + Value",
                Box::new(|| runtime.block_on(hand_reqwest(&sandbox))),
            ),
            (
                "AsyncClient over reqwest",
                Box::new(|| runtime.block_on(ours_reqwest(&sandbox))),
            ),
        ],
    );
    println!("export {comments} comments, pages of {LIMIT}, best of 3");
    for (name, took, count) in &results {
        println!("  {name:<30} {took:>10.1?}  ({count} comments)");
    }
    let ratio =
        |ours: usize, hand: usize| results[ours].1.as_secs_f64() / results[hand].1.as_secs_f64();
    println!(
        "  BlockingClient / hand loop: {:.2}x (target <= 1.10x)",
        ratio(1, 0)
    );
    println!(
        "  AsyncClient / hand loop:    {:.2}x (target <= 1.10x)",
        ratio(3, 2)
    );
}
