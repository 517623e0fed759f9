//! One span per request: endpoint, attempt, status, latency. URLs are redacted.

use std::time::{Duration, Instant};

use crate::transport::HttpResult;

/// The request's URL as a span shows it: no userinfo, no secret parameters.
fn shown_url(request: &http::Request<Vec<u8>>) -> String {
    review_protocol::redact::url(&request.uri().to_string())
}

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
            url = %shown_url(request),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn spans_show_no_userinfo_or_token() {
        let request = http::Request::get("http://alice:pw-s3cr3t@proxy:3128/x?access_token=T0KEN")
            .body(Vec::new())
            .unwrap();
        assert_eq!(
            shown_url(&request),
            "http://***@proxy:3128/x?access_token=***"
        );
    }
}
