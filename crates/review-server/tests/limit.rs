//! At most `max_connections` are served at once; the rest wait and are served as slots free.

mod common;

use std::time::{Duration, Instant};

use common::{Server, get_request, read_response};
use review_server::{Limits, ServeError, serve};

fn four_slots(header_read_timeout: Duration) -> Limits {
    Limits {
        header_read_timeout,
        max_connections: 4,
        shutdown_grace: Duration::from_secs(1),
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifth_connection_is_served_when_a_slot_is_closed() {
    let server = Server::start(four_slots(Duration::from_secs(10))).await;
    let mut holders = Vec::new();
    for _ in 0..4 {
        holders.push(server.send(common::PARTIAL_HEAD).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut fifth = server.send(&get_request("/")).await;
    let waiting = read_response(&mut fifth, Duration::from_millis(400)).await;
    assert_eq!(waiting, None, "no answer while the four slots are held");

    let freed = Instant::now();
    drop(holders.pop());
    let answer = read_response(&mut fifth, Duration::from_secs(2)).await;
    assert_eq!(
        answer,
        Some((200, "ok".to_owned())),
        "served once a slot is free"
    );
    assert!(freed.elapsed() < Duration::from_millis(500), "and promptly");
    assert!(!server.is_finished(), "the server runs on");

    let (served, _) = server.stop().await;
    assert_eq!(served.connections, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifth_connection_is_served_when_a_slot_times_out() {
    let timeout = Duration::from_millis(500);
    let server = Server::start(four_slots(timeout)).await;
    let opened = Instant::now();
    let mut holders = Vec::new();
    for _ in 0..4 {
        holders.push(server.send(common::PARTIAL_HEAD).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut fifth = server.send(&get_request("/")).await;
    let answer = read_response(&mut fifth, Duration::from_secs(3)).await;
    assert_eq!(answer, Some((200, "ok".to_owned())));
    let took = opened.elapsed();
    assert!(
        took >= timeout.mul_f32(0.8),
        "answered only after the holders timed out: {took:?}"
    );
    assert!(took < timeout * 3, "and soon after: {took:?}");

    let (served, _) = server.stop().await;
    assert_eq!(served.connections, 5);
    assert_eq!(served.head_timeouts, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_waiting_connections_are_all_served_in_turn() {
    let server = Server::start(four_slots(Duration::from_secs(10))).await;
    let mut clients = Vec::new();
    for _ in 0..40 {
        // `Connection: close` frees each slot as soon as its answer is written.
        clients.push(
            server
                .send("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                .await,
        );
    }
    for client in &mut clients {
        let answer = read_response(client, Duration::from_secs(5)).await;
        assert_eq!(answer, Some((200, "ok".to_owned())));
    }
    let (served, _) = server.stop().await;
    assert_eq!(served.connections, 40);
}

#[tokio::test]
async fn invalid_limits_are_refused_before_serving() {
    let cases = [
        (
            "max_connections",
            Limits {
                max_connections: 0,
                ..Limits::default()
            },
        ),
        (
            "max_connections",
            Limits {
                max_connections: Limits::MAX_CONNECTIONS + 1,
                ..Limits::default()
            },
        ),
        (
            "header_read_timeout",
            Limits {
                header_read_timeout: Duration::ZERO,
                ..Limits::default()
            },
        ),
        (
            "body_read_timeout",
            Limits {
                body_read_timeout: Duration::MAX,
                ..Limits::default()
            },
        ),
        (
            "shutdown_grace",
            Limits {
                shutdown_grace: Limits::MAX_TIMEOUT + Duration::from_secs(1),
                ..Limits::default()
            },
        ),
    ];
    for (field, limits) in cases {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        // A shutdown that never comes: only the refusal can end this call.
        let refused = serve(listener, common::app(), limits, std::future::pending()).await;
        match refused {
            Err(ServeError::Limit { name, .. }) => assert_eq!(name, field),
            other => panic!("{field}: expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(Limits::default().validate(), Ok(()));
}
