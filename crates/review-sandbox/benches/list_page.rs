//! Requests per second for a WeChat list page and an fw199 search page against a sandbox holding
//! 100,000 comments and 100,000 rates, over loopback with keep-alive, from N concurrent clients.
//!
//! `GET /sandbox/health` is measured the same way as an in-run baseline: the ratio of a page's
//! rate to it is the cost of the page itself, whatever the machine.
//!
//! `cargo bench -p review-sandbox --bench list_page`; `BENCH_CLIENTS` (default 8) and
//! `BENCH_SECONDS` (per measurement, default 3) change the run.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use jiff::{SignedDuration, Timestamp};
use review_protocol::Endpoint;
use review_protocol::taobao::{Fw199Context, SearchTradeRates};
use review_protocol::wechat::{GetCommentList, GetToken, WechatContext};
use review_sandbox::Sandbox;

const COMMENTS: usize = 100_000;
const RATES: usize = 100_000;

/// One prepared request: method, URL, body.
#[derive(Clone)]
struct Prepared {
    post: bool,
    url: String,
    content_type: Option<String>,
    body: Bytes,
}

impl Prepared {
    fn from_http(request: &http::Request<Vec<u8>>) -> Self {
        Self {
            post: request.method() == http::Method::POST,
            url: request.uri().to_string(),
            content_type: request
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: Bytes::from(request.body().clone()),
        }
    }
}

/// What one measurement counted.
struct Measured {
    requests: u64,
    failures: u64,
    elapsed: Duration,
}

impl Measured {
    fn per_second(&self) -> u64 {
        let micros = u64::try_from(self.elapsed.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        self.requests.saturating_mul(1_000_000) / micros
    }
}

/// `clients` keep-alive clients, each sending the prepared requests in turn for `length`.
async fn measure(
    requests: Arc<Vec<Prepared>>,
    clients: usize,
    length: Duration,
) -> Result<Measured, Box<dyn Error>> {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for worker in 0..clients {
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(1)
            .build()?;
        let (requests, stop, done, failed) = (
            Arc::clone(&requests),
            Arc::clone(&stop),
            Arc::clone(&done),
            Arc::clone(&failed),
        );
        workers.push(tokio::spawn(async move {
            let mut next = worker * 7;
            while !stop.load(Ordering::Relaxed) {
                let Some(request) = requests.get(next % requests.len()) else {
                    break;
                };
                next += 1;
                let builder = if request.post {
                    let mut builder = client.post(&request.url).body(request.body.clone());
                    if let Some(content_type) = &request.content_type {
                        builder = builder.header(http::header::CONTENT_TYPE, content_type);
                    }
                    builder
                } else {
                    client.get(&request.url)
                };
                let ok = match builder.send().await {
                    Ok(response) => {
                        let status = response.status();
                        // Reading the whole body keeps the connection reusable.
                        let body = response.bytes().await.unwrap_or_default();
                        status.is_success() && !refused(&body)
                    }
                    Err(_) => false,
                };
                done.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // A short warm-up: connections opened, caches warm.
    tokio::time::sleep(length / 6).await;
    let start_count = done.load(Ordering::Relaxed);
    let start_failures = failed.load(Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(length).await;
    let requests = done.load(Ordering::Relaxed) - start_count;
    let failures = failed.load(Ordering::Relaxed) - start_failures;
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await?;
    }
    Ok(Measured {
        requests,
        failures,
        elapsed,
    })
}

/// Whether a 200 answer is a refusal (WeChat `errcode`, fw199 `code`).
fn refused(body: &[u8]) -> bool {
    let head = body.get(..64).unwrap_or(body);
    let text = String::from_utf8_lossy(head);
    !(text.starts_with("{\"ok\":true")
        || text.contains("\"errcode\":0")
        || text.contains("\"code\":0"))
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn Error>> {
    let clients = usize::try_from(env_number("BENCH_CLIENTS", 8))?;
    let length = Duration::from_secs(env_number("BENCH_SECONDS", 3));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;

    let setup = Instant::now();
    let sandbox = Sandbox::builder()
        .comments(COMMENTS)
        .rates(RATES)
        .start("127.0.0.1:0")?;
    let setup = setup.elapsed();
    let base: review_protocol::BaseUrl = sandbox.base_url().parse()?;

    runtime.block_on(async {
        // A token for the list, fetched as any client would.
        let client = reqwest::Client::builder().no_proxy().build()?;
        let token_request = GetToken::new(sandbox.wechat().appid.clone(), sandbox.wechat().secret.clone()).request(&base)?;
        let answer = client.get(token_request.uri().to_string()).send().await?.bytes().await?;
        let token = GetToken::new(sandbox.wechat().appid.clone(), sandbox.wechat().secret.clone())
            .parse(http::Response::new(&answer[..]))?
            .access_token;
        let ctx = WechatContext::new(base.clone(), token);

        let now = Timestamp::now();
        let start = now - SignedDuration::from_hours(179 * 24);
        let mut lists = Vec::new();
        for page in 0..100u64 {
            let request = GetCommentList::new(start, now).offset(page * 20).limit(20).request(&ctx)?;
            lists.push(Prepared::from_http(&request));
        }
        let credentials = sandbox.taobao().gateway.clone();
        let fw199 = Fw199Context::new(base.clone(), credentials, now);
        let mut searches = Vec::new();
        for page in 1..=30u32 {
            let request = SearchTradeRates::received(sandbox.taobao().seller_nick.clone())
                .window(now - SignedDuration::from_hours(60 * 24), now)
                .page(page, 40)
                .request(&fw199)?;
            searches.push(Prepared::from_http(&request));
        }
        let health = vec![Prepared {
            post: false,
            url: base.join("/sandbox/health"),
            content_type: None,
            body: Bytes::new(),
        }];

        println!(
            "review-sandbox list_page: {COMMENTS} comments, {RATES} rates, {clients} keep-alive clients over loopback, {} s per measurement",
            length.as_secs()
        );
        println!("  {:<44} {:>8.2} s", "setup (generate and start)", setup.as_secs_f64());
        let baseline = measure(Arc::new(health), clients, length).await?;
        report("GET /sandbox/health (baseline)", &baseline);
        let list = measure(Arc::new(lists), clients, length).await?;
        report("WeChat mpcommentlist/get, 20 per page", &list);
        let search = measure(Arc::new(searches), clients, length).await?;
        report("fw199 traderates/get, 40 per page", &search);
        let base_rate = baseline.per_second().max(1);
        println!(
            "  ratio to baseline: list page {}.{:02}, fw199 page {}.{:02}",
            list.per_second() / base_rate,
            list.per_second() % base_rate * 100 / base_rate,
            search.per_second() / base_rate,
            search.per_second() % base_rate * 100 / base_rate,
        );
        Ok::<(), Box<dyn Error>>(())
    })?;
    drop(sandbox);
    Ok(())
}

fn report(name: &str, measured: &Measured) {
    let failures = if measured.failures == 0 {
        String::new()
    } else {
        format!("  ({} failed!)", measured.failures)
    };
    println!("  {name:<44} {:>8} req/s{failures}", measured.per_second());
}
