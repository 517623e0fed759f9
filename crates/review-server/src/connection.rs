//! Serving one accepted connection: hyper's HTTP/1 with the head timeout and the body deadline.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::Watcher;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

use crate::Limits;
use crate::body::Guarded;
use crate::head::HeadClock;

/// How one connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The client closed, or the server did after a `Connection: close` or at shutdown.
    Closed,
    /// No complete request head came within `header_read_timeout` (stalled or idle).
    HeadTimeout,
    /// The client broke the protocol or the socket failed.
    Failed,
}

/// What every connection is served with.
pub(crate) struct Connections {
    http: http1::Builder,
    service: Guarded,
    body_timeouts: Arc<AtomicU64>,
    head_timeout: Duration,
}

impl Connections {
    pub(crate) fn new(app: Router, limits: &Limits) -> Self {
        let mut http = http1::Builder::new();
        // The head (and idle) timeout is ours, one timer per connection (see `head`); hyper's
        // would arm one per request. hyper still needs a timer, or it panics. Answers are
        // small: one flattened buffer is cheaper to write than a vector of pieces.
        http.timer(TokioTimer::new())
            .header_read_timeout(None)
            .writev(false)
            .keep_alive(true);
        let body_timeouts = Arc::new(AtomicU64::new(0));
        let service = Guarded::new(app, limits.body_read_timeout, Arc::clone(&body_timeouts));
        Self {
            http,
            service,
            body_timeouts,
            head_timeout: limits.header_read_timeout,
        }
    }

    /// Requests answered 408 so far.
    pub(crate) fn body_timeouts(&self) -> u64 {
        self.body_timeouts.load(Ordering::Relaxed)
    }

    /// The connection's whole life, to be spawned. It holds its `slot` until it ends, and ends
    /// early (after the request in progress) when `watcher` sees the shutdown.
    pub(crate) fn serve(
        &self,
        stream: TcpStream,
        peer: SocketAddr,
        slot: OwnedSemaphorePermit,
        watcher: Watcher,
    ) -> impl Future<Output = Outcome> + Send + 'static {
        let clock = HeadClock::new();
        let connection = self.http.serve_connection(
            TokioIo::new(stream),
            self.service.for_connection(Arc::clone(&clock)),
        );
        let watched = watcher.watch(connection);
        let head_timeout = self.head_timeout;
        async move {
            let outcome = tokio::select! {
                served = watched => match served {
                    Ok(()) => Outcome::Closed,
                    Err(err) => {
                        tracing::debug!(%peer, %err, "connection failed");
                        Outcome::Failed
                    }
                },
                // Dropping the connection closes the socket.
                () = clock.expired(head_timeout) => {
                    tracing::debug!(%peer, "closed: no complete request head in time");
                    Outcome::HeadTimeout
                }
            };
            drop(slot);
            outcome
        }
    }
}
