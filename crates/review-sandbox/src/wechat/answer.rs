//! How WeChat answers: JSON with HTTP 200, refusals as `{errcode, errmsg}`.
//!
//! The comment write endpoints add `"success": false` to a refusal, as recorded in the
//! fixtures; reads and `/cgi-bin/...` do not.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use review_model::wechat::{ApiStatus, Empty, Envelope, ErrCode};
use serde::Serialize;

use crate::stats::tag;

/// The content type WeChat sends.
const JSON: &str = "application/json; encoding=utf-8";

/// A refusal: the code and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// `errcode`.
    pub(crate) code: ErrCode,
    /// `errmsg`, before the request id is appended.
    pub(crate) message: String,
}

/// Which refusal shape an endpoint uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `{errcode, errmsg}`: reads, tokens, messages, media.
    Plain,
    /// `{errcode, errmsg, success: false}`: the comment writes.
    Write,
}

impl Refusal {
    /// A refusal with `code` and `message`.
    pub(crate) fn new(code: ErrCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// -10001, a missing or malformed parameter.
    pub(crate) fn param(problem: impl std::fmt::Display) -> Self {
        Self::new(
            ErrCode::InvalidParameter,
            format!("invalid param: {problem}"),
        )
    }

    /// -10003, ids that do not belong together.
    pub(crate) fn mismatch(problem: impl std::fmt::Display) -> Self {
        Self::new(
            ErrCode::ParameterMismatch,
            format!("param not match: {problem}"),
        )
    }

    /// -10403, an evaluation or reply the caller may not touch.
    pub(crate) fn not_yours(what: &str) -> Self {
        Self::new(
            ErrCode::NotYours,
            format!("no permission to operate this {what}"),
        )
    }

    /// 10000, the documented catch-all of settlements and other misuse.
    pub(crate) fn not_applicable(problem: impl std::fmt::Display) -> Self {
        Self::new(ErrCode::NotApplicable, problem.to_string())
    }

    /// The answer in `style`.
    pub(crate) fn answer(&self, style: Style) -> Response {
        let status = ApiStatus {
            errcode: self.code,
            errmsg: Some(format!("{} rid: {}", self.message, request_id())),
            success: (style == Style::Write).then_some(false),
        };
        encoded(&status, self.code.code())
    }
}

/// A WeChat-like request id (`6a7b1c2d-3e4f5a6b-7c8d9e0f`), from a process-wide counter.
fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0x6a7b_0000);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // splitmix64: distinct, random-looking ids from a counter.
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    format!(
        "{:08x}-{:08x}-{:08x}",
        n & 0xffff_ffff,
        z >> 32,
        z & 0xffff_ffff
    )
}

/// A successful answer: `value` as JSON with HTTP 200.
pub(crate) fn json<T: Serialize>(value: &T) -> Response {
    encoded(value, ErrCode::Ok.code())
}

/// `value` as JSON with HTTP 200, counted in the stats as `errcode` `code`.
fn encoded<T: Serialize>(value: &T, code: i64) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => http_200(body, code),
        Err(err) => {
            tracing::error!(%err, "cannot encode an answer");
            let body = format!(r#"{{"errcode":-1,"errmsg":"system error: {err}"}}"#);
            http_200(body.into_bytes(), ErrCode::SystemBusy.code())
        }
    }
}

/// A successful answer already encoded, with HTTP 200.
pub(crate) fn raw(body: String) -> Response {
    http_200(body.into_bytes(), ErrCode::Ok.code())
}

fn http_200(body: Vec<u8>, code: i64) -> Response {
    let response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(JSON))],
        body,
    )
        .into_response();
    tag::coded(response, code)
}

/// `{errcode: 0, ...body}` without `success`, as the detail and thread reads answer.
pub(crate) fn read<T: Serialize>(body: T) -> Response {
    json(&Envelope {
        status: ApiStatus::default(),
        body,
    })
}

/// The answer of an executed write: `{errcode: 0, success: true}` for the comment writes,
/// `{errcode: 0, errmsg: "ok"}` for the others.
pub(crate) fn done(style: Style) -> Response {
    match style {
        Style::Write => json(&Envelope {
            status: ApiStatus::ok(),
            body: Empty {},
        }),
        Style::Plain => json(&ApiStatus {
            errcode: ErrCode::Ok,
            errmsg: Some("ok".to_owned()),
            success: None,
        }),
    }
}

/// The answer of a handler: its success, or the refusal in `style`.
pub(crate) fn finish(result: Result<Response, Refusal>, style: Style) -> Response {
    result.unwrap_or_else(|refusal| refusal.answer(style))
}
