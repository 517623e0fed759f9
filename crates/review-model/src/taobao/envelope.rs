//! The fw199 gateway's envelope around every answer.

use serde::{Deserialize, Serialize};

/// `{"code", "message", "data", "trace_id"}`; `code` 0 is success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// `0` on success.
    #[serde(with = "crate::codec::int::number")]
    pub code: i64,
    /// `ok`, or why it failed.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub message: String,
    /// The payload; absent on failure.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    /// The gateway's trace id (often empty).
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub trace_id: String,
}

fn none<T>() -> Option<T> {
    None
}

impl<T> Envelope<T> {
    /// A successful answer.
    pub fn ok(data: T) -> Self {
        Self {
            code: 0,
            message: "ok".to_owned(),
            data: Some(data),
            trace_id: String::new(),
        }
    }

    /// A failed answer.
    pub fn error(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
            trace_id: String::new(),
        }
    }

    /// Whether the gateway reported success.
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }
}

/// An error in the style of Taobao's own TOP API, which the gateway sometimes passes through
/// instead of its envelope: `{"error_response": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopErrorResponse {
    /// The error.
    pub error_response: TopError,
}

/// The body of a TOP-style error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopError {
    /// The TOP error code.
    #[serde(with = "crate::codec::int::number")]
    pub code: i64,
    /// The error message.
    #[serde(default, deserialize_with = "crate::codec::null::deserialize")]
    pub msg: String,
    /// The detailed code (`isv.invalid-parameter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<String>,
    /// The detailed message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_msg: Option<String>,
    /// TOP's request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
