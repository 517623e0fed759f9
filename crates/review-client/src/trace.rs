//! One span per request: endpoint, attempt, status, latency. URLs are redacted.

use std::time::{Duration, Instant};

use crate::transport::HttpResult;

/// Measures one request: a span `review.request` with the endpoint, attempt, method and
/// redacted URL, whose `status` and `latency_ms` are recorded when the answer is in.
pub(crate) struct Sent {
    span: tracing::Span,
    started: Instant,
}

impl Sent {
    pub(crate) fn start(
        endpoint: &'static str,
        attempt: u32,
        request: &http::Request<Vec<u8>>,
    ) -> Self {
        let span = tracing::debug_span!(
            "review.request",
            endpoint,
            attempt,
            method = %request.method(),
            url = %review_protocol::redact::url(&request.uri().to_string()),
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        Self {
            span,
            started: Instant::now(),
        }
    }

    pub(crate) fn finish(self, result: &HttpResult) {
        let latency: Duration = self.started.elapsed();
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.span.record("latency_ms", latency_ms);
        let _entered = self.span.enter();
        match result {
            Ok(response) => {
                self.span.record("status", response.status().as_u16());
                tracing::debug!(status = response.status().as_u16(), latency_ms, "answered");
            }
            Err(err) => tracing::debug!(error = %err, latency_ms, "failed"),
        }
    }
}
