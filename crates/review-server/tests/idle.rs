//! A keep-alive connection left idle after a response is closed after `header_read_timeout`:
//! hyper 1.12 starts the head timer as soon as a connection goes idle.

mod common;

use std::time::{Duration, Instant};

use common::{Server, closed_within, get_request, limits, read_response};
use tokio::io::AsyncWriteExt;

const TIMEOUT: Duration = Duration::from_millis(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_head_timeout() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.send(&get_request("/")).await;
    let answer = read_response(&mut stream, Duration::from_secs(1)).await;
    assert_eq!(answer, Some((200, "ok".to_owned())));

    let idle_since = Instant::now();
    let closed = closed_within(&mut stream, TIMEOUT * 4).await;
    assert!(closed.is_some(), "the idle connection was closed");
    let idle = idle_since.elapsed();
    assert!(
        idle >= TIMEOUT.mul_f32(0.8) && idle < TIMEOUT * 3,
        "closed about one timeout after the response: {idle:?}"
    );
    let (served, _) = server.stop().await;
    assert_eq!(served.head_timeouts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_in_use_outlives_the_timeout() {
    let server = Server::start(limits(TIMEOUT, Duration::from_secs(1))).await;
    let mut stream = server.connect().await;
    let started = Instant::now();
    for _ in 0..6 {
        stream.write_all(get_request("/").as_bytes()).await.unwrap();
        let answer = read_response(&mut stream, Duration::from_secs(1)).await;
        assert_eq!(
            answer,
            Some((200, "ok".to_owned())),
            "the same connection answers"
        );
        tokio::time::sleep(TIMEOUT / 2).await;
    }
    assert!(
        started.elapsed() > TIMEOUT * 2,
        "the timer restarts for each request"
    );
    let (served, _) = server.stop().await;
    assert_eq!(served.connections, 1);
    assert_eq!(served.head_timeouts, 0);
}
