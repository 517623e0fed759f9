//! The answers a fault sends instead of (or on top of) the real one.

use std::io;
use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use rand::Rng;
use rand_chacha::ChaCha20Rng;
use review_model::wechat::{ApiStatus, ErrCode};

use super::FaultKind;
use crate::stats::tag;

/// How long a cut answer waits between its part and the drop, so the part reaches the client.
const DROP_AFTER: Duration = Duration::from_millis(20);

/// A WeChat request id as errmsg carries it (`rid: 6a7b1c2d-3e4f5a6b-7c8d9e0f`).
fn rid(rng: &mut ChaCha20Rng) -> String {
    format!(
        "rid: {:08x}-{:08x}-{:08x}",
        rng.random::<u32>(),
        rng.random::<u32>(),
        rng.random::<u32>()
    )
}

/// An HTTP 200 `{errcode, errmsg}` refusal, with `success: false` where the comment endpoints
/// send it.
pub(super) fn errcode(kind: FaultKind, comment_write: bool, rng: &mut ChaCha20Rng) -> Response {
    let (code, message) = match kind {
        FaultKind::ServiceError => (
            ErrCode::ServiceError,
            format!("service error, please try again later {}", rid(rng)),
        ),
        FaultKind::RateLimited => (
            ErrCode::RateLimited,
            format!(
                "api minute-quota reach limit  mustslower  retry next minute {}",
                rid(rng)
            ),
        ),
        _ => (ErrCode::SystemBusy, "system error".to_owned()),
    };
    let mut status = ApiStatus::error(code, message);
    if !comment_write {
        status.success = None;
    }
    let mut response = axum::Json(status).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; encoding=utf-8"),
    );
    tag::coded(response, code.code())
}

/// A 502 or 503 with the HTML page a reverse proxy sends.
pub(super) fn html(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let body = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
         </body>\r\n</html>\r\n"
    );
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// One of the answers that refuse a write before it executes.
pub(super) fn refusal(rng: &mut ChaCha20Rng) -> Response {
    const REFUSALS: [FaultKind; 5] = [
        FaultKind::SystemBusy,
        FaultKind::ServiceError,
        FaultKind::RateLimited,
        FaultKind::BadGateway,
        FaultKind::ServiceUnavailable,
    ];
    let kind = REFUSALS
        .get(rng.random_range(0..REFUSALS.len()))
        .copied()
        .unwrap_or(FaultKind::SystemBusy);
    match kind {
        FaultKind::BadGateway => html(StatusCode::BAD_GATEWAY),
        FaultKind::ServiceUnavailable => html(StatusCode::SERVICE_UNAVAILABLE),
        other => errcode(other, true, rng),
    }
}

enum Stage {
    Part(Bytes),
    Drop,
    Done,
}

/// The real answer's status and headers, a `Content-Length` for all of its body, then part of
/// the body and a dropped connection; counted in the stats as dropped.
pub(super) async fn cut(response: Response, rng: &mut ChaCha20Rng) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let keep = if bytes.len() > 1 {
        rng.random_range(1..bytes.len())
    } else {
        0
    };
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(bytes.len().max(1)));
    let stream =
        futures_util::stream::unfold(Stage::Part(bytes.slice(..keep)), |stage| async move {
            match stage {
                Stage::Part(part) => Some((Ok(part), Stage::Drop)),
                Stage::Drop => {
                    tokio::time::sleep(DROP_AFTER).await;
                    let err = io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "fault: connection dropped",
                    );
                    Some((Err(err), Stage::Done))
                }
                Stage::Done => None,
            }
        });
    tag::dropped(Response::from_parts(parts, Body::from_stream(stream)))
}
