//! Request heads that do not arrive in time close their connections.

mod common;

use std::time::{Duration, Instant};

use common::{PARTIAL_HEAD, Server, closed_within, get_request, limits, read_response};

const TIMEOUT: Duration = Duration::from_millis(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_heads_are_closed_while_fresh_requests_are_answered() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let opened = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..200 {
        stalled.push(server.send(PARTIAL_HEAD).await);
    }

    let asked = Instant::now();
    let mut fresh = server.send(&get_request("/")).await;
    let answer = read_response(&mut fresh, Duration::from_secs(1)).await;
    assert_eq!(answer, Some((200, "ok".to_owned())));
    assert!(
        asked.elapsed() < TIMEOUT,
        "answered promptly beside 200 stalled connections"
    );
    drop(fresh); // closed by us, so that only the stalled ones count as timeouts

    let mut closed = 0;
    for stream in &mut stalled {
        if closed_within(stream, TIMEOUT * 4).await.is_some() {
            closed += 1;
        }
    }
    assert_eq!(closed, 200, "every stalled connection was closed");
    assert!(
        opened.elapsed() < TIMEOUT * 5,
        "closed shortly after the timeout: {:?}",
        opened.elapsed()
    );

    let (served, _) = server.stop().await;
    assert_eq!(served.connections, 201);
    assert_eq!(served.head_timeouts, 200);
    assert_eq!(served.forced, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_is_not_cut_before_its_timeout() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.send(PARTIAL_HEAD).await;
    let started = Instant::now();
    let closed = closed_within(&mut stream, TIMEOUT * 4).await;
    let took = closed.expect("closed within the timeout and a margin");
    assert!(
        started.elapsed() >= TIMEOUT.mul_f32(0.8),
        "not before the timeout: {took:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_is_closed() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.connect().await;
    let took = closed_within(&mut stream, TIMEOUT * 4).await;
    assert!(
        took.is_some(),
        "a silent connection is closed after the timeout"
    );
    let (served, _) = server.stop().await;
    assert_eq!(served.head_timeouts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_finished_in_time_is_answered() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.send(PARTIAL_HEAD).await;
    tokio::time::sleep(TIMEOUT / 2).await;
    tokio::io::AsyncWriteExt::write_all(&mut stream, b"st\r\n\r\n")
        .await
        .unwrap();
    let answer = read_response(&mut stream, Duration::from_secs(1)).await;
    assert_eq!(answer, Some((200, "ok".to_owned())));
    server.stop().await;
}
