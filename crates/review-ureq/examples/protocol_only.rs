//! Embed `review-protocol` with another HTTP stack, without `review-client`: here a few lines
//! of HTTP/1.1 over `std::net::TcpStream`. The protocol's call machine makes every decision (the
//! access token and its refresh, retries and their backoff, which writes may go again); this
//! file only sends, sleeps, and supplies the clock and a random seed.
//!
//! ```sh
//! cargo run -p review-ureq --example protocol_only
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hash::{BuildHasher, RandomState};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use review_protocol::BaseUrl;
use review_protocol::call::{Answer, Call, CallError, Machine, Step, Unanswered, WechatCall};
use review_protocol::retry::RetryPolicy;
use review_protocol::wechat::GetCommentList;
use review_protocol::wechat::token_cache::{RefreshKind, TokenCache, TokenConfig};
use review_protocol::wechat::token_share::StoreFailure;

/// Sends `request` over a fresh connection. A failed connect provably sent nothing; a failure
/// after it may have reached the server.
fn send(request: &http::Request<Vec<u8>>) -> Answer<io::Error> {
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str())
        .unwrap_or("localhost");
    let stream = TcpStream::connect(host).map_err(Unanswered::not_sent)?;
    exchange(stream, host, request).map_err(Unanswered::ambiguous)
}

/// Writes `request` and reads the whole answer (HTTP/1.1, `Connection: close`).
fn exchange(
    mut stream: TcpStream,
    host: &str,
    request: &http::Request<Vec<u8>>,
) -> io::Result<http::Response<Vec<u8>>> {
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.method(),
        request.body().len()
    );
    for (name, value) in request.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(request.body())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(raw.get(..split).unwrap_or_default()).into_owned();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let mut body = raw.get(split + 4..).unwrap_or_default().to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    let mut response = http::Response::new(body);
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_GATEWAY);
    Ok(response)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(data.get(..end).unwrap_or_default()).trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(data.get(start..start + size).unwrap_or_default());
        data = data.get(start + size + 2..).unwrap_or_default();
    }
    out
}

/// A random seed for one call's backoff jitter: the protocol has no randomness of its own.
fn seed() -> u64 {
    RandomState::new().hash_one(())
}

/// Runs one call to its end: sends, sleeps, and feeds the answers back with the time.
fn run<C: Call>(mut machine: Machine<'_, C, io::Error>) -> Result<C::Output, CallError<io::Error>> {
    let mut step = machine.next(Timestamp::now());
    loop {
        step = match step {
            Step::Send(request) => {
                println!("{}", review_protocol::redact::Request(&request));
                let answer = send(&request);
                machine.feed(answer, Timestamp::now())
            }
            Step::Sleep(wait) => {
                std::thread::sleep(wait);
                machine.next(Timestamp::now())
            }
            // This example shares no token store with other processes, so the machine never
            // asks for one.
            Step::Store(op) => {
                let failure = StoreFailure::new(format!("no shared store for {op:?}"));
                machine.stored(Err(failure), Timestamp::now())
            }
            Step::Done(result) => return result,
        };
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = review_sandbox::Sandbox::builder()
        .comments(20)
        .start("127.0.0.1:0")?;
    let base: BaseUrl = sandbox.base_url().parse()?;
    // One cache per app, shared by every call (a `Mutex` is the protocol's in-process store).
    let tokens = Mutex::new(TokenCache::new(
        sandbox.wechat().appid.clone(),
        sandbox.wechat().secret.clone(),
        TokenConfig::new(RefreshKind::Plain),
    ));

    let now = Timestamp::now();
    let list = GetCommentList::new(now - SignedDuration::from_hours(24 * 180), now).limit(5);
    let call = WechatCall::new(&list, &base);
    let machine = Machine::new(call, RetryPolicy::default(), seed()).with_tokens(&tokens, &base);
    let page = run(machine)?;
    for comment in page.comments {
        println!(
            "{} {}★ {}",
            comment.comment_id, comment.score, comment.content.text
        );
    }
    Ok(())
}
