//! The request body's deadline, and the `408` when it passes.
//!
//! tower-http's `RequestBodyTimeoutLayer` is not used: it bounds the gap between two body
//! frames and restarts after each one, so a client sending a byte every few seconds keeps its
//! connection forever. Here the deadline is fixed when the head has arrived.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode, header};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::head::HeadClock;

/// The hyper service of one connection: the app, with every request body under a deadline.
#[derive(Clone)]
pub(crate) struct Guarded {
    app: Router,
    timeout: Duration,
    /// Requests answered 408, over every connection.
    expired: Arc<AtomicU64>,
    /// The connection's head clock, told when each request starts and ends.
    clock: Option<Arc<HeadClock>>,
}

impl Guarded {
    pub(crate) fn new(app: Router, timeout: Duration, expired: Arc<AtomicU64>) -> Self {
        Self {
            app,
            timeout,
            expired,
            clock: None,
        }
    }

    /// The service of one connection, reporting to its `clock`.
    pub(crate) fn for_connection(&self, clock: Arc<HeadClock>) -> Self {
        Self {
            clock: Some(clock),
            ..self.clone()
        }
    }
}

/// Tells the head clock that a request ended, however its future ends.
struct InFlight(Option<Arc<HeadClock>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(clock) = &self.0 {
            clock.finished();
        }
    }
}

impl hyper::service::Service<Request<Incoming>> for Guarded {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        if let Some(clock) = &self.clock {
            clock.started();
        }
        Box::pin(answer(
            self.app.clone(),
            request,
            self.timeout,
            Arc::clone(&self.expired),
            InFlight(self.clock.clone()),
        ))
    }
}

/// Runs the app; if the body's deadline passed meanwhile, whatever the app made of the failed
/// read (axum answers 400) becomes a 408 that closes the connection, as the unread rest of the
/// body cannot be skipped.
async fn answer(
    app: Router,
    request: Request<Incoming>,
    timeout: Duration,
    expired_count: Arc<AtomicU64>,
    in_flight: InFlight,
) -> Result<Response, Infallible> {
    let answered = run(app, request, timeout, expired_count).await;
    drop(in_flight);
    answered
}

async fn run(
    app: Router,
    request: Request<Incoming>,
    timeout: Duration,
    expired_count: Arc<AtomicU64>,
) -> Result<Response, Infallible> {
    let expired = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + timeout;
    let request = request.map(|inner| DeadlineBody {
        inner,
        deadline,
        sleep: None,
        expired: Arc::clone(&expired),
    });
    let response = app.oneshot(request).await?;
    if !expired.load(Ordering::Acquire) {
        return Ok(response);
    }
    expired_count.fetch_add(1, Ordering::Relaxed);
    let mut response = (
        StatusCode::REQUEST_TIMEOUT,
        format!(
            "the request body did not arrive within {} ms\n",
            timeout.as_millis()
        ),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    Ok(response)
}

/// A request body that fails once its deadline has passed.
struct DeadlineBody {
    inner: Incoming,
    deadline: Instant,
    /// Made on the first wait, so bodies that are already complete cost no timer.
    sleep: Option<Pin<Box<Sleep>>>,
    /// Tells [`answer`] that the body failed for lack of time, not for a bad client.
    expired: Arc<AtomicBool>,
}

/// The error the app's body reader sees once the deadline has passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimeout;

impl DeadlineBody {
    fn expire(&self) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.expired.store(true, Ordering::Release);
        Poll::Ready(Some(Err(Box::new(BodyTimeout))))
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        // Checked first, so that a body whose frames are always ready still ends on time.
        if Instant::now() >= this.deadline {
            return this.expire();
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|result| result.map_err(BoxError::from)));
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => this.expire(),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
