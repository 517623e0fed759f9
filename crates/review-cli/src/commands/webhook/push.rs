//! One push, from a verified delivery to WeChat's answer: 200 only once its line is written
//! and flushed (or was, for a retry), 503 when that cannot happen in time (WeChat retries),
//! 401 for a replayed nonce with another body.
//!
//! WeChat gives up on an answer after five seconds and retries; [`ANSWER_WITHIN`] keeps our
//! answer inside that, so that a slow output turns into a retry rather than into a timeout.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use review_protocol::wechat::push::{Admission, EventKey, Push, PushError};
use tokio::time::{Instant, timeout_at};

use super::receiver::{Receiver, refuse};
use super::writer::Refused;

/// How long a delivery waits for its line (or another delivery's) before answering 503.
pub(super) const ANSWER_WITHIN: Duration = Duration::from_secs(4);

/// Handles a verified push.
pub(super) async fn handle(receiver: Arc<Receiver>, push: Push) -> Response {
    let deadline = Instant::now() + ANSWER_WITHIN;
    let event = EventKey::from(&push);
    // Subscribed only when a wait is needed (most pushes are new), before looking again, so
    // that a batch written in between is not missed.
    let mut progress = None;
    loop {
        let admission = receiver
            .seen
            .with(|memory| memory.admit_event(&push, event, Timestamp::now()));
        match admission {
            Admission::New => return first(&receiver, &push, event, deadline).await,
            Admission::Recorded => return success(&push),
            Admission::Replayed => {
                let err = PushError::NonceReused;
                return refuse(err.http_status(), "a push", &err.to_string());
            }
            Admission::Full => {
                return unavailable(
                    "too many distinct pushes within the retry memory; retry later",
                );
            }
            Admission::InProgress => {
                let Some(watch) = progress.as_mut() else {
                    progress = Some(receiver.seen.progress.subscribe());
                    continue;
                };
                // The first delivery is being written: every batch moves the progress.
                match timeout_at(deadline, watch.changed()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) | Err(_) => {
                        return unavailable(
                            "an earlier delivery of this push is still being written; retry later",
                        );
                    }
                }
            }
        }
    }
}

/// The first delivery: queue the line, answer once it is written.
async fn first(receiver: &Receiver, push: &Push, event: EventKey, deadline: Instant) -> Response {
    // Subscribed before queueing, so the batch's progress cannot be missed.
    let mut progress = receiver.seen.progress.subscribe();
    let batch = match receiver.writer.submit(push, event) {
        Ok(batch) => batch,
        Err(refused) => {
            receiver.seen.with(|memory| memory.abandoned(event));
            return match refused {
                Refused::Busy => unavailable("the event output is behind; retry later"),
                Refused::Closed => unavailable("shutting down: the event output failed"),
                Refused::Encode(err) => refuse(StatusCode::BAD_REQUEST, "a push", &err.to_string()),
            };
        }
    };
    let written = timeout_at(deadline, progress.wait_for(|p| p.of(batch).is_some())).await;
    match written.map(|seen| seen.map(|p| p.of(batch))) {
        Ok(Ok(Some(true))) => success(push),
        Ok(Ok(_) | Err(_)) => unavailable("shutting down: the event output failed"),
        // Still queued: the writer marks it recorded when it is written, so WeChat's retry is
        // answered then; until then nothing is acknowledged.
        Err(_) => unavailable("the event output is behind; retry later"),
    }
}

fn success(push: &Push) -> Response {
    let answer = push.answer();
    (
        StatusCode::OK,
        [(CONTENT_TYPE, answer.content_type)],
        answer.body,
    )
        .into_response()
}

/// 503 with a reason and `Retry-After`; said once on stderr like every refusal.
fn unavailable(reason: &str) -> Response {
    let mut response = refuse(StatusCode::SERVICE_UNAVAILABLE, "a push", reason);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
    response
}
