//! A server on loopback for the tests, and a raw TCP client that can stall where a real client
//! would not.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::{get, post};
use review_server::{Limits, ServeError, Served, serve};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running `serve` with its shutdown switch.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<Served, ServeError>>,
}

impl Server {
    /// Serves [`app`] with `limits` on an ephemeral loopback port.
    pub async fn start(limits: Limits) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app(), limits, async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    /// Resolves the shutdown future and waits for `serve` to return; with the time it took.
    pub async fn stop(mut self) -> (Served, Duration) {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            stop.send(()).unwrap();
        }
        let served = self.task.await.unwrap().unwrap();
        (served, started.elapsed())
    }

    /// Whether `serve` has returned.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    pub async fn connect(&self) -> TcpStream {
        TcpStream::connect(self.addr).await.unwrap()
    }

    /// Opens a connection and sends `bytes` on it.
    pub async fn send(&self, bytes: &str) -> TcpStream {
        let mut stream = self.connect().await;
        stream.write_all(bytes.as_bytes()).await.unwrap();
        stream
    }
}

/// `GET /` answers `ok`; `POST /echo` answers the body's length; `GET /slow/N` answers `done`
/// after N ms.
pub fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "ok" }))
        .route(
            "/echo",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .route(
            "/slow/{ms}",
            get(|Path(ms): Path<u64>| async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                "done"
            }),
        )
}

/// A whole `GET path` that keeps the connection open.
pub fn get_request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n")
}

/// A request line and one header, without the blank line that ends the head.
pub const PARTIAL_HEAD: &str = "GET / HTTP/1.1\r\nHost: te";

/// One response read off `stream` within `wait`: the status and the body (by Content-Length),
/// or `None` if the connection closed or nothing whole came in time.
pub async fn read_response(
    stream: &mut (impl AsyncRead + Unpin),
    wait: Duration,
) -> Option<(u16, String)> {
    tokio::time::timeout(wait, read_one(stream)).await.ok()?
}

async fn read_one(stream: &mut (impl AsyncRead + Unpin)) -> Option<(u16, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            let body_start = end + 4;
            while buf.len() < body_start + length {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[body_start..body_start + length]).to_string();
            return Some((status, body));
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Waits up to `wait` for the server to close `stream` (EOF or reset), reading and discarding
/// anything it sends; the time it took, or `None` if it stayed open.
pub async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut chunk = [0u8; 1024];
    tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()?;
    Some(started.elapsed())
}

/// Short limits for tests: `timeout` for heads and bodies, a grace of `grace`.
pub fn limits(timeout: Duration, grace: Duration) -> Limits {
    Limits {
        header_read_timeout: timeout,
        body_read_timeout: timeout,
        shutdown_grace: grace,
        ..Limits::default()
    }
}
