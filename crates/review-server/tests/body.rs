//! A request body must arrive whole within `body_read_timeout` of its head.

mod common;

use std::time::{Duration, Instant};

use common::{Server, closed_within, limits, read_response};
use tokio::io::AsyncWriteExt;

const TIMEOUT: Duration = Duration::from_millis(300);

fn post_head(length: usize) -> String {
    format!("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n\r\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_gets_408_and_the_connection_closes() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.send(&post_head(100)).await;
    let started = Instant::now();
    let (mut read, mut write) = stream.split();
    // One byte every 50 ms: each gap is far below the timeout, the whole would take 5 s.
    let trickle = async {
        for _ in 0..100 {
            if write.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let answer = tokio::select! {
        answer = read_response(&mut read, Duration::from_secs(3)) => answer,
        () = trickle => None,
    };
    assert_eq!(answer.map(|(status, _)| status), Some(408));
    let took = started.elapsed();
    assert!(
        took >= TIMEOUT.mul_f32(0.8) && took < TIMEOUT * 3,
        "408 about one timeout after the head: {took:?}"
    );
    assert!(
        closed_within(&mut stream, Duration::from_secs(1))
            .await
            .is_some(),
        "the connection is closed after the 408"
    );
    let (served, _) = server.stop().await;
    assert_eq!(served.body_timeouts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_gets_408() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.send(&post_head(10)).await;
    stream.write_all(b"abc").await.unwrap();
    let answer = read_response(&mut stream, TIMEOUT * 4).await;
    assert_eq!(answer.map(|(status, _)| status), Some(408));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_body_is_answered() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.send(&post_head(5)).await;
    stream.write_all(b"hello").await.unwrap();
    let answer = read_response(&mut stream, Duration::from_secs(1)).await;
    assert_eq!(answer, Some((200, "5".to_owned())));
    let (served, _) = server.stop().await;
    assert_eq!(served.body_timeouts, 0);
}
