//! The status every WeChat response carries beside its payload.

use serde::{Deserialize, Serialize};

use super::ErrCode;

/// `errcode`, `errmsg` and `success`, present on every WeChat answer.
///
/// Decode this first: a non-zero `errcode` means the payload fields are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiStatus {
    /// `0` on success.
    #[serde(default)]
    pub errcode: ErrCode,
    /// The platform's explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errmsg: Option<String>,
    /// Sent by the comment endpoints alongside `errcode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
}

impl ApiStatus {
    /// A successful status as the comment endpoints send it (`{"errcode":0,"success":true}`).
    pub fn ok() -> Self {
        Self {
            errcode: ErrCode::Ok,
            errmsg: None,
            success: Some(true),
        }
    }

    /// A failed status with the given code and message.
    pub fn error(errcode: ErrCode, errmsg: impl Into<String>) -> Self {
        Self {
            errcode,
            errmsg: Some(errmsg.into()),
            success: Some(false),
        }
    }
}

/// A WeChat answer: the status and the payload side by side in one JSON object.
///
/// Emulators encode responses with it; clients decode [`ApiStatus`] first and the payload after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The status fields.
    #[serde(flatten)]
    pub status: ApiStatus,
    /// The payload fields.
    #[serde(flatten)]
    pub body: T,
}

/// The answer of the write endpoints, which carry no payload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}
