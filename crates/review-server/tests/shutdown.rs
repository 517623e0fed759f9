//! Shutdown stops accepting at once and ends within the grace, whatever the clients do.

mod common;

use std::time::Duration;

use common::{PARTIAL_HEAD, Server, closed_within, get_request, limits, read_response};

const GRACE: Duration = Duration::from_millis(300);
/// What the machine may add to the grace: a busy CI box, two cores.
const MARGIN: Duration = Duration::from_millis(700);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_does_not_hold_shutdown_past_the_grace() {
    // A head timeout far longer than the grace: only the grace can end this connection.
    let server = Server::start(limits(Duration::from_secs(30), GRACE)).await;
    let mut stalled = server.send(PARTIAL_HEAD).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let (served, took) = server.stop().await;
    assert!(took >= GRACE.mul_f32(0.8), "the grace was given: {took:?}");
    assert!(took < GRACE + MARGIN, "and not more: {took:?}");
    assert_eq!(served.forced, 1);
    assert!(
        closed_within(&mut stalled, Duration::from_secs(1))
            .await
            .is_some(),
        "the stalled connection was dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_finishes_within_the_grace_is_answered() {
    let server = Server::start(limits(Duration::from_secs(10), Duration::from_secs(2))).await;
    let addr = server.addr;
    let mut busy = server.send(&get_request("/slow/300")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let stopping = tokio::spawn(server.stop());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no new connection is accepted once shutdown is asked for"
    );
    let answer = read_response(&mut busy, Duration::from_secs(2)).await;
    assert_eq!(answer, Some((200, "done".to_owned())));
    assert!(
        closed_within(&mut busy, Duration::from_secs(1))
            .await
            .is_some(),
        "then the connection is closed"
    );
    let (served, took) = stopping.await.unwrap();
    assert!(
        took < Duration::from_secs(1),
        "without waiting out the grace: {took:?}"
    );
    assert_eq!(served.forced, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_longer_than_the_grace_is_dropped() {
    let server = Server::start(limits(Duration::from_secs(10), GRACE)).await;
    let mut busy = server.send(&get_request("/slow/10000")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let (served, took) = server.stop().await;
    assert!(took < GRACE + MARGIN, "{took:?}");
    assert_eq!(served.forced, 1);
    assert_eq!(
        read_response(&mut busy, Duration::from_secs(1)).await,
        None,
        "closed without an answer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_close_at_once() {
    let server = Server::start(limits(Duration::from_secs(10), Duration::from_secs(5))).await;
    let mut idle = Vec::new();
    for _ in 0..10 {
        let mut stream = server.send(&get_request("/")).await;
        let answer = read_response(&mut stream, Duration::from_secs(1)).await;
        assert_eq!(answer, Some((200, "ok".to_owned())));
        idle.push(stream);
    }
    let (served, took) = server.stop().await;
    assert!(
        took < Duration::from_secs(1),
        "idle keep-alive connections do not wait: {took:?}"
    );
    assert_eq!(served.connections, 10);
    assert_eq!(served.forced, 0);
}
