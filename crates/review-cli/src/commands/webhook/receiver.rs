//! What every request of the webhook shares: its configuration, retry memory and line writer,
//! and the one way a request is refused.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use review_protocol::wechat::push::PushConfig;

use super::writer::{Seen, Writer};

/// What every request shares: the configuration, the retry memory and the line writer.
pub(super) struct Receiver {
    pub(super) config: PushConfig,
    pub(super) seen: Arc<Seen>,
    pub(super) writer: Writer,
}

/// Answers a refusal with its status and reason, and says so in one line on stderr. The
/// reasons come from the protocol and never hold the token, the key or a signature.
pub(super) fn refuse(status: StatusCode, what: &str, reason: &str) -> Response {
    let reason = reason.replace(['\n', '\r'], " ");
    super::notices::say(&format!(
        "reviews: refused {what} ({}): {reason}",
        status.as_u16()
    ));
    (
        status,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{reason}\n"),
    )
        .into_response()
}
