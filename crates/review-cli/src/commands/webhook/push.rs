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

use super::db::NotQueued;
use super::receiver::{Durable, Receiver, refuse};
use super::record::PushEntry;
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

/// The first delivery: queue the line (with `--db`, once the push is committed), answer once
/// it is written.
async fn first(receiver: &Receiver, push: &Push, event: EventKey, deadline: Instant) -> Response {
    if let Some(durable) = &receiver.durable {
        return first_durable(receiver, durable, push, event, deadline).await;
    }
    // Subscribed before queueing, so the batch's progress cannot be missed.
    let mut progress = receiver.seen.progress.subscribe();
    let batch = match receiver.writer.submit(push, event) {
        Ok(batch) => batch,
        Err(refused) => {
            receiver.seen.with(|memory| memory.abandoned(event));
            return not_written(&refused);
        }
    };
    written(push, batch, &mut progress, deadline).await
}

/// Why a line was not queued, as the answer.
fn not_written(refused: &Refused) -> Response {
    match refused {
        Refused::Busy => unavailable("the event output is behind; retry later"),
        Refused::Closed => unavailable("shutting down: the event output failed"),
        Refused::Encode(err) => refuse(StatusCode::BAD_REQUEST, "a push", &err.to_string()),
    }
}

/// What the database thread did with a first delivery.
enum Committed {
    /// A new event: committed, its line queued with this batch.
    Queued(u64),
    /// Committed, but its line could not be queued (the event stays in the mirror).
    NotQueued(Refused),
    /// Already in the mirror (another instance, or a retry after a restart): nothing printed.
    Duplicate,
    /// The database failed: nothing kept.
    Failed(String),
}

/// The first delivery with `--db`: commit it with `record_push` on the database thread, then
/// print its line as without `--db`. The thread settles the retry memory itself, so a delivery
/// answered 503 because the database was slow still leaves its retries the right answer.
async fn first_durable(
    receiver: &Receiver,
    durable: &Durable,
    push: &Push,
    event: EventKey,
    deadline: Instant,
) -> Response {
    let entry = PushEntry::of(
        push,
        durable.appid.as_deref(),
        durable.fetcher.is_some(),
        Timestamp::now(),
    );
    let mut progress = receiver.seen.progress.subscribe();
    let (done, outcome) = tokio::sync::oneshot::channel();
    let seen = Arc::clone(&receiver.seen);
    let writer = receiver.writer.clone();
    let fetcher = durable.fetcher.clone();
    let line = push.clone();
    let db = durable.db.clone();
    let job = Box::new(move |mirror: &mut review_store::Mirror| {
        let pending = entry.status == review_store::PushStatus::Pending;
        let committed = match mirror.record_push(&entry.as_record()) {
            Ok(review_store::Recorded::New(_)) => {
                if pending && let Some(fetcher) = &fetcher {
                    fetcher.wake();
                }
                match writer.submit(&line, event) {
                    Ok(batch) => Committed::Queued(batch),
                    Err(refused) => {
                        seen.with(|memory| memory.abandoned(event));
                        Committed::NotQueued(refused)
                    }
                }
            }
            Ok(review_store::Recorded::Duplicate(_)) => {
                seen.with(|memory| memory.recorded(event, Timestamp::now()));
                Committed::Duplicate
            }
            Err(err) => {
                seen.with(|memory| memory.abandoned(event));
                db.failed();
                Committed::Failed(err.to_string())
            }
        };
        if !matches!(committed, Committed::Queued(_)) {
            // Wakes the retries waiting for this delivery (no batch will).
            seen.progress.send_modify(|_| {});
        }
        let _ = done.send(committed);
    });
    if let Err(why) = durable.db.try_run(job) {
        receiver.seen.with(|memory| memory.abandoned(event));
        return match why {
            NotQueued::Busy => unavailable_because(
                "the database is behind; retry later",
                &format!("{} is behind; retry later", durable.db.name),
            ),
            NotQueued::Closed => unavailable("shutting down"),
        };
    }
    match timeout_at(deadline, outcome).await {
        Ok(Ok(Committed::Queued(batch))) => written(push, batch, &mut progress, deadline).await,
        Ok(Ok(Committed::Duplicate)) => success(push),
        Ok(Ok(Committed::NotQueued(refused))) => not_written(&refused),
        Ok(Ok(Committed::Failed(err))) => unavailable_because(
            "the push could not be kept; retry later",
            &format!("cannot commit the push to {}: {err}", durable.db.name),
        ),
        Ok(Err(_)) => unavailable("shutting down"),
        Err(_) => unavailable_because(
            "the database is slow; retry later",
            &format!(
                "{} did not commit the push in time; retry later",
                durable.db.name
            ),
        ),
    }
}

/// Waits for `batch` to be written: 200 then, 503 if it fails or the deadline passes.
async fn written(
    push: &Push,
    batch: u64,
    progress: &mut tokio::sync::watch::Receiver<super::writer::Progress>,
    deadline: Instant,
) -> Response {
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

/// 503 answering `public` (the caller is told nothing of our database), while the line on
/// stderr says `detail`.
fn unavailable_because(public: &str, detail: &str) -> Response {
    super::notices::say(&format!(
        "reviews: refused a push (503): {}",
        detail.replace(['\n', '\r'], " ")
    ));
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{public}\n"),
    )
        .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
    response
}
