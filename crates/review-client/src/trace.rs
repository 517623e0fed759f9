//! One span per request: endpoint, attempt, status, latency. URLs are redacted.

use std::time::{Duration, Instant};

use crate::transport::HttpResult;

/// Measures one request and logs it when the answer (or failure) is in.
pub(crate) struct Sent {
    endpoint: &'static str,
    attempt: u32,
    method: http::Method,
    url: String,
    started: Instant,
}

impl Sent {
    pub(crate) fn start(
        endpoint: &'static str,
        attempt: u32,
        request: &http::Request<Vec<u8>>,
    ) -> Self {
        Self {
            endpoint,
            attempt,
            method: request.method().clone(),
            url: review_protocol::redact::url(&request.uri().to_string()),
            started: Instant::now(),
        }
    }

    pub(crate) fn finish(self, result: &HttpResult) {
        let latency: Duration = self.started.elapsed();
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(response) => tracing::debug!(
                endpoint = self.endpoint,
                attempt = self.attempt,
                method = %self.method,
                url = %self.url,
                status = response.status().as_u16(),
                latency_ms,
                "review request"
            ),
            Err(err) => tracing::debug!(
                endpoint = self.endpoint,
                attempt = self.attempt,
                method = %self.method,
                url = %self.url,
                error = %err,
                latency_ms,
                "review request failed"
            ),
        }
    }
}
