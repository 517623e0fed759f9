//! What every request of the webhook shares: its configuration, retry memory and line writer,
//! and the one way a request is refused.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use review_protocol::wechat::push::PushConfig;

use super::db::Db;
use super::fetch::Waker;
use super::writer::{Seen, Writer};

/// What every request shares: the configuration, the retry memory, the line writer and, with
/// `--db`, the mirror.
pub(super) struct Receiver {
    pub(super) config: PushConfig,
    pub(super) seen: Arc<Seen>,
    pub(super) writer: Writer,
    pub(super) durable: Option<Durable>,
}

/// With `--db`: where pushes are committed, for which tenant, and the fetcher to wake.
pub(super) struct Durable {
    pub(super) db: Db,
    /// The WeChat app's AppID when known (the credentials', else `--appid`).
    pub(super) appid: Option<String>,
    /// The detail fetcher, when WeChat credentials are set: bad reviews are then `pending`.
    pub(super) fetcher: Option<Waker>,
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
