//! Throughput of `reviews webhook serve`: 50 concurrent senders (tasks of one thread), each on
//! its own keep-alive connection, post distinct signed plaintext pushes; the rate counts only pushes answered 200
//! and printed as exactly one line (every distinct push must be printed once).
//!
//! Baselines measured in the same run: an axum server in this process that answers 200 to
//! every POST without verifying or printing anything (the ceiling of this load generator on
//! this machine), and, when `WEBHOOK_BASELINE_BIN` names another `reviews` binary (an older
//! release), that binary under the same load.
//!
//! `cargo bench -p review-cli --bench webhook` (`WEBHOOK_PUSHES`, `WEBHOOK_SENDERS` for other
//! sizes; `WEBHOOK_SENDERS_AS=threads` for one blocking thread per sender instead of tasks).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::indexing_slicing,
    clippy::float_arithmetic,
    clippy::panic,
    missing_docs
)]

use std::collections::HashSet;
use std::io::BufRead as _;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use review_model::CommentId;
use review_model::wechat::{BadScoreEvent, PushEvent};
use review_protocol::wechat::push::{Format, PushConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

const TOKEN: &str = "PushToken123";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One raw HTTP/1.1 request per push, signed now.
fn requests(total: usize, salt: &str) -> Vec<Vec<u8>> {
    let config = PushConfig::new(TOKEN).unwrap();
    let now = Timestamp::now();
    (0..total)
        .map(|n| {
            let event = PushEvent::BadScore(BadScoreEvent {
                to_user_name: "gh_bench".into(),
                from_user_name: "oBench".into(),
                create_time: now,
                comment_id: CommentId::new(format!("9{salt}{n:012}")),
            });
            let d = config
                .deliver(&event, Format::Json, now, &format!("n{salt}{n}"), None)
                .unwrap();
            let mut request = format!(
                "POST /push?{} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                d.query,
                d.body.len()
            )
            .into_bytes();
            request.extend_from_slice(&d.body);
            request
        })
        .collect()
}

/// One header line: `None` at the blank line that ends the head, else the content length if
/// this line gives it.
fn header_line(line: &str) -> Option<Option<usize>> {
    let line = line.trim_end();
    if line.is_empty() {
        return None;
    }
    Some(
        line.split_once(':')
            .filter(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse().ok()),
    )
}

/// Reads one response; returns its status.
async fn response(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> u16 {
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    let status: u16 = line.split(' ').nth(1).unwrap_or("0").parse().unwrap_or(0);
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await.unwrap();
        match header_line(&header) {
            None => break,
            Some(found) => length = found.unwrap_or(length),
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.unwrap();
    status
}

/// Sends every request over `senders` keep-alive connections; returns the time and the 200s.
fn load(addr: SocketAddr, requests: Vec<Vec<u8>>, senders: usize) -> (Duration, usize) {
    let mut shares: Vec<Vec<Vec<u8>>> = (0..senders).map(|_| Vec::new()).collect();
    for (n, request) in requests.into_iter().enumerate() {
        shares[n % senders].push(request);
    }
    if std::env::var("WEBHOOK_SENDERS_AS").as_deref() == Ok("threads") {
        threads(addr, shares)
    } else {
        tasks(addr, shares)
    }
}

/// Each sender a thread of its own, blocking on its connection: a load generator like most
/// (curl loops, thread pools), which competes with the server for the cores.
fn threads(addr: SocketAddr, shares: Vec<Vec<Vec<u8>>>) -> (Duration, usize) {
    use std::io::{Read, Write};
    let started = Instant::now();
    let threads: Vec<_> = shares
        .into_iter()
        .map(|share| {
            thread::spawn(move || {
                let stream = std::net::TcpStream::connect(addr).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = std::io::BufReader::new(stream);
                let mut ok = 0;
                for request in share {
                    writer.write_all(&request).unwrap();
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    let status = line.split(' ').nth(1).unwrap_or("0");
                    let mut length = 0usize;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        match header_line(&header) {
                            None => break,
                            Some(found) => length = found.unwrap_or(length),
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    if status == "200" {
                        ok += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let ok = threads.into_iter().map(|t| t.join().unwrap()).sum();
    (started.elapsed(), ok)
}

/// Each sender a task of one single-threaded runtime, so that the load generator takes one
/// core at most and the server is what is measured (the default).
fn tasks(addr: SocketAddr, shares: Vec<Vec<Vec<u8>>>) -> (Duration, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let started = Instant::now();
        let tasks: Vec<_> = shares
            .into_iter()
            .map(|share| {
                tokio::spawn(async move {
                    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    let mut ok = 0;
                    for request in share {
                        write.write_all(&request).await.unwrap();
                        if response(&mut reader).await == 200 {
                            ok += 1;
                        }
                    }
                    ok
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            ok += task.await.unwrap();
        }
        (started.elapsed(), ok)
    })
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Starts `binary webhook serve` and waits for its listening line; the printed lines are
/// sent on the channel.
fn start(binary: &str) -> (Child, SocketAddr, mpsc::Receiver<String>) {
    let addr = free_addr();
    let mut child = Command::new(binary)
        .args([
            "webhook",
            "serve",
            "--addr",
            &addr.to_string(),
            "--token",
            TOKEN,
        ])
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert!(first.contains("listening"), "{first}");
    thread::spawn(move || for _ in stderr.lines() {});
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    (child, addr, lines)
}

/// Pushes per second through `binary`, checking one line per distinct push.
fn webhook_rate(binary: &str, total: usize, senders: usize, salt: &str) -> f64 {
    let (mut child, addr, lines) = start(binary);
    let (elapsed, ok) = load(addr, requests(total, salt), senders);
    assert_eq!(ok, total, "every push answered 200");
    let mut ids = HashSet::new();
    for _ in 0..total {
        let line = lines
            .recv_timeout(Duration::from_secs(10))
            .expect("one line per push");
        assert!(ids.insert(line), "a push printed twice");
    }
    let _ = child.kill();
    let _ = child.wait();
    total as f64 / elapsed.as_secs_f64()
}

/// The same load against a server that answers 200 and does nothing else.
fn ceiling_rate(total: usize, senders: usize) -> f64 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .fallback(|_body: axum::body::Bytes| async { r#"{"errcode":0,"success":true}"# });
    runtime.spawn(async move { axum::serve(listener, app).await });
    let (elapsed, ok) = load(addr, requests(total, "c"), senders);
    assert_eq!(ok, total);
    total as f64 / elapsed.as_secs_f64()
}

fn main() {
    let total = env_usize("WEBHOOK_PUSHES", 40_000);
    let senders = env_usize("WEBHOOK_SENDERS", 50);
    let ours = env!("CARGO_BIN_EXE_reviews");
    // Warm-up, then best of three.
    let _ = webhook_rate(ours, total / 10, senders, "w");
    let best = |f: &dyn Fn(usize) -> f64| (0..3).map(f).fold(0.0, f64::max);
    let rate = best(&|run| webhook_rate(ours, total, senders, &format!("{run}")));
    let ceiling = best(&|_| ceiling_rate(total, senders));
    let kind = if std::env::var("WEBHOOK_SENDERS_AS").as_deref() == Ok("threads") {
        "threads"
    } else {
        "tasks"
    };
    println!("webhook serve ({total} distinct pushes, {senders} senders as {kind}, best of 3)");
    println!("  reviews                    {rate:>8.0} pushes/s");
    println!("  do-nothing axum server     {ceiling:>8.0} requests/s");
    println!("  reviews / do-nothing server: {:.2}x", rate / ceiling);
    if let Ok(baseline) = std::env::var("WEBHOOK_BASELINE_BIN") {
        let old = best(&|run| webhook_rate(&baseline, total, senders, &format!("b{run}")));
        println!("  baseline binary            {old:>8.0} pushes/s");
        println!(
            "  reviews / baseline binary: {:.2}x (target >= 1.00x)",
            rate / old
        );
    }
}
