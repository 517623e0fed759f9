//! The two ways to wait: the transports a driver sends through.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A request that could not be sent or answered.
///
/// The message never shows an access token or secret (URLs in it are masked).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
}

/// How far a failed request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Nothing was sent: connection refused, host not found, TLS handshake failed.
    Connect,
    /// No answer in time: the request may have executed.
    Timeout,
    /// The connection broke after the request went out: it may have executed.
    Io,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect",
            Self::Timeout => "timed out",
            Self::Io => "connection failed",
        })
    }
}

impl TransportError {
    /// A failure of `kind`; secrets in `message` are masked.
    pub fn new(kind: TransportErrorKind, message: impl std::fmt::Display) -> Self {
        Self {
            kind,
            message: review_protocol::redact::inline(&message.to_string()),
        }
    }

    /// How far the request got.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request provably never reached the server.
    pub fn not_sent(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }
}

/// The answer a transport hands back: 4xx and 5xx included, as answers, not errors.
pub type HttpResult = Result<http::Response<Vec<u8>>, TransportError>;

/// Sends requests and sleeps on a blocking thread.
///
/// Implemented by `review-ureq` for a `ureq::Agent`, and by any closure
/// `Fn(http::Request<Vec<u8>>, Duration) -> HttpResult` (sleeping with `std::thread::sleep`).
pub trait BlockingTransport: Send + Sync {
    /// Sends `request`, giving up after `timeout`.
    fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult;

    /// Waits before a retry.
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

impl<F> BlockingTransport for F
where
    F: Fn(http::Request<Vec<u8>>, Duration) -> HttpResult + Send + Sync,
{
    fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult {
        self(request, timeout)
    }
}

/// Sends requests and sleeps in an async runtime. Dyn-compatible: `Arc<dyn AsyncTransport>`
/// works.
///
/// Implemented by `review-reqwest` for a `reqwest::Client` (sleeping with tokio).
#[async_trait::async_trait]
pub trait AsyncTransport: Send + Sync {
    /// Sends `request`, giving up after `timeout`.
    async fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult;

    /// Waits before a retry, with the runtime's timer.
    async fn sleep(&self, duration: Duration);
}

/// A boxed future of an answer, what an async closure transport returns.
pub type BoxHttpFuture = Pin<Box<dyn Future<Output = HttpResult> + Send>>;

/// An async transport made of two closures: one sends, one sleeps (so the caller picks the
/// runtime's timer).
pub struct FnTransport<S, W> {
    send: S,
    sleep: W,
}

impl<S, W> FnTransport<S, W> {
    /// A transport that sends with `send` and waits with `sleep`.
    pub fn new(send: S, sleep: W) -> Self {
        Self { send, sleep }
    }
}

#[async_trait::async_trait]
impl<S, W, WF> AsyncTransport for FnTransport<S, W>
where
    S: Fn(http::Request<Vec<u8>>, Duration) -> BoxHttpFuture + Send + Sync,
    W: Fn(Duration) -> WF + Send + Sync,
    WF: Future<Output = ()> + Send,
{
    async fn send(&self, request: http::Request<Vec<u8>>, timeout: Duration) -> HttpResult {
        (self.send)(request, timeout).await
    }

    async fn sleep(&self, duration: Duration) {
        (self.sleep)(duration).await;
    }
}
