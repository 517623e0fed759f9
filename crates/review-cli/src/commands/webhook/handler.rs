//! The one route: `GET` is WeChat's URL check, `POST` a push, on any path.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use review_protocol::push::{Deduplicator, Push, PushConfig};
use tokio::sync::Notify;

use super::line;

/// What every request shares: the configuration, the retries seen, and the signal that
/// stdout was closed (then the server stops).
pub(super) struct Receiver {
    config: PushConfig,
    seen: Mutex<Deduplicator>,
    closed: Arc<Notify>,
}

impl Receiver {
    /// A receiver that has seen nothing yet.
    pub(super) fn new(config: PushConfig) -> Self {
        Self {
            config,
            seen: Mutex::new(Deduplicator::default()),
            closed: Arc::new(Notify::new()),
        }
    }

    /// Notified once stdout is closed.
    pub(super) fn closed(&self) -> Arc<Notify> {
        Arc::clone(&self.closed)
    }
}

/// Any path, any method; bodies over `max_body` are refused (413) before they are read whole.
pub(super) fn router(receiver: Arc<Receiver>, max_body: usize) -> Router {
    Router::new()
        .fallback(receive)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(receiver)
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    method: Method,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let query = query.unwrap_or_default();
    match method {
        Method::GET => match receiver.config.verify_url(&query, Timestamp::now()) {
            Ok(echostr) => (
                StatusCode::OK,
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                echostr,
            )
                .into_response(),
            Err(err) => refuse(err.http_status(), "a URL check", &err.to_string()),
        },
        Method::POST => match body {
            Ok(body) => push(&receiver, &query, &body),
            Err(rejection) => {
                let status = match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::BAD_REQUEST,
                };
                refuse(status, "a push", &rejection.body_text())
            }
        },
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, "GET, POST")],
            "GET for the URL check, POST for pushes\n",
        )
            .into_response(),
    }
}

/// Opens a push; prints it if it is not a retry of one already printed; answers WeChat.
fn push(receiver: &Receiver, query: &str, body: &[u8]) -> Response {
    let now = Timestamp::now();
    let push = match receiver.config.open(query, body, now) {
        Ok(push) => push,
        Err(err) => return refuse(err.http_status(), "a push", &err.to_string()),
    };
    let first = receiver
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .first_delivery(&push, now);
    if first && print(&push).is_err() {
        // Nobody reads the events any more: stop, and let WeChat retry elsewhere or later.
        receiver.closed.notify_one();
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    }
    let answer = push.answer();
    (
        StatusCode::OK,
        [(CONTENT_TYPE, answer.content_type)],
        answer.body,
    )
        .into_response()
}

/// One JSON line on stdout, flushed so that a pipe sees it at once.
fn print(push: &Push) -> std::io::Result<()> {
    let mut text = line::event_line(push)?;
    text.push('\n');
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Answers a refusal with its status and reason, and says so in one line on stderr. The
/// reasons come from the protocol and never hold the token, the key or a signature.
#[allow(clippy::print_stderr)]
fn refuse(status: StatusCode, what: &str, reason: &str) -> Response {
    let reason = reason.replace(['\n', '\r'], " ");
    eprintln!("reviews: refused {what} ({}): {reason}", status.as_u16());
    (
        status,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{reason}\n"),
    )
        .into_response()
}
