//! The sandbox is served within its `Limits`: stalled clients are cut off, and stopping it
//! never waits past the shutdown grace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use review_sandbox::{Limits, Sandbox};

const GRACE: Duration = Duration::from_millis(300);
/// What a busy two-core machine may add.
const MARGIN: Duration = Duration::from_millis(700);

fn start(limits: Limits) -> Sandbox {
    Sandbox::builder()
        .comments(5)
        .rates(5)
        .limits(limits)
        .start("127.0.0.1:0")
        .unwrap()
}

/// A head timeout far longer than the grace: only the grace can end a stalled connection.
fn short_grace() -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(30),
        shutdown_grace: GRACE,
        ..Limits::default()
    }
}

fn address(sandbox: &Sandbox) -> String {
    sandbox.base_url().trim_start_matches("http://").to_owned()
}

/// A connection that sent half a request head and then stalls.
fn half_sent(sandbox: &Sandbox) -> TcpStream {
    let mut stream = TcpStream::connect(address(sandbox)).unwrap();
    stream
        .write_all(b"GET /sandbox/health HTTP/1.1\r\nHost: sand")
        .unwrap();
    // Let the server accept it before it is asked to stop.
    std::thread::sleep(Duration::from_millis(100));
    stream
}

/// Whether the server closed `stream` within `wait` (EOF or reset, nothing else read).
fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 256];
    match stream.read(&mut buf) {
        Ok(read) => read == 0,
        Err(err) => err.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn shutdown_returns_within_the_grace_despite_a_half_sent_request() {
    let sandbox = start(short_grace());
    let mut stalled = half_sent(&sandbox);
    let started = Instant::now();
    sandbox.shutdown();
    let took = started.elapsed();
    assert!(took >= GRACE.mul_f32(0.8), "the grace was given: {took:?}");
    assert!(took < GRACE + MARGIN, "and no more: {took:?}");
    assert!(closed_within(&mut stalled, Duration::from_secs(1)));
}

#[test]
fn drop_returns_within_the_grace_despite_a_half_sent_request() {
    let sandbox = start(short_grace());
    let _stalled = half_sent(&sandbox);
    let started = Instant::now();
    drop(sandbox);
    assert!(
        started.elapsed() < GRACE + MARGIN,
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_stalled_head_is_cut_off_while_others_are_answered() {
    let timeout = Duration::from_millis(300);
    let sandbox = start(Limits {
        header_read_timeout: timeout,
        ..Limits::default()
    });
    let mut stalled = half_sent(&sandbox);

    let mut fresh = TcpStream::connect(address(&sandbox)).unwrap();
    fresh
        .write_all(b"GET /sandbox/health HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    fresh
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    fresh.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#"{"ok":true}"#), "{answer}");

    assert!(
        closed_within(&mut stalled, timeout * 4),
        "the stalled connection was closed after the head timeout"
    );
}
