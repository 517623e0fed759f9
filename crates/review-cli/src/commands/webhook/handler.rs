//! The one route: `GET` is WeChat's URL check, `POST` a push, on any path.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::receiver::{Receiver, refuse};

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
            Ok(body) => push(receiver, &query, &body).await,
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

/// Opens a push and hands it on; a push that does not open is refused here.
async fn push(receiver: Arc<Receiver>, query: &str, body: &[u8]) -> Response {
    match receiver.config.open(query, body, Timestamp::now()) {
        Ok(push) => super::push::handle(receiver, push).await,
        Err(err) => refuse(err.http_status(), "a push", &err.to_string()),
    }
}
